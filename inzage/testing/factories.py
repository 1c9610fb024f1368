"""factory_boy factories for the core data. Small and explicit: tests say what matters to them."""

from __future__ import annotations

import datetime as dt

import factory

from inzage.accounts.models import User
from inzage.people.models import Guardian, GuardianRelation, Staff, StaffRole, Student
from inzage.schools.models import (
    CalendarRange,
    ClassMembership,
    Level,
    Period,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingGroup,
    YearGroup,
)

PASSWORD = "inzage-test"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Testcollege {n}")
    brin = factory.Sequence(lambda n: f"{n:02d}TS00")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    school = factory.SubFactory(SchoolFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolYear

    school = factory.SubFactory(SchoolFactory)
    name = "2025-2026"
    start = dt.date(2025, 8, 25)
    end = dt.date(2026, 7, 17)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    school_year = factory.SubFactory(SchoolYearFactory)
    school = factory.SelfAttribute("school_year.school")
    number = 1
    name = factory.LazyAttribute(lambda o: f"Periode {o.number}")
    start = factory.SelfAttribute("school_year.start")
    end = factory.SelfAttribute("school_year.end")


class CalendarRangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarRange

    school_year = factory.SubFactory(SchoolYearFactory)
    school = factory.SelfAttribute("school_year.school")
    kind = CalendarRange.Kind.TEST_WEEK
    name = factory.Sequence(lambda n: f"Toetsweek {n}")
    code = factory.Sequence(lambda n: f"range-{n}")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ("school", "code")

    school = factory.SubFactory(SchoolFactory)
    code = "havo"
    name = "havo"
    years = 5


class YearGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearGroup

    school_year = factory.SubFactory(SchoolYearFactory)
    school = factory.SelfAttribute("school_year.school")
    level = factory.SubFactory(LevelFactory, school=factory.SelfAttribute("..school"))
    year = 3


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("school", "code")

    school = factory.SubFactory(SchoolFactory)
    code = "wi"
    name = "wiskunde"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    first_name = "Anne"
    last_name = factory.Sequence(lambda n: f"Docent{n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    staff = factory.SubFactory(StaffFactory)
    school = factory.SelfAttribute("staff.school")
    role = StaffRole.Role.TEACHER


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    student_number = factory.Sequence(lambda n: f"{100000 + n}")
    first_name = "Sem"
    last_name = factory.Sequence(lambda n: f"Leerling{n}")
    date_of_birth = dt.date(2011, 5, 10)
    start_date = dt.date(2023, 8, 21)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    first_name = "Eva"
    last_name = factory.Sequence(lambda n: f"Ouder{n}")


class GuardianRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardianRelation

    student = factory.SubFactory(StudentFactory)
    school = factory.SelfAttribute("student.school")
    guardian = factory.SubFactory(GuardianFactory, school=factory.SelfAttribute("..school"))
    custody = GuardianRelation.Custody.WITH_GEZAG


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    year_group = factory.SubFactory(YearGroupFactory)
    school = factory.SelfAttribute("year_group.school")
    school_year = factory.SelfAttribute("year_group.school_year")
    name = factory.Sequence(lambda n: f"H3{chr(65 + n % 26)}{n}")


class ClassMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassMembership

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    school_year = factory.SelfAttribute("school_class.school_year")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))


class TeachingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingGroup

    school_year = factory.SubFactory(SchoolYearFactory)
    school = factory.SelfAttribute("school_year.school")
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    name = factory.Sequence(lambda n: f"h3-wi{n}")
