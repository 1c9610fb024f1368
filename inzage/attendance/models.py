"""Attendance and absence: the school's settings and reason codes, registrations per lesson with their history,
sick reports, leave requests, come-back measures and DUO reports.

Nothing here is deleted or changed silently: registrations keep every version (who, when, why), sick reports are
ended ("beter gemeld"), leave is decided, measures are done or waived, reports change status with history.
No diagnosis is asked or stored anywhere (health data is special-category personal data).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inzage.grades.models import AppendOnlyModel, NoDeleteModel
from inzage.schools.models import School


class AttendanceSettings(models.Model):
    """A school's attendance choices (the law leaves lateness to the school)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="attendance_settings")
    late_counts = models.BooleanField(_("te laat telt mee voor DUO"), default=False)
    late_minutes_per_hour = models.PositiveSmallIntegerField(_("minuten te laat die als één lesuur tellen"), default=60)
    explain_deadline_school_days = models.PositiveSmallIntegerField(
        _("schooldagen om een absentie te verklaren"), default=2
    )
    removal_guardian_delay_hours = models.PositiveSmallIntegerField(
        _("uren voordat ouders een verwijdering zien"), default=0
    )

    class Meta:
        verbose_name = _("verzuiminstellingen")
        verbose_name_plural = _("verzuiminstellingen")
        constraints = [models.CheckConstraint(condition=Q(late_minutes_per_hour__gte=1), name="att_late_minutes_pos")]

    def __str__(self) -> str:
        return f"verzuiminstellingen {self.school_id}"


class ReasonCode(models.Model):
    """A reason for absence with its rules: authorised or not, who may give it, approval, whether it needs an end."""

    class Category(models.TextChoices):
        SICK = "sick", _("ziek")
        MEDICAL = "medical", _("medisch")
        LEAVE = "leave", _("verlof")
        FAMILY = "family", _("familieomstandigheden")
        EXEMPT = "exempt", _("vrijstelling")
        TRUANCY = "truancy", _("spijbelen")
        OTHER = "other", _("anders")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("naam"), max_length=80)
    category = models.CharField(_("soort"), max_length=12, choices=Category.choices, default=Category.OTHER)
    authorised = models.BooleanField(_("geoorloofd"))
    by_guardian = models.BooleanField(_("op te geven door ouder met gezag of verzorger"), default=False)
    by_adult_student = models.BooleanField(_("op te geven door meerderjarige leerling"), default=False)
    by_staff = models.BooleanField(_("op te geven door medewerkers"), default=True)
    needs_approval = models.BooleanField(_("vraagt goedkeuring"), default=False)
    needs_end = models.BooleanField(_("vraagt een einde"), default=False)
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        verbose_name = _("reden van absentie")
        verbose_name_plural = _("redenen van absentie")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="att_reason_unique_code")]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    PRESENT = "present", _("aanwezig")
    ABSENT = "absent", _("afwezig")
    LATE = "late", _("te laat")
    REMOVED = "removed", _("uitgestuurd")


