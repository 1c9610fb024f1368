"""Assessment columns and results.

Contract with the visibility policy (inzage.visibility): a result of a column becomes visible to its student at
`max(column.release_at, result.entered_at)` (then shifted to the school's publication moment, if any);
`column.release_at` null means the teacher holds the column back. Retracted results and columns are shown to nobody
but staff looking at the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inzage.schools.models import School

# How far the visibility engine follows resit chains (a resit of a resit is the deepest): a resit is visible only
# when its originals are, and a longer chain is hidden (fail closed). `Column.clean` refuses longer chains.
RESIT_DEPTH_MAX = 2


class HistoryIsAppendOnly(Exception):
    """Raised when code tries to change or delete a history row, or delete a result or column."""


class AppendOnlyQuerySet(models.QuerySet):
    """History rows can be added, never changed or deleted: not one by one and not in bulk."""

    def update(self, **kwargs):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows cannot be changed.")

    def delete(self):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows cannot be changed.")

    def _raw_delete(self, using):
        # The deletion collector's fast path for cascades bypasses delete(); refuse it too.
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows cannot be deleted.")


class NoDeleteQuerySet(models.QuerySet):
    """Results and columns are retracted, never deleted."""

    def delete(self):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows are retracted, never deleted.")

    def _raw_delete(self, using):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows are retracted, never deleted.")


class AppendOnlyModel(models.Model):
    """A row that can be inserted once and then never saved again or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly(f"{type(self).__name__} rows cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(f"{type(self).__name__} rows cannot be deleted.")


class NoDeleteModel(models.Model):
    """A row that is retracted (kept, marked) instead of deleted."""

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(f"{type(self).__name__} rows are retracted, never deleted.")


class GradeSettings(models.Model):
    """A school's choices for grades: report-grade rounding, the year average's rule, how "telt niet mee" is shown,
    the decimals of shown averages and the PTA/PTO deadline (default 1 October). See docs/grades.md."""

    class Rounding(models.TextChoices):
        ONE_DECIMAL = "one_decimal", _("één decimaal (7,5)")
        WHOLE = "whole", _("heel getal (8)")

    class YearAverageRule(models.TextChoices):
        ALL_RESULTS = "all_results", _("gewogen gemiddelde van alle cijfers van het jaar")
        PERIOD_WEIGHTS = "period_weights", _("gewogen gemiddelde van de periodegemiddelden (periodewegingen)")

    class NotCountingRule(models.TextChoices):
        VISIBLE = "visible", _("cijfer zichtbaar, telt niet mee")
        HIDDEN = "hidden", _("verborgen voor leerlingen en ouders")

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="grade_settings")
    report_rounding = models.CharField(
        _("report grade rounding"), max_length=12, choices=Rounding.choices, default=Rounding.ONE_DECIMAL
    )
    year_average_rule = models.CharField(
        _("jaargemiddelde"), max_length=16, choices=YearAverageRule.choices, default=YearAverageRule.ALL_RESULTS
    )
    period_weights = models.CharField(
        _("periodewegingen"),
        max_length=60,
        blank=True,
        help_text=_(
            "Per periode, in volgorde, gescheiden door /: bijvoorbeeld 25/25/50. Een periode zonder weging telt niet "
            "mee. Alleen voor het jaargemiddelde uit periodegemiddelden."
        ),
    )
    not_counting_rule = models.CharField(
        _("telt niet mee"), max_length=8, choices=NotCountingRule.choices, default=NotCountingRule.VISIBLE
    )
    average_decimals = models.PositiveSmallIntegerField(
        _("decimalen van gemiddelden"),
        default=1,
        validators=[MaxValueValidator(2)],
        help_text=_("Met hoeveel decimalen een gemiddelde wordt getoond: 0, 1 of 2."),
    )
    programme_deadline_month = models.PositiveSmallIntegerField(_("PTA/PTO deadline month"), default=10)
    programme_deadline_day = models.PositiveSmallIntegerField(_("PTA/PTO deadline day"), default=1)

    class Meta:
        verbose_name = _("grade settings")
        verbose_name_plural = _("grade settings")
        constraints = [
            models.CheckConstraint(condition=Q(average_decimals__lte=2), name="gradesettings_decimals_0_to_2"),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.report_rounding}"

    def period_weights_by_number(self) -> dict[int, Decimal]:
        """The period weights by period number (1, 2, ...); an unreadable text gives no weights (fail closed:
        `clean` refuses it in forms and the admin)."""
        try:
            return parse_period_weights(self.period_weights)
        except ValueError:
            return {}

    def clean(self) -> None:
        super().clean()
        try:
            weights = parse_period_weights(self.period_weights)
        except ValueError:
            raise ValidationError(
                {"period_weights": _("Schrijf de wegingen als getallen gescheiden door /, bijvoorbeeld 25/25/50.")}
            ) from None
        if self.year_average_rule == self.YearAverageRule.PERIOD_WEIGHTS and not any(weights.values()):
            raise ValidationError(
                {"period_weights": _("Geef de periodewegingen, bijvoorbeeld 25/25/50 (minstens één boven 0).")}
            )


