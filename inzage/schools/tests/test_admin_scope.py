"""The Django admin for school administrators: own school only, choices limited, clear validation messages."""

import datetime as dt

import pytest

from inzage.accounts.actions import school_admin_group_ensure
from inzage.people.models import GuardianRelation, Student
from inzage.schools.models import ClassMembership, Period
from inzage.testing import factories as f

pytestmark = pytest.mark.django_db

INLINE_EMPTY = {
    "guardian_relations-TOTAL_FORMS": "0",
    "guardian_relations-INITIAL_FORMS": "0",
    "guardian_relations-MIN_NUM_FORMS": "0",
    "guardian_relations-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def elsewhere():
    """Another school in the same database, with a student and a guardian."""
    school = f.SchoolFactory(name="Ander Lyceum")
    student = f.StudentFactory(school=school, first_name="Xander", last_name="Elders", student_number="990001")
    guardian = f.GuardianFactory(school=school, first_name="Yvette", last_name="Elders")
    return school, student, guardian


def student_form(**overrides) -> dict:
    data = {
        "student_number": "555555",
        "first_name": "Nieuw",
        "infix": "",
        "last_name": "Leerling",
        "date_of_birth": "2012-04-01",
        "start_date": "2025-08-25",
        "leave_date": "",
        **INLINE_EMPTY,
    }
    data.update(overrides)
    return data


class TestOwnSchoolOnly:
    def test_the_list_shows_own_students_only(self, school_admin, client, personas, elsewhere) -> None:
        response = client.get("/beheer/people/student/")
        assert response.status_code == 200
        assert personas.student.last_name in response.text
        assert "Elders" not in response.text

    def test_another_schools_student_looks_not_found(self, school_admin, client, elsewhere) -> None:
        response = client.get(f"/beheer/people/student/{elsewhere[1].pk}/change/")
        assert response.status_code == 302  # the admin's "does not exist" redirect to its index
        assert response.url == "/beheer/"

    def test_the_list_of_schools_holds_only_their_own(self, school_admin, client, personas, elsewhere) -> None:
        response = client.get("/beheer/schools/school/")
        assert personas.school.name in response.text
        assert "Ander Lyceum" not in response.text
        assert client.get("/beheer/schools/school/add/").status_code == 403

    def test_an_admin_account_without_a_school_sees_nothing(self, client, personas) -> None:
        user = f.UserFactory(school=None, is_staff=True)
        user.groups.add(school_admin_group_ensure())
        client.force_login(user)
        response = client.get("/beheer/people/student/")
        assert response.status_code == 200
        assert personas.student.last_name not in response.text

    def test_a_superuser_sees_every_school(self, client, personas, elsewhere) -> None:
        client.force_login(f.UserFactory(school=None, is_staff=True, is_superuser=True))
        response = client.get("/beheer/people/student/")
        assert personas.student.last_name in response.text and "Elders" in response.text

    def test_the_list_does_not_query_per_row(self, school_admin, client, personas, django_assert_max_num_queries):
        for _ in range(20):
            f.ClassMembershipFactory(school_class=personas.klas, student__school=personas.school)
        with django_assert_max_num_queries(12):
            assert client.get("/beheer/schools/classmembership/").status_code == 200


class TestWrites:
    def test_a_new_student_gets_the_admins_school(self, school_admin, client, personas) -> None:
        response = client.post("/beheer/people/student/add/", student_form())
        assert response.status_code == 302, response.text
        assert Student.objects.get(student_number="555555").school == personas.school

    def test_the_school_cannot_be_switched_by_posting_it(self, school_admin, client, personas, elsewhere) -> None:
        response = client.post("/beheer/people/student/add/", student_form(school=str(elsewhere[0].pk)))
        assert response.status_code == 302
        assert Student.objects.get(student_number="555555").school == personas.school

    def test_a_student_number_twice_gives_a_clear_message(self, school_admin, client, personas) -> None:
        response = client.post(
            "/beheer/people/student/add/", student_form(student_number=personas.student.student_number)
        )
        assert response.status_code == 200
        assert "bestaat al" in response.text or "already exists" in response.text

    def test_start_before_birth_gives_a_clear_message(self, school_admin, client) -> None:
        response = client.post("/beheer/people/student/add/", student_form(start_date="2010-01-01"))
        assert response.status_code == 200
        assert "De startdatum moet na de geboortedatum liggen." in response.text

    def test_a_membership_cannot_use_another_schools_student(self, school_admin, client, personas, elsewhere):
        response = client.post(
            "/beheer/schools/classmembership/add/",
            {"school_year": personas.year.pk, "school_class": personas.klas.pk, "student": elsewhere[1].pk},
        )
        assert response.status_code == 200
        assert not ClassMembership.objects.filter(student=elsewhere[1]).exists()

    def test_a_guardian_of_another_school_cannot_be_linked_inline(self, school_admin, client, personas, elsewhere):
        student = personas.other_student
        data = student_form(
            student_number=student.student_number,
            first_name=student.first_name,
            last_name=student.last_name,
            date_of_birth=str(student.date_of_birth),
            start_date=str(student.start_date),
        )
        data.update(
            {
                "guardian_relations-TOTAL_FORMS": "1",
                "guardian_relations-0-guardian": str(elsewhere[2].pk),
                "guardian_relations-0-student": str(student.pk),
                "guardian_relations-0-custody": GuardianRelation.Custody.WITH_GEZAG,
                "guardian_relations-0-lives_with_student": "on",
                "guardian_relations-0-preferred_channel": "app",
            }
        )
        response = client.post(f"/beheer/people/student/{student.pk}/change/", data)
        assert response.status_code == 200
        assert not GuardianRelation.objects.filter(guardian=elsewhere[2]).exists()

    def test_an_inline_relation_takes_the_school_of_its_student(self, school_admin, client, personas):
        student = personas.other_student
        guardian = f.GuardianFactory(school=personas.school, first_name="Wim", last_name="Bakker")
        data = student_form(
            student_number=student.student_number,
            first_name=student.first_name,
            last_name=student.last_name,
            date_of_birth=str(student.date_of_birth),
            start_date=str(student.start_date),
        )
        existing = list(student.guardian_relations.all())
        data.update({"guardian_relations-INITIAL_FORMS": str(len(existing))})
        for i, relation in enumerate(existing):
            data.update(
                {
                    f"guardian_relations-{i}-id": str(relation.pk),
                    f"guardian_relations-{i}-guardian": str(relation.guardian_id),
                    f"guardian_relations-{i}-student": str(student.pk),
                    f"guardian_relations-{i}-custody": relation.custody,
                    f"guardian_relations-{i}-preferred_channel": relation.preferred_channel,
                }
            )
        n = len(existing)
        data.update(
            {
                "guardian_relations-TOTAL_FORMS": str(n + 1),
                f"guardian_relations-{n}-guardian": str(guardian.pk),
                f"guardian_relations-{n}-student": str(student.pk),
                f"guardian_relations-{n}-custody": GuardianRelation.Custody.CARER,
                f"guardian_relations-{n}-preferred_channel": "app",
            }
        )
        response = client.post(f"/beheer/people/student/{student.pk}/change/", data)
        assert response.status_code == 302, response.text
        assert GuardianRelation.objects.get(guardian=guardian).school == personas.school

    def test_a_period_outside_its_school_year_gives_a_clear_message(self, school_admin, client, personas):
        response = client.post(
            "/beheer/schools/period/add/",
            {
                "school_year": personas.year.pk,
                "number": "5",
                "name": "Zomer",
                "start": "2026-07-20",
                "end": "2026-08-01",
            },
        )
        assert response.status_code == 200
        assert "Een periode moet binnen het schooljaar liggen" in response.text
        assert not Period.objects.filter(number=5).exists()


class TestAccounts:
    def test_a_school_admin_cannot_make_a_superuser(self, school_admin, client, personas) -> None:
        target = personas.user("teacher")
        response = client.post(
            f"/beheer/accounts/user/{target.pk}/change/",
            {
                "username": target.username,
                "first_name": "",
                "last_name": "",
                "email": "",
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "preferred_language": "nl",
            },
        )
        assert response.status_code == 302, response.text
        target.refresh_from_db()
        assert target.is_staff and not target.is_superuser

    def test_accounts_of_another_school_are_not_listed(self, school_admin, client, elsewhere) -> None:
        response = client.get("/beheer/accounts/user/")
        assert elsewhere[1].user.username not in response.text


def test_a_class_membership_in_another_year_is_refused_by_clean(personas) -> None:
    other_year = f.SchoolYearFactory(
        school=personas.school, name="2026-2027", start=dt.date(2026, 8, 31), end=dt.date(2027, 7, 16)
    )
    membership = ClassMembership(
        school=personas.school, school_year=other_year, school_class=personas.klas, student=personas.other_student
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="ander schooljaar"):
        membership.full_clean()


def test_a_new_account_gets_the_admins_school(school_admin, client, personas) -> None:
    response = client.post(
        "/beheer/accounts/user/add/",
        {
            "username": "nieuwe-docent",
            "usable_password": "true",
            "password1": "Lang-genoeg-2026",
            "password2": "Lang-genoeg-2026",
        },
    )
    assert response.status_code == 302, response.text
    from inzage.accounts.models import User

    assert User.objects.get(username="nieuwe-docent").school == personas.school
