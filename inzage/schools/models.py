"""The school's organisation and calendar: school years, periods, named date ranges, levels, classes, groups.

Every row carries its school (directly), so that one database can hold many schools and a national host can
distribute tables by `school_id`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def check_same_school(instance: models.Model, *related: str) -> None:
    """Refuse a row that links to another school's rows: every related row must belong to the row's own school.

    Raises one clear message per offending link (as non-field errors, so admin inlines can show them too).
    """
    school_id = getattr(instance, "school_id", None)
    if school_id is None:
        return
    problems = []
    for name in related:
        if getattr(instance, f"{name}_id", None) is None:
            continue
        other = getattr(instance, name)
        other_school_id = other.pk if isinstance(other, School) else other.school_id
        if other_school_id != school_id:
            label = getattr(instance._meta.get_field(name), "verbose_name", name)
            problems.append(
                _("%(field)s “%(value)s” belongs to another school.")
                % {"field": str(label).capitalize(), "value": other}
            )
    if problems:
        raise ValidationError(problems)


class School(models.Model):
    """A school location (vestiging) with its own calendar, policy and people."""

    class Region(models.TextChoices):
        NORTH = "north", _("Noord")
        MIDDLE = "middle", _("Midden")
        SOUTH = "south", _("Zuid")

    name = models.CharField(_("name"), max_length=200)
    brin = models.CharField(_("BRIN code"), max_length=8, unique=True, help_text=_("For example 12AB00."))
    region = models.CharField(_("holiday region"), max_length=8, choices=Region.choices, default=Region.MIDDLE)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class SchoolYear(models.Model):
    """A school year, e.g. 2025–2026, from its first to its last day (both inclusive)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="school_years")
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 2025-2026."))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start"], name="schoolyear_unique_start"),
            models.UniqueConstraint(fields=["school", "name"], name="schoolyear_unique_name"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="schoolyear_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError(_("The last day of a school year must lie after its first day."))


class Period(models.Model):
    """A period of the school year (usually four), ending in a period report."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=40)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="period_unique_number"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_end_not_before_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year})"

    def clean(self) -> None:
        check_same_school(self, "school_year")
        year = self.school_year if self.school_year_id else None
        if self.start and self.end and self.end < self.start:
            raise ValidationError(_("The last day of a period cannot lie before its first day."))
        if year and self.start and self.end and (self.start < year.start or self.end > year.end):
            raise ValidationError(
                _("A period must lie within its school year (%(s)s – %(e)s).") % {"s": year.start, "e": year.end}
            )


class CalendarRange(models.Model):
    """A named date range on the school calendar: a holiday, a test week, a free day, or anything else.

    Dates are inclusive, as in Dutch usage ("12 t/m 24 februari"): from the start of `start` to the end of `end`
    in the school's time zone. Holidays and free days are not school days.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("vakantie")
        FREE_DAY = "free_day", _("vrije dag")
        TEST_WEEK = "test_week", _("toetsweek")
        OTHER = "other", _("overig")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="calendar_ranges")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(
        _("code"), max_length=50, help_text=_("Stable name used by the policy file, e.g. toetsweek-2.")
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day (inclusive)"))

    class Meta:
        verbose_name = _("calendar range")
        verbose_name_plural = _("calendar ranges")
        ordering = ["school_year", "start"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "code"], name="calendarrange_unique_code"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="calendarrange_end_not_before_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%d-%m-%Y} t/m {self.end:%d-%m-%Y})"

    def clean(self) -> None:
        check_same_school(self, "school_year")
        if self.start and self.end and self.end < self.start:
            raise ValidationError(_("The last day cannot lie before the first day (both days are included)."))
        year = self.school_year if self.school_year_id else None
        if year and self.start and not (year.start <= self.start <= year.end):
            raise ValidationError(
                _("The range must start within its school year (%(s)s – %(e)s).")
                % {"s": f"{year.start:%d-%m-%Y}", "e": f"{year.end:%d-%m-%Y}"}
            )


class Level(models.Model):
    """An education level: vmbo-b, vmbo-k, vmbo-g, vmbo-t, havo or vwo."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("code"), max_length=16, help_text=_("vmbo-b, vmbo-k, vmbo-g, vmbo-t, havo, vwo"))
    name = models.CharField(_("name"), max_length=50)
    years = models.PositiveSmallIntegerField(_("number of years"), help_text=_("vmbo 4, havo 5, vwo 6"))

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["school", "years", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="level_unique_code"),
            models.CheckConstraint(condition=Q(years__gte=1) & Q(years__lte=6), name="level_years_1_to_6"),
        ]

    def __str__(self) -> str:
        return self.name


class YearGroup(models.Model):
    """A year of a level in a school year (leerjaar), e.g. havo 3 in 2025–2026."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="year_groups")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="year_groups")
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("year group")
        verbose_name_plural = _("year groups")
        ordering = ["school_year", "year", "level"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "level", "year"], name="yeargroup_unique"),
            models.CheckConstraint(condition=Q(year__gte=1) & Q(year__lte=6), name="yeargroup_year_1_to_6"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.year}"

    def clean(self) -> None:
        check_same_school(self, "school_year", "level")
        if self.level_id and self.year and self.year > self.level.years:
            raise ValidationError(
                {"year": _("%(level)s has only %(n)s years.") % {"level": self.level, "n": self.level.years}}
            )


