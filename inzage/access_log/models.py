"""The access log (append-only), the scraping signals for the school's administrators, and the school's setting.

`AccessRead` carries plain ids, no foreign keys: the log must outlive (and never block, nor be cascaded by) a change
to the rows it names, and, like the version counters, it is distributable by `school_id`. Append-only in the
application (`AppendOnlyModel`: no save of an existing row, no delete, no queryset update/delete) and, on PostgreSQL,
below it (migration 0002: a trigger refuses UPDATE and DELETE; the purge of rows past the retention is the one
DELETE it lets through, see `actions.access_log_purge`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inzage.grades.models import AppendOnlyModel
from inzage.schools.models import School


class AccessRead(AppendOnlyModel):
    """One request's read of one student's data by one account: when, which kinds, in which role, through what."""

    class Channel(models.TextChoices):
        PAGE = "page", _("pagina")
        EXPORT = "export", _("export")
        PDF = "pdf", _("pdf")
        CALENDAR = "calendar", _("agenda-feed")
        API = "api", _("api")
        OTHER = "other", _("anders")

    at = models.DateTimeField(_("when"))
    school_id = models.BigIntegerField(_("school"))
    user_id = models.BigIntegerField(_("account"))
    student_id = models.BigIntegerField(_("student"))
    # ",grades,averages,": a substring filter per kind works the same on SQLite and PostgreSQL (use in numbers).
    kinds = models.CharField(_("kinds"), max_length=250)
    audience = models.CharField(_("as"), max_length=12)  # student, guardian, staff
    roles = models.CharField(_("roles"), max_length=120, blank=True)  # ",mentor,teacher," for staff
    subjects = models.CharField(_("subjects"), max_length=250, blank=True)  # a teacher's subjects, "wiskunde"
    route = models.CharField(_("page"), max_length=100, blank=True)  # the URL name, e.g. "portal:grades"
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PAGE)
    cached = models.BooleanField(_("from the cache"), default=False)

    class Meta:
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["student_id", "at"], name="access_read_student_at"),
            models.Index(fields=["school_id", "at"], name="access_read_school_at"),
            models.Index(fields=["user_id", "at"], name="access_read_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.student_id}: {self.kinds.strip(',')}"

    @property
    def kind_list(self) -> list[str]:
        return [k for k in self.kinds.split(",") if k]

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]

    @property
    def subject_list(self) -> list[str]:
        return [s for s in self.subjects.split(",") if s]


class AccessLogSettings(models.Model):
    """A school's choices for the access log its students and parents see."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="access_log_settings")
    show_names = models.BooleanField(
        _("show staff names"),
        default=False,
        help_text=_("Leerlingen en ouders zien de naam van de medewerker naast de rol (standaard alleen de rol)."),
    )

    class Meta:
        verbose_name = _("access-log setting")
        verbose_name_plural = _("access-log settings")

    def __str__(self) -> str:
        return f"{self.school}: {'namen' if self.show_names else 'rollen'}"


class ScrapingSignal(models.Model):
    """An account read at machine speed or with unusual breadth: throttled, and reported to the administrators."""

    class Reason(models.TextChoices):
        PER_MINUTE = "per_minute", _("veel pagina's per minuut")
        PER_HOUR = "per_hour", _("veel pagina's per uur")
        BREADTH = "breadth", _("ongewoon veel verschillende pagina's")

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    detected_at = models.DateTimeField(_("detected at"))
    blocked_until = models.DateTimeField(_("throttled until"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    non_browser = models.BooleanField(_("non-browser client"), default=False)
    reads_minute = models.PositiveIntegerField(_("reads in the minute"), default=0)
    reads_hour = models.PositiveIntegerField(_("reads in the hour"), default=0)
    distinct_pages = models.PositiveIntegerField(_("distinct pages in the hour"), default=0)
    user_agent = models.CharField(_("client"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=64, blank=True)
    session = models.CharField(_("session (hash)"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("scraping signal")
        verbose_name_plural = _("scraping signals")
        indexes = [models.Index(fields=["school", "-detected_at"], name="scraping_school_detected")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.reason} {self.detected_at:%Y-%m-%d %H:%M}"
