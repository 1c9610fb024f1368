"""The personas every endpoint is tested with (house style: student, own parent, other parent, parent without
custody, mentor, teacher of the student's group, teacher of another class, administrator).

`build_personas()` makes one small school in the 2025–2026 calendar with two students in two classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inzage.accounts.models import User
from inzage.people.models import Guardian, GuardianRelation, Staff, StaffRole, Student
from inzage.schools.models import Period, School, SchoolClass, SchoolYear, Subject, TeachingGroup
from inzage.testing import factories as f


@dataclass
class Personas:
    school: School
    year: SchoolYear
    periods: list[Period]
    subject: Subject
    klas: SchoolClass
    other_klas: SchoolClass
    group: TeachingGroup
    other_group: TeachingGroup
    student: Student
    other_student: Student
    parent: Guardian
    parent_relation: GuardianRelation
    other_parent: Guardian
    parent_without_custody: Guardian
    no_custody_relation: GuardianRelation
    mentor: Staff
    teacher: Staff
    other_teacher: Staff
    admin: Staff

    def user(self, name: str) -> User:
        """The account of a persona by attribute name, e.g. `personas.user("parent")`."""
        person = getattr(self, name)
        assert person.user is not None
        return person.user

    PERSONA_NAMES = (
        "student",
        "parent",
        "other_parent",
        "parent_without_custody",
        "mentor",
        "teacher",
        "other_teacher",
        "admin",
    )


PERIOD_DATES = [
    (dt.date(2025, 8, 25), dt.date(2025, 11, 7)),
    (dt.date(2025, 11, 10), dt.date(2026, 1, 30)),
    (dt.date(2026, 2, 2), dt.date(2026, 4, 17)),
    (dt.date(2026, 4, 20), dt.date(2026, 7, 17)),
]


def build_personas() -> Personas:
    school = f.SchoolFactory(name="Persona College")
    year = f.SchoolYearFactory(school=school)
    periods = [
        f.PeriodFactory(school_year=year, number=i + 1, start=start, end=end)
        for i, (start, end) in enumerate(PERIOD_DATES)
    ]
    yg = f.YearGroupFactory(school_year=year)
    klas = f.SchoolClassFactory(year_group=yg, name="H3A")
    other_klas = f.SchoolClassFactory(year_group=yg, name="H3B")
    subject = f.SubjectFactory(school=school, code="wi", name="wiskunde")

    mentor = f.StaffFactory(school=school, first_name="Mirjam", last_name="Mentor", code="MEN")
    teacher = f.StaffFactory(school=school, first_name="Daan", last_name="Docent", code="DOC")
    other_teacher = f.StaffFactory(school=school, first_name="Olga", last_name="Anders", code="AND")
    admin = f.StaffFactory(school=school, first_name="Bram", last_name="Beheer", code="BEH")
    f.StaffRoleFactory(staff=mentor, role=StaffRole.Role.MENTOR)
    f.StaffRoleFactory(staff=teacher, role=StaffRole.Role.TEACHER)
    f.StaffRoleFactory(staff=other_teacher, role=StaffRole.Role.TEACHER)
    f.StaffRoleFactory(staff=admin, role=StaffRole.Role.ADMINISTRATOR)
    klas.mentors.add(mentor)
    other_klas.mentors.add(other_teacher)

    student = f.StudentFactory(
        school=school, first_name="Lotte", last_name="Jansen", date_of_birth=dt.date(2011, 3, 14)
    )
    other_student = f.StudentFactory(
        school=school, first_name="Milan", last_name="Bakker", date_of_birth=dt.date(2011, 9, 2)
    )
    f.ClassMembershipFactory(school_class=klas, student=student)
    f.ClassMembershipFactory(school_class=other_klas, student=other_student)

    group = f.TeachingGroupFactory(school_year=year, subject=subject, name="h3a-wi", year_group=yg)
    group.teachers.add(teacher)
    group.students.add(student)
    other_group = f.TeachingGroupFactory(school_year=year, subject=subject, name="h3b-wi", year_group=yg)
    other_group.teachers.add(other_teacher)
    other_group.students.add(other_student)

    parent = f.GuardianFactory(school=school, first_name="Sanne", last_name="Jansen")
    parent_relation = f.GuardianRelationFactory(student=student, guardian=parent)
    other_parent = f.GuardianFactory(school=school, first_name="Peter", last_name="Bakker")
    f.GuardianRelationFactory(student=other_student, guardian=other_parent)
    parent_without_custody = f.GuardianFactory(school=school, first_name="Kees", last_name="de Vries")
    no_custody_relation = f.GuardianRelationFactory(
        student=student,
        guardian=parent_without_custody,
        custody=GuardianRelation.Custody.WITHOUT_GEZAG,
        lives_with_student=False,
    )
    return Personas(
        school=school,
        year=year,
        periods=periods,
        subject=subject,
        klas=klas,
        other_klas=other_klas,
        group=group,
        other_group=other_group,
        student=student,
        other_student=other_student,
        parent=parent,
        parent_relation=parent_relation,
        other_parent=other_parent,
        parent_without_custody=parent_without_custody,
        no_custody_relation=no_custody_relation,
        mentor=mentor,
        teacher=teacher,
        other_teacher=other_teacher,
        admin=admin,
    )


@dataclass
class RolePersonas:
    """The staff roles beyond the house-style set: a coordinator over the personas' year (havo 3), a coordinator of
    another year, a care coordinator and an attendance officer. Added on top of `build_personas()` so existing
    tests keep their school unchanged."""

    coordinator: Staff
    other_coordinator: Staff
    care_coordinator: Staff
    attendance_officer: Staff

    ROLE_NAMES = ("coordinator", "other_coordinator", "care_coordinator", "attendance_officer")


def add_role_personas(p: Personas) -> RolePersonas:
    """Add the other staff roles to a personas school (see `RolePersonas`)."""
    level = p.klas.year_group.level
    coordinator = f.StaffFactory(school=p.school, first_name="Carla", last_name="Coördinator", code="COO")
    f.StaffRoleFactory(staff=coordinator, role=StaffRole.Role.COORDINATOR, level=level, year=p.klas.year_group.year)
    other_coordinator = f.StaffFactory(school=p.school, first_name="Otto", last_name="Onderbouw", code="OND")
    f.StaffRoleFactory(staff=other_coordinator, role=StaffRole.Role.COORDINATOR, level=level, year=1)
    care = f.StaffFactory(school=p.school, first_name="Zoë", last_name="Zorg", code="ZRG")
    f.StaffRoleFactory(staff=care, role=StaffRole.Role.CARE_COORDINATOR)
    attendance = f.StaffFactory(school=p.school, first_name="Victor", last_name="Verzuim", code="VZM")
    f.StaffRoleFactory(staff=attendance, role=StaffRole.Role.ATTENDANCE_OFFICER)
    return RolePersonas(
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        care_coordinator=care,
        attendance_officer=attendance,
    )
