"""What a school configures about visibility, and the per-student facts the engine weighs.

- `PolicyVersion`: the school's whole policy as a TOML document, versioned (who, when); the latest activated
  version is in force. The document holds base settings, publication moments, student-first release, the consent
  model, staff access per role and the calendar windows (see `inzage.visibility.policy.document`).
- Per student (school-scoped rows, never deleted; ended by a date or a revocation):
  `Override` (mentor/coordinator opens or closes kinds for a guardian), `Consent` (the student's choice per guardian
  and kind, append-only: the latest row before an instant counts), `Share` ("laat mijn ouders dit zien") and
  `InformationRequest` (a guardian without custody asks; granted or refused with a reason; the custodial parent told).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inzage.schools.models import School
from inzage.visibility.kinds import ALL_KINDS, DataKind


def validate_kinds(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one data kind."))
    unknown = [k for k in value if k not in ALL_KINDS]
    if unknown:
        raise ValidationError(_("Unknown data kind(s): %(k)s.") % {"k": ", ".join(map(str, unknown))})


class PolicyVersion(models.Model):
    """One version of a school's policy document. Versions are never edited; a change is a new version."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("policy (TOML)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["school", "-number"]
        constraints = [models.UniqueConstraint(fields=["school", "number"], name="policyversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.school} v{self.number}"


class Override(models.Model):
    """A school's decision to open or close kinds for one guardian (or all guardians) of one student, with a reason.

    Set by a mentor or coordinator; always shown to the student. Active from `starts_on` through `until` (inclusive,
    school dates) unless revoked.
    """

    class Effect(models.TextChoices):
        OPEN = "open", _("open")
        CLOSE = "close", _("dicht")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="visibility_overrides")
    guardian = models.ForeignKey(
        "people.Guardian",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visibility_overrides",
        help_text=_("Empty: every guardian of the student."),
    )
    effect = models.CharField(_("effect"), max_length=8, choices=Effect.choices)
    kinds = models.JSONField(_("data kinds"), validators=[validate_kinds])
    starts_on = models.DateField(_("from"))
    until = models.DateField(_("until (inclusive)"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        ordering = ["student", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(effect__in=["open", "close"]), name="override_known_effect"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("starts_on")), name="override_until_not_before_start"
            ),
        ]
        indexes = [models.Index(fields=["student", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.student}: {self.effect} {', '.join(self.kinds)}"


class Consent(models.Model):
    """The student's choice whether one guardian may see one kind. Append-only: the latest row counts."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="visibility_consents")
    guardian = models.ForeignKey("people.Guardian", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("data kind"), max_length=24, choices=DataKind.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["student", "guardian", "kind", "recorded_at"]
        indexes = [models.Index(fields=["student", "guardian", "kind", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.student} → {self.guardian}: {self.kind} {'ja' if self.granted else 'nee'}"


class Share(models.Model):
    """The student's "laat mijn ouders dit zien" for one item: guardians may see it before student-first ends."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="visibility_shares")
    kind = models.CharField(_("data kind"), max_length=24, choices=DataKind.choices)
    item_id = models.BigIntegerField(_("item"))
    shared_at = models.DateTimeField(_("shared"))
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [models.UniqueConstraint(fields=["student", "kind", "item_id"], name="share_once_per_item")]

    def __str__(self) -> str:
        return f"{self.student} deelt {self.kind} {self.item_id}"


class InformationRequest(models.Model):
    """A guardian without custody asks for information (results, reports); the school grants or refuses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("in behandeling")
        GRANTED = "granted", _("toegekend")
        REFUSED = "refused", _("geweigerd")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relation = models.ForeignKey(
        "people.GuardianRelation", on_delete=models.CASCADE, related_name="information_requests"
    )
    kinds = models.JSONField(_("data kinds asked for"), validators=[validate_kinds])
    requested_on = models.DateField(_("requested on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason (required when refused)"), blank=True)
    custodial_parent_told_on = models.DateField(_("custodial parent told on"), null=True, blank=True)
    # Who recorded the told date, and when, when that came after the decision (a grant counts only from then).
    told_recorded_at = models.DateTimeField(_("told date recorded"), null=True, blank=True)
    told_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "granted", "refused"]), name="inforequest_known_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""), name="inforequest_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="inforequest_decision_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relation}: {self.get_status_display()}"


class DataVersion(models.Model):
    """A counter bumped in the same transaction as every write that can change what someone may see of a student.

    One row per scope: a school (policy, calendar, structure), a student (their data and relations) or an account
    (which students it reaches). The portal caches a viewer's page together with the counters it was built at and
    throws it away when one moved (see docs/caching.md and `inzage.visibility.versions`). A missing row counts as 0.
    """

    class Scope(models.TextChoices):
        SCHOOL = "school", "school"
        STUDENT = "student", "student"
        USER = "user", "user"

    # No foreign keys: a deleted row must not take its counter with it (a recreated id would start again at 0 and
    # match an old cache entry), and a delete's own signals bump counters of rows being deleted in the same cascade.
    # The school id is kept for sharding by school.
    school_id = models.BigIntegerField(null=True, blank=True)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    object_id = models.BigIntegerField()
    counter = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
        constraints = [models.UniqueConstraint(fields=["scope", "object_id"], name="dataversion_one_per_object")]

    def __str__(self) -> str:
        return f"{self.scope}#{self.object_id}: {self.counter}"