class Registration(NoDeleteModel):
    """One student's registration in one lesson, as it stands now (every version in `RegistrationVersion`).

    Present is the default and is not stored as a row: a registered lesson (`LessonRegistration`) without a row for
    a student means present. A row corrected back to present keeps its history. `starts_at`, `minutes` and
    `group` are copied from the lesson (`timetable.Lesson`) so the DUO scan reads one table.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="registrations")
    group = models.ForeignKey("schools.TeachingGroup", on_delete=models.PROTECT, null=True, related_name="+")
    lesson = models.ForeignKey("timetable.Lesson", on_delete=models.PROTECT, related_name="registrations")
    starts_at = models.DateTimeField(_("begin van de les"))
    minutes = models.PositiveSmallIntegerField(_("lesduur (minuten)"))
    status = models.CharField(_("registratie"), max_length=8, choices=Status.choices)
    late_minutes = models.PositiveSmallIntegerField(_("minuten te laat"), default=0)
    note = models.CharField(_("notitie"), max_length=300, blank=True)
    reason = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("geregistreerd op"))
    guardian_release_at = models.DateTimeField(
        _("zichtbaar voor ouders vanaf"), help_text=_("A removal reaches parents after the school's delay.")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        verbose_name = _("registratie")
        verbose_name_plural = _("registraties")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="att_registration_one_per_lesson"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "absent", "late", "removed"]), name="att_registration_status"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "starts_at"]),
            models.Index(fields=["school", "starts_at"]),
        ]


class RegistrationVersion(AppendOnlyModel):
    """A version of a registration: what it said, who changed it when, and why."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("versie"))
    status = models.CharField(_("registratie"), max_length=8, choices=Status.choices)
    late_minutes = models.PositiveSmallIntegerField(_("minuten te laat"), default=0)
    note = models.CharField(_("notitie"), max_length=300, blank=True)
    reason = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(_("gewijzigd op"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    why = models.CharField(_("reden van de wijziging"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("versie van een registratie")
        verbose_name_plural = _("versies van registraties")
        constraints = [models.UniqueConstraint(fields=["registration", "version"], name="att_regversion_unique")]


class LessonRegistration(models.Model):
    """The fact that a lesson was registered (by whom, when): a lesson without one after its end is flagged."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    lesson = models.OneToOneField("timetable.Lesson", on_delete=models.PROTECT, related_name="registered")
    registered_at = models.DateTimeField(_("geregistreerd op"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("geregistreerde les")
        verbose_name_plural = _("geregistreerde lessen")

    def __str__(self) -> str:
        return f"les {self.lesson_id}"


class SickReport(NoDeleteModel):
    """A sick report (ziekmelding) from `starts_at` until reported better (`ends_at`). No diagnosis, ever."""

    class By(models.TextChoices):
        GUARDIAN = "guardian", _("ouder/verzorger")
        STUDENT = "student", _("leerling")
        STAFF = "staff", _("school")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="sick_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_by_kind = models.CharField(_("gemeld door"), max_length=8, choices=By.choices)
    reported_at = models.DateTimeField(_("gemeld op"))
    starts_at = models.DateTimeField(_("ziek vanaf"))
    late = models.BooleanField(_("te laat gemeld"), default=False)
    ends_at = models.DateTimeField(_("beter vanaf"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_reported_at = models.DateTimeField(_("beter gemeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("ziekmelding")
        verbose_name_plural = _("ziekmeldingen")
        indexes = [models.Index(fields=["student", "starts_at"]), models.Index(fields=["school", "-reported_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")), name="att_sick_end_after"
            )
        ]


class LeaveRequest(NoDeleteModel):
    """A leave request (verlofaanvraag) with the legal check's outcome and the school's decision."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("vakantieverlof")
        IMPORTANT = "important", _("gewichtige omstandigheden")

    class State(models.TextChoices):
        PENDING = "pending", _("aangevraagd")
        APPROVED = "approved", _("toegekend")
        REFUSED = "refused", _("afgewezen")
        FORWARDED = "forwarded", _("doorgestuurd naar de leerplichtambtenaar")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="leave_requests")
    kind = models.CharField(_("soort verlof"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("eerste dag"))
    end = models.DateField(_("laatste dag"))
    school_days = models.PositiveSmallIntegerField(_("schooldagen"))
    explanation = models.TextField(_("toelichting"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("aangevraagd op"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    decision_reason = models.CharField(_("motivering"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("verlofaanvraag")
        verbose_name_plural = _("verlofaanvragen")
        indexes = [models.Index(fields=["student", "start"])]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="att_leave_end_after")]


class MeasureRule(models.Model):
    """A school rule that creates a come-back measure: "te laat → om 08:00 melden de volgende schooldag"."""

    class When(models.TextChoices):
        NEXT_SCHOOL_DAY = "next_school_day", _("de volgende schooldag")
        SAME_DAY = "same_day", _("dezelfde dag")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(_("bij"), max_length=8, choices=Status.choices)
    text = models.CharField(_("maatregel"), max_length=200)
    when = models.CharField(_("wanneer"), max_length=16, choices=When.choices)
    at_time = models.TimeField(_("tijd"))
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        verbose_name = _("regel voor terugkommaatregelen")
        verbose_name_plural = _("regels voor terugkommaatregelen")

    def __str__(self) -> str:
        return f"{self.get_trigger_display()}: {self.text}"


class Measure(NoDeleteModel):
    """A come-back measure (terugkommaatregel) for one student, tracked until done or waived; missed → escalated."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("gedaan")
        WAIVED = "waived", _("kwijtgescholden")
        ESCALATED = "escalated", _("niet gekomen, opgeschaald")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="measures")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, null=True, related_name="measures")
    rule = models.ForeignKey(MeasureRule, on_delete=models.PROTECT, null=True, related_name="+")
    text = models.CharField(_("maatregel"), max_length=200)
    due_at = models.DateTimeField(_("melden op"))
    created_at = models.DateTimeField(_("aangemaakt op"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("terugkommaatregel")
        verbose_name_plural = _("terugkommaatregelen")
        indexes = [models.Index(fields=["student", "due_at"])]


class DuoReport(NoDeleteModel):
    """A report of absence to DUO (verzuimmelding) with the fields of the Besluit Verzuimmelding."""

    class Kind(models.TextChoices):
        THRESHOLD = "threshold", _("16 uur in 4 schoolweken")
        LONG_TERM = "long_term", _("langdurig verzuim (meer dan 4 weken)")
        HOLIDAY = "holiday", _("verzuim rond een vakantie (luxe verzuim)")

    class State(models.TextChoices):
        NEW = "new", _("nieuw signaal")
        REGISTERED = "registered", _("geregistreerd")
        IN_PROGRESS = "in_progress", _("in behandeling")
        CLOSED = "closed", _("afgesloten")
        WITHDRAWN = "withdrawn", _("ingetrokken")
        ACKNOWLEDGED = "acknowledged", _("ontvangen door DUO")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="duo_reports")
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("begindatum verzuim"))
    end = models.DateField(_("einddatum verzuim"))
    counted_until = models.DateTimeField(_("geteld tot en met"))
    minutes = models.PositiveIntegerField(_("minuten ongeoorloofd afwezig"))
    days_absent = models.PositiveSmallIntegerField(_("dagen afwezig"), default=0)
    signalled_at = models.DateTimeField(_("gesignaleerd op"))
    due_on = models.DateField(_("melden uiterlijk"))
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.NEW)
    suspected_reason = models.CharField(_("vermoedelijke reden"), max_length=200, blank=True)
    all_lessons_missed = models.BooleanField(_("alle lessen verzuimd"), default=False)
    school_action = models.TextField(_("actie van de school"), blank=True)
    municipality_action_wanted = models.BooleanField(_("actie van de gemeente gewenst"), default=True)

    class Meta:
        verbose_name = _("verzuimmelding")
        verbose_name_plural = _("verzuimmeldingen")
        indexes = [models.Index(fields=["school", "state"]), models.Index(fields=["student", "start"])]


class DuoReportChange(AppendOnlyModel):
    """A status change of a DUO report: to which status, who, when, and a note."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(DuoReport, on_delete=models.PROTECT, related_name="changes")
    state = models.CharField(_("status"), max_length=12, choices=DuoReport.State.choices)
    changed_at = models.DateTimeField(_("gewijzigd op"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("notitie"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("statuswijziging van een verzuimmelding")
        verbose_name_plural = _("statuswijzigingen van verzuimmeldingen")
