import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inzage.people.models import CourtRestriction, GuardianRelation
from inzage.testing import factories as f


@pytest.mark.django_db
class TestStudentConstraints:
    def test_a_student_number_cannot_occur_twice_in_a_school(self) -> None:
        school = f.SchoolFactory()
        f.StudentFactory(school=school, student_number="123456")
        with pytest.raises(IntegrityError), transaction.atomic():
            f.StudentFactory(school=school, student_number="123456")

    def test_the_same_student_number_may_exist_at_another_school(self) -> None:
        f.StudentFactory(student_number="123456")
        other = f.StudentFactory(student_number="123456")
        assert other.pk is not None

    def test_leave_date_before_start_date_is_refused(self) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            f.StudentFactory(start_date=dt.date(2024, 8, 20), leave_date=dt.date(2024, 8, 1))


@pytest.mark.django_db
class TestGuardianRelationConstraints:
    def test_a_relation_without_custody_type_is_refused(self) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            f.GuardianRelationFactory(custody="")

    def test_an_unknown_custody_type_is_refused(self) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            f.GuardianRelationFactory(custody="grandparent")

    def test_one_relation_per_guardian_student_pair(self) -> None:
        relation = f.GuardianRelationFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            f.GuardianRelationFactory(
                student=relation.student, guardian=relation.guardian, custody=GuardianRelation.Custody.CARER
            )

    def test_custody_is_recorded_per_pair(self) -> None:
        """Two children, one parent: gezag over one, not over the other."""
        parent = f.GuardianFactory()
        a = f.GuardianRelationFactory(guardian=parent, student=f.StudentFactory(school=parent.school))
        b = f.GuardianRelationFactory(
            guardian=parent,
            student=f.StudentFactory(school=parent.school),
            custody=GuardianRelation.Custody.WITHOUT_GEZAG,
        )
        assert a.has_gezag and not b.has_gezag

    def test_court_restriction_needs_known_kinds(self) -> None:
        relation = f.GuardianRelationFactory()
        restriction = CourtRestriction(
            school=relation.school,
            relation=relation,
            ordered_on=dt.date(2025, 1, 1),
            effective_from=dt.date(2025, 1, 1),
            kinds=["grades", "shoe-size"],
        )
        with pytest.raises(ValidationError, match="shoe-size"):
            restriction.full_clean()
