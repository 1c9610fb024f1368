"""People: staff with their roles, students, guardians and carers, and the relation per guardian–student pair."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inzage.schools.models import School, check_same_school
from inzage.visibility.kinds import ALL_KINDS


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date; a person turns N on their birthday (29 February: on 1 March in other years)."""
    years = on.year - date_of_birth.year
    try:
        birthday_this_year = date_of_birth.replace(year=on.year)
    except ValueError:  # born on 29 February, and `on` is not in a leap year
        birthday_this_year = dt.date(on.year, 3, 1)
    if on < birthday_this_year:
        years -= 1
    return years


class PersonName(models.Model):
    """Dutch name parts: first name, infix (tussenvoegsel) and last name."""

    first_name = models.CharField(_("first name"), max_length=100)
    infix = models.CharField(_("infix"), max_length=20, blank=True, help_text=_("van, de, van der, ..."))
    last_name = models.CharField(_("last name"), max_length=100)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.infix, self.last_name) if part)

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name} {self.infix}".strip()

    def __str__(self) -> str:
        return self.full_name


class Staff(PersonName):
    """A staff member (teacher, mentor, coordinator, care staff, attendance officer, administrator)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    code = models.CharField(_("code"), max_length=8, help_text=_("Short code used on timetables, e.g. JNS."))
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["school", "last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="staff_unique_code")]

    def clean(self) -> None:
        check_same_school(self, "user")


class StaffRole(models.Model):
    """A role a staff member holds, optionally limited to a level and/or year (e.g. coordinator of havo 4–5).

    Teaching and mentoring of specific groups follow from `TeachingGroup.teachers` and `SchoolClass.mentors`;
    the roles `teacher` and `mentor` here say the person works as one.
    """

    class Role(models.TextChoices):
        TEACHER = "teacher", _("docent")
        MENTOR = "mentor", _("mentor")
        COORDINATOR = "coordinator", _("coördinator")
        CARE_COORDINATOR = "care_coordinator", _("zorgcoördinator")
        ATTENDANCE_OFFICER = "attendance_officer", _("verzuimcoördinator")
        EXAM_SECRETARY = "exam_secretary", _("examensecretaris")
        ADMINISTRATOR = "administrator", _("beheerder")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    level = models.ForeignKey("schools.Level", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["staff", "role", "level", "year"], name="staffrole_unique"),
            models.CheckConstraint(
                condition=Q(
                    role__in=[
                        "teacher",
                        "mentor",
                        "coordinator",
                        "care_coordinator",
                        "attendance_officer",
                        "exam_secretary",
                        "administrator",
                    ]
                ),
                name="staffrole_known_role",
            ),
        ]

    def clean(self) -> None:
        check_same_school(self, "staff", "level")
        if self.year is not None and not 1 <= self.year <= 6:
            raise ValidationError(_("A year is 1 to 6."))
        level = self.level if self.level_id else None
        if level is not None and self.year and self.year > level.years:
            raise ValidationError(_("%(level)s has only %(n)s years.") % {"level": level, "n": level.years})

    def __str__(self) -> str:
        scope = " ".join(str(x) for x in (self.level, self.year) if x)
        return f"{self.staff}: {self.get_role_display()}{' ' + scope if scope else ''}"


class Student(PersonName):
    """A student (leerling). Age on any date follows from the date of birth."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="student"
    )
    student_number = models.CharField(_("student number"), max_length=20)
    date_of_birth = models.DateField(_("date of birth"))
    start_date = models.DateField(_("start date"))
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    has_starting_qualification = models.BooleanField(_("has a starting qualification"), default=False)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["school", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "student_number"], name="student_unique_number_per_school"),
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=F("start_date")),
                name="student_leave_not_before_start",
            ),
            models.CheckConstraint(condition=Q(start_date__gt=F("date_of_birth")), name="student_born_before_start"),
        ]

    def clean(self) -> None:
        check_same_school(self, "user")
        if self.date_of_birth and self.start_date and self.start_date <= self.date_of_birth:
            raise ValidationError(_("The start date must lie after the date of birth."))
        if self.start_date and self.leave_date and self.leave_date < self.start_date:
            raise ValidationError(_("The leave date cannot lie before the start date."))

    def age_on(self, on: dt.date) -> int:
        """Age in whole years on the given date."""
        return age_on(self.date_of_birth, on)

    def is_enrolled_on(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.leave_date is None or on <= self.leave_date)


