"""Assessment columns and results.

Contract with the visibility policy (inzage.visibility): a result of a column becomes visible to its student at
`max(column.release_at, result.entered_at)` (then shifted to the school's publication moment, if any);
`column.release_at` null means the teacher holds the column back. Retracted results and columns are shown to nobody
but staff looking at the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inzage.schools.models import School


class AssessmentKind(models.Model):
    """A school-configurable kind of assessment: quiz, test, test-week test, practical, oral, reflection..."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="assessment_kinds")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("assessment kind")
        verbose_name_plural = _("assessment kinds")
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="assessmentkind_unique_code")]

    def __str__(self) -> str:
        return self.name


class Column(models.Model):
    """One assessment (kolom) of a teaching group in a period, with its weights and release choice."""

    class ResultType(models.TextChoices):
        NUMBER = "number", _("cijfer 1,0–10,0")
        JUDGEMENT = "judgement", _("beoordeling (o/v/g)")
        TEXT = "text", _("zonder cijfer (verslag)")

    class ResitRule(models.TextChoices):
        HIGHEST = "highest", _("hoogste telt")
        LAST = "last", _("laatste telt")
        AVERAGE = "average", _("gemiddelde telt")

    class ReleaseMode(models.TextChoices):
        NOW = "now", _("direct")
        AT = "at", _("op een moment")
        HELD = "held", _("achtergehouden")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    teaching_group = models.ForeignKey("schools.TeachingGroup", on_delete=models.PROTECT, related_name="columns")
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="columns")
    period = models.ForeignKey("schools.Period", on_delete=models.PROTECT, related_name="columns")
    kind = models.ForeignKey(AssessmentKind, on_delete=models.PROTECT, related_name="columns")
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20)
    date = models.DateField(_("date"))
    result_type = models.CharField(
        _("result type"), max_length=12, choices=ResultType.choices, default=ResultType.NUMBER
    )
    weight = models.DecimalField(
        _("weight (progress)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    exam_weight = models.DecimalField(
        _("weight (exam dossier)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    resit_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="resits")
    resit_rule = models.CharField(
        _("which attempt counts"), max_length=8, choices=ResitRule.choices, default=ResitRule.HIGHEST
    )
    release_mode = models.CharField(_("release"), max_length=8, choices=ReleaseMode.choices, default=ReleaseMode.NOW)
    release_at = models.DateTimeField(
        _("released from"), null=True, blank=True, help_text=_("Empty while the teacher holds the results back.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retracted_at = models.DateTimeField(_("retracted"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment column")
        verbose_name_plural = _("assessment columns")
        ordering = ["teaching_group", "date", "code"]
        constraints = [
            models.UniqueConstraint(fields=["teaching_group", "code"], name="column_unique_code_per_group"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(exam_weight__gte=0), name="column_weights_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(release_mode="held") | Q(release_at__isnull=True), name="column_held_has_no_release_time"
            ),
            models.CheckConstraint(
                condition=Q(release_mode="held") | Q(release_at__isnull=False), name="column_released_has_release_time"
            ),
        ]
        indexes = [models.Index(fields=["school", "period"])]

    def __str__(self) -> str:
        return f"{self.teaching_group} {self.code} {self.name}"


class Result(models.Model):
    """A student's current result in a column. Every change is also kept as a ResultVersion; nothing is deleted."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("normaal")
        NOT_MADE = "not_made", _("inhalen")
        EXEMPT = "exempt", _("vrijstelling")
        NOT_COUNTING = "not_counting", _("telt niet mee")

    class Judgement(models.TextChoices):
        NONE = "", _("—")
        ONVOLDOENDE = "o", _("onvoldoende")
        VOLDOENDE = "v", _("voldoende")
        GOED = "g", _("goed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    column = models.ForeignKey(Column, on_delete=models.PROTECT, related_name="results")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="results")
    value = models.DecimalField(
        _("grade"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("10.0"))],
    )
    judgement = models.CharField(_("judgement"), max_length=1, choices=Judgement.choices, blank=True, default="")
    text = models.TextField(_("report text"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NORMAL)
    entered_at = models.DateTimeField(
        _("first entered"),
        null=True,
        blank=True,
        help_text=_("When a result was first entered; the release clock starts here."),
    )
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    retracted_at = models.DateTimeField(_("retracted"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["column", "student"], name="result_one_per_student_per_column"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=Decimal("1.0")) & Q(value__lte=Decimal("10.0"))),
                name="result_value_1_to_10",
            ),
        ]
        indexes = [models.Index(fields=["student", "column"])]

    def __str__(self) -> str:
        return f"{self.student} {self.column.code}: {self.value}"


class ResultVersion(models.Model):
    """One version of a result: who changed it, when and why. Append-only (see grades.history)."""

    class Action(models.TextChoices):
        CREATE = "create", _("ingevoerd")
        CHANGE = "change", _("gewijzigd")
        RETRACT = "retract", _("ingetrokken")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    value = models.DecimalField(_("grade"), max_digits=3, decimal_places=1, null=True, blank=True)
    judgement = models.CharField(_("judgement"), max_length=1, blank=True, default="")
    text = models.TextField(_("report text"), blank=True)
    status = models.CharField(_("status"), max_length=12)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("result version")
        verbose_name_plural = _("result versions")
        ordering = ["result", "version"]
        constraints = [models.UniqueConstraint(fields=["result", "version"], name="resultversion_unique")]

    def __str__(self) -> str:
        return f"{self.result_id} v{self.version} ({self.action})"