class Subject(models.Model):
    """A school subject (vak), e.g. ne (Nederlands), wi (wiskunde)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects")
    code = models.SlugField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="subject_unique_code")]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """A class (klas) in a year group, with its mentors, e.g. H3B."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="classes")
    year_group = models.ForeignKey(YearGroup, on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(_("name"), max_length=20)
    mentors = models.ManyToManyField(
        "people.Staff", blank=True, related_name="mentor_classes", verbose_name=_("mentors")
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school_year", "name"]
        constraints = [models.UniqueConstraint(fields=["school_year", "name"], name="schoolclass_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_same_school(self, "school_year", "year_group")
        if self.year_group_id and self.school_year_id and self.year_group.school_year_id != self.school_year_id:
            raise ValidationError(_("The year group belongs to another school year than the class."))


class ClassMembership(models.Model):
    """A student's place in a class for one school year (one class per student per school year)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="class_memberships")

    class Meta:
        verbose_name = _("class membership")
        verbose_name_plural = _("class memberships")
        constraints = [
            models.UniqueConstraint(fields=["student", "school_year"], name="classmembership_one_class_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.school_class}"

    def clean(self) -> None:
        check_same_school(self, "school_year", "school_class", "student")
        if self.school_class_id and self.school_year_id and self.school_class.school_year_id != self.school_year_id:
            raise ValidationError(_("The class belongs to another school year than the membership."))


class TeachingGroup(models.Model):
    """A teaching group (lesgroep/cluster) for one subject: who is taught by whom, e.g. h3-ne1 or a cluster in 5 vwo."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="teaching_groups")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="teaching_groups")
    year_group = models.ForeignKey(
        YearGroup, on_delete=models.PROTECT, related_name="teaching_groups", null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=30)
    teachers = models.ManyToManyField(
        "people.Staff", blank=True, related_name="teaching_groups", verbose_name=_("teachers")
    )
    students = models.ManyToManyField(
        "people.Student", blank=True, related_name="teaching_groups", verbose_name=_("students")
    )

    class Meta:
        verbose_name = _("teaching group")
        verbose_name_plural = _("teaching groups")
        ordering = ["school_year", "name"]
        constraints = [models.UniqueConstraint(fields=["school_year", "name"], name="teachinggroup_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_same_school(self, "school_year", "subject", "year_group")
        year_group = self.year_group if self.year_group_id else None
        if year_group is not None and self.school_year_id and year_group.school_year_id != self.school_year_id:
            raise ValidationError(_("The year group belongs to another school year than the teaching group."))