def parse_period_weights(text: str) -> dict[int, Decimal]:
    """ "25/25/50" → {1: 25, 2: 25, 3: 50}; empty → {}; raises ValueError for anything else (comma decimals: 12,5)."""
    text = (text or "").strip()
    if not text:
        return {}
    out: dict[int, Decimal] = {}
    for number, part in enumerate(text.split("/"), start=1):
        part = part.strip().replace(",", ".")
        if not part or not part.isascii() or not part.replace(".", "", 1).isdigit():
            raise ValueError(part)
        weight = Decimal(part)
        if weight != weight.quantize(Decimal("0.01")) or weight > 1000:
            raise ValueError(part)  # at most two decimals (the averages compute in hundredths)
        out[number] = weight
    return out


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


class Column(NoDeleteModel):
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
    version = models.PositiveIntegerField(_("version"), default=1)
    programme_item = models.ForeignKey(
        "grades.ProgrammeItem", on_delete=models.PROTECT, null=True, blank=True, related_name="columns"
    )

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

    def clean(self) -> None:
        super().clean()
        # The visibility engine follows at most RESIT_DEPTH_MAX originals (and hides a resit with a longer chain).
        seen, current, depth = {self.pk}, self.resit_of, 0
        while current is not None:
            depth += 1
            if current.pk in seen or depth > RESIT_DEPTH_MAX:
                raise ValidationError(
                    {
                        "resit_of": _(
                            "Een herkansing kan hoogstens een herkansing van een herkansing zijn, en nooit van "
                            "zichzelf."
                        )
                    }
                )
            seen.add(current.pk)
            current = current.resit_of


class Result(NoDeleteModel):
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


class ResultVersion(AppendOnlyModel):
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