class Guardian(PersonName):
    """A parent, carer or guardian institution's contact person. Their relation to each student is a GuardianRelation."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guardians")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="guardian"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.TextField(_("address"), blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["school", "last_name", "first_name"]

    def clean(self) -> None:
        check_same_school(self, "user")


class GuardianRelation(models.Model):
    """The relation between one guardian and one student: custody (gezag), household, contact preferences.

    Recorded per pair because custody is: after a divorce one parent may have gezag and the other not.
    """

    class Custody(models.TextChoices):
        WITH_GEZAG = "with_gezag", _("ouder met gezag")
        WITHOUT_GEZAG = "without_gezag", _("ouder zonder gezag")
        GUARDIAN_INSTITUTION = "guardian_institution", _("voogd (instelling)")
        CARER = "carer", _("verzorger (feitelijk)")

    class Channel(models.TextChoices):
        APP = "app", _("app en portaal")
        EMAIL = "email", _("e-mail")
        POST = "post", _("post")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="relations")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_relations")
    custody = models.CharField(_("custody"), max_length=24, choices=Custody.choices)
    lives_with_student = models.BooleanField(_("lives with the student"), default=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=Channel.choices, default=Channel.APP
    )
    receives_mail = models.BooleanField(_("receives school mail"), default=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until (inclusive)"), null=True, blank=True)

    class Meta:
        verbose_name = _("guardian relation")
        verbose_name_plural = _("guardian relations")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianrelation_one_per_pair"),
            models.CheckConstraint(
                condition=Q(custody__in=["with_gezag", "without_gezag", "guardian_institution", "carer"]),
                name="guardianrelation_has_custody_type",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="guardianrelation_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} – {self.student} ({self.get_custody_display()})"

    @property
    def has_gezag(self) -> bool:
        return self.custody in (self.Custody.WITH_GEZAG, self.Custody.GUARDIAN_INSTITUTION)

    def is_current_on(self, on: dt.date) -> bool:
        return (self.start_date is None or self.start_date <= on) and (self.end_date is None or on <= self.end_date)

    def clean(self) -> None:
        if self.guardian_id and self.student_id and self.guardian.school_id != self.student.school_id:
            raise ValidationError(_("Guardian and student belong to different schools."))
        check_same_school(self, "guardian", "student")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(_("The relation cannot end before it starts."))


def _validate_kinds(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one data kind."))
    unknown = [k for k in value if k not in ALL_KINDS]
    if unknown:
        raise ValidationError(
            _("Unknown data kind(s): %(k)s. Known: %(all)s.")
            % {"k": ", ".join(map(str, unknown)), "all": ", ".join(sorted(ALL_KINDS))}
        )


class CourtRestriction(models.Model):
    """A court order restricting what a guardian may receive about a student, from a date, for some data kinds."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relation = models.ForeignKey(GuardianRelation, on_delete=models.CASCADE, related_name="court_restrictions")
    ordered_on = models.DateField(_("date of the order"))
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until (inclusive)"), null=True, blank=True)
    kinds = models.JSONField(_("data kinds covered"), validators=[_validate_kinds])
    reference = models.CharField(_("court reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("court restriction")
        verbose_name_plural = _("court restrictions")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=F("effective_from")),
                name="courtrestriction_until_not_before_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relation}: {', '.join(self.kinds)} ({self.ordered_on})"

    def clean(self) -> None:
        check_same_school(self, "relation")
        if self.effective_from and self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError(_("The restriction cannot end before it takes effect."))
