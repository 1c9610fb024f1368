"""Model checks with clear messages (shown by forms and the Django admin)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from inzage.people.models import CourtRestriction, GuardianRelation, StaffRole
from inzage.testing import factories as f

pytestmark = pytest.mark.django_db


def test_guardian_and_student_of_different_schools_are_refused() -> None:
    student = f.StudentFactory()
    guardian = f.GuardianFactory()  # another school
    relation = GuardianRelation(
        school=student.school, guardian=guardian, student=student, custody=GuardianRelation.Custody.WITH_GEZAG
    )
    with pytest.raises(ValidationError, match="verschillende scholen"):
        relation.full_clean()


def test_a_relation_ending_before_it_starts_is_refused() -> None:
    relation = f.GuardianRelationFactory.build(
        student=f.StudentFactory(), start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 8, 1)
    )
    relation.guardian = f.GuardianFactory(school=relation.student.school)
    relation.school = relation.student.school
    with pytest.raises(ValidationError, match="kan niet eindigen voordat ze begint"):
        relation.full_clean()


def test_a_court_restriction_on_another_schools_relation_is_refused() -> None:
    relation = f.GuardianRelationFactory()
    restriction = CourtRestriction(
        school=f.SchoolFactory(),
        relation=relation,
        ordered_on=dt.date(2025, 1, 1),
        effective_from=dt.date(2025, 1, 1),
        kinds=["grades"],
    )
    with pytest.raises(ValidationError, match="hoort bij een andere school"):
        restriction.full_clean()


def test_a_staff_role_scoped_beyond_the_levels_years_is_refused() -> None:
    staff = f.StaffFactory()
    level = f.LevelFactory(school=staff.school, code="vmbo-t", name="vmbo-t", years=4)
    role = StaffRole(school=staff.school, staff=staff, role=StaffRole.Role.COORDINATOR, level=level, year=5)
    with pytest.raises(ValidationError, match="heeft maar 4 leerjaren"):
        role.full_clean()


def test_a_student_starting_before_birth_is_refused() -> None:
    student = f.StudentFactory.build(school=f.SchoolFactory(), user=None, start_date=dt.date(2010, 1, 1))
    with pytest.raises(ValidationError, match="startdatum moet na de geboortedatum liggen"):
        student.full_clean()


def test_a_consistent_relation_passes() -> None:
    relation = f.GuardianRelationFactory()
    relation.full_clean()