class ColumnVersion(AppendOnlyModel):
    """One version of a column's settings (weights, date, release...), with who, when and why. Append-only."""

    class Action(models.TextChoices):
        CREATE = "create", _("aangemaakt")
        CHANGE = "change", _("gewijzigd")
        RELEASE = "release", _("vrijgave gewijzigd")
        RETRACT = "retract", _("ingetrokken")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    column = models.ForeignKey(Column, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    snapshot = models.JSONField(_("settings after the change"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("column version")
        verbose_name_plural = _("column versions")
        ordering = ["column", "version"]
        constraints = [models.UniqueConstraint(fields=["column", "version"], name="columnversion_unique")]

    def __str__(self) -> str:
        return f"{self.column_id} v{self.version} ({self.action})"


class TestingProgramme(models.Model):
    """The testing programme (PTA for exam years, PTO for lower years) of a subject, level and cohort.

    Fixed before the school year's deadline (GradeSettings, default 1 October); after the deadline every change
    needs a recorded approval (ProgrammeApproval).
    """

    __test__ = False  # not a pytest test class, despite the name

    class Kind(models.TextChoices):
        PTA = "pta", _("PTA (examendossier)")
        PTO = "pto", _("PTO (onderbouw)")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("schools.Level", on_delete=models.PROTECT, related_name="+")
    cohort = models.CharField(_("cohort"), max_length=20, help_text=_("Lichting, e.g. 2025-2027 for havo 4–5."))
    school_year = models.ForeignKey(
        "schools.SchoolYear", on_delete=models.PROTECT, related_name="+", help_text=_("Whose deadline applies.")
    )
    deadline = models.DateField(_("fixed before"))
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("testing programme")
        verbose_name_plural = _("testing programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "subject", "level", "cohort"], name="testingprogramme_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} {self.level} {self.cohort}"


class ProgrammeItem(models.Model):
    """One assessment in a testing programme: its code, period, kind and weights."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(TestingProgramme, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    period = models.ForeignKey("schools.Period", on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(AssessmentKind, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("weight (progress)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    exam_weight = models.DecimalField(_("weight (exam dossier)"), max_digits=5, decimal_places=2)
    resit_allowed = models.BooleanField(_("resit allowed"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="programmeitem_unique_code")]

    def __str__(self) -> str:
        return f"{self.programme} {self.code}"


class ProgrammeChange(AppendOnlyModel):
    """A change to a testing programme: what, who, when, why, and (after the deadline) who approved it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(TestingProgramme, on_delete=models.PROTECT, related_name="changes")
    version = models.PositiveIntegerField(_("programme version"))
    description = models.CharField(_("what changed"), max_length=300)
    snapshot = models.JSONField(_("items after the change"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    after_deadline = models.BooleanField(_("after the deadline"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval_reason = models.CharField(_("reason for the approval"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")
        ordering = ["programme", "version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="programmechange_unique"),
            models.CheckConstraint(
                condition=Q(after_deadline=False) | (Q(approved_by__isnull=False) & ~Q(approval_reason="")),
                name="programmechange_late_needs_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version}"


class PeriodReport(AppendOnlyModel):
    """A published period report (rapport) of a class: one version of the frozen snapshot. Append-only.

    A correction publishes a new version (version + 1) with a reason; earlier versions stay.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey("schools.SchoolClass", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey("schools.Period", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason for a correction"), max_length=300, blank=True)
    rounding = models.CharField(_("rounding"), max_length=12)

    class Meta:
        verbose_name = _("period report")
        verbose_name_plural = _("period reports")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "period", "version"], name="periodreport_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.period} v{self.version}"


class PeriodReportStudent(AppendOnlyModel):
    """One student's frozen report in one version of a period report: report grades per subject and the remark.

    `grades` maps subject code to {"name", "grade" (string "7.5" or null)}; the latest `version` per
    (student, period) is the current report. `header` freezes the names printed on the report, `absence` the
    period's absence figures (null when the school has no attendance data), `changes` what a correction changed
    for this student (a list of {"what", "subject", "old", "new"}; null in a first version).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(PeriodReport, on_delete=models.PROTECT, related_name="students")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="period_reports")
    period = models.ForeignKey("schools.Period", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    grades = models.JSONField(_("report grades"))
    mentor_remark = models.TextField(_("mentor's remark"), blank=True)
    # Added with the reports pages (`inzage/reports`). Nullable on purpose: a nullable column is a plain
    # ADD COLUMN on SQLite too, which keeps the append-only triggers of migration 0004 (a table rebuild drops them).
    header = models.JSONField(
        _("frozen header"), null=True, blank=True, help_text="school, student, class, period, year, mentors"
    )
    absence = models.JSONField(_("absence figures"), null=True, blank=True)  # null: no attendance data
    changes = models.JSONField(_("changes since the previous version"), null=True, blank=True)

    class Meta:
        verbose_name = _("student period report")
        verbose_name_plural = _("student period reports")
        constraints = [
            models.UniqueConstraint(fields=["student", "period", "version"], name="periodreportstudent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.period} v{self.version}"


class ExamSubject(models.Model):
    """The school's declaration of an exam subject for a level: whether it has a central exam (CE) and whether its
    final grade is part of the combination grade (combinatiecijfer). Set by the administrator (Django admin)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey("schools.Level", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="+")
    has_central_exam = models.BooleanField(_("heeft een centraal examen"), default=True)
    in_combination = models.BooleanField(_("deel van het combinatiecijfer"), default=False)

    class Meta:
        verbose_name = _("examenvak")
        verbose_name_plural = _("examenvakken")
        constraints = [models.UniqueConstraint(fields=["level", "subject"], name="examsubject_unique")]

    def __str__(self) -> str:
        return f"{self.level} {self.subject}"


class CentralExamResult(AppendOnlyModel):
    """A candidate's central exam grade (CE) in a subject: the first sitting or the resit. Append-only: a correction
    is a new row with version + 1 and a reason; the row with the highest version per attempt is the current one.
    Of the two attempts, the highest counts (`grades.exam.central_exam_grade`)."""

    class Attempt(models.IntegerChoices):
        FIRST = 1, _("eerste tijdvak")
        RESIT = 2, _("herkansing")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="central_exam_results")
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(_("poging"), choices=Attempt.choices)
    version = models.PositiveIntegerField(_("version"))
    value = models.DecimalField(
        _("cijfer"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("10.0"))],
    )
    entered_at = models.DateTimeField(_("ingevoerd op"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reden van de wijziging"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("centraal-examencijfer")
        verbose_name_plural = _("centraal-examencijfers")
        ordering = ["student", "subject", "attempt", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "school_year", "attempt", "version"], name="centralexamresult_unique"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=Decimal("1.0")) & Q(value__lte=Decimal("10.0")),
                name="centralexamresult_value_1_to_10",
            ),
            models.CheckConstraint(condition=Q(attempt__in=[1, 2]), name="centralexamresult_attempt_1_or_2"),
            models.CheckConstraint(condition=Q(version=1) | ~Q(reason=""), name="centralexamresult_change_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.subject} CE{self.attempt} v{self.version}: {self.value}"
