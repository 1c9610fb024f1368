import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from inzage.accounts.actions import SCHOOL_ADMIN_GROUP
from inzage.accounts.models import User
from inzage.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES
from inzage.demo.seed import demo_school_create
from inzage.demo.tests import fake_extension
from inzage.demo.tests.conftest import SMALL, TODAY, YEAR
from inzage.people.models import CourtRestriction, Guardian, GuardianRelation, Staff, StaffRole, Student
from inzage.schools.models import CalendarRange, ClassMembership, Period, School, SchoolClass, TeachingGroup, YearGroup

Custody = GuardianRelation.Custody


def snapshot() -> dict:
    """The demo data by natural keys (no database ids), to compare two seeds."""
    return {
        "periods": list(Period.objects.order_by("number").values_list("number", "name", "start", "end")),
        "ranges": list(CalendarRange.objects.order_by("code").values_list("code", "kind", "name", "start", "end")),
        "students": list(
            Student.objects.order_by("student_number").values_list(
                "student_number", "first_name", "infix", "last_name", "date_of_birth", "start_date", "user__username"
            )
        ),
        "memberships": sorted(ClassMembership.objects.values_list("student__student_number", "school_class__name")),
        "guardians": sorted(
            Guardian.objects.values_list(
                "user__username", "first_name", "infix", "last_name", "email", "phone", "address"
            )
        ),
        "relations": sorted(
            GuardianRelation.objects.values_list(
                "guardian__user__username", "student__student_number", "custody", "lives_with_student", "start_date"
            )
        ),
        "staff": sorted(Staff.objects.values_list("code", "first_name", "infix", "last_name", "user__username")),
        "roles": sorted(StaffRole.objects.values_list("staff__code", "role", "year")),
        "mentors": sorted(SchoolClass.objects.values_list("name", "mentors__code")),
        "group_students": sorted(
            TeachingGroup.objects.values_list("name", "subject__code", "students__student_number")
        ),
        "group_teachers": sorted(TeachingGroup.objects.values_list("name", "teachers__code")),
        "court": sorted(
            CourtRestriction.objects.values_list("relation__guardian__user__username", "kinds", "reference")
        ),
    }


def wipe() -> None:
    # Person rows protect their accounts, and accounts protect their school: delete from the leaves up.
    Student.objects.all().delete()
    Guardian.objects.all().delete()
    Staff.objects.all().delete()
    User.objects.all().delete()
    TeachingGroup.objects.all().delete()
    SchoolClass.objects.all().delete()
    YearGroup.objects.all().delete()
    School.objects.all().delete()


@pytest.mark.django_db
class TestDeterminism:
    def test_the_same_seed_and_year_give_the_same_school(self, fast_hasher) -> None:
        demo_school_create(students=SMALL, seed=3, year=YEAR, today=TODAY, extensions=[])
        first = snapshot()
        wipe()
        demo_school_create(students=SMALL, seed=3, year=YEAR, today=dt.date(2026, 3, 1), extensions=[])
        assert snapshot() == first

    def test_another_seed_gives_other_people(self, fast_hasher) -> None:
        demo_school_create(students=SMALL, seed=3, year=YEAR, today=TODAY, extensions=[])
        first = snapshot()
        wipe()
        demo_school_create(students=SMALL, seed=4, year=YEAR, today=TODAY, extensions=[])
        second = snapshot()
        assert second["ranges"] == first["ranges"]  # the calendar depends on the year only
        assert second["students"] != first["students"]


@pytest.mark.django_db
class TestShape:
    def test_it_makes_the_requested_number_of_students_each_in_one_class(self, demo) -> None:
        assert Student.objects.count() == SMALL
        assert ClassMembership.objects.count() == SMALL
        assert set(Counter(ClassMembership.objects.values_list("student", flat=True)).values()) == {1}

    def test_three_levels_over_years_one_to_six(self, demo) -> None:
        years = set(SchoolClass.objects.values_list("year_group__level__code", "year_group__year"))
        assert years == {("vmbo-t", y) for y in range(1, 5)} | {("havo", y) for y in range(1, 6)} | {
            ("vwo", y) for y in range(1, 7)
        }

    def test_every_class_has_a_mentor_and_every_group_a_teacher_and_students(self, demo) -> None:
        assert not SchoolClass.objects.filter(mentors=None).exists()
        assert not TeachingGroup.objects.filter(teachers=None).exists()
        assert not TeachingGroup.objects.filter(students=None).exists()

    def test_lower_years_are_taught_in_whole_classes_upper_years_in_clusters(self, demo) -> None:
        klas = SchoolClass.objects.get(name="H3A")
        group = TeachingGroup.objects.get(name="h3a-wi")
        class_students = set(klas.memberships.values_list("student", flat=True))
        assert set(group.students.values_list("pk", flat=True)) == class_students
        upper = TeachingGroup.objects.filter(year_group__level__code="vwo", year_group__year=5, subject__code="ne")
        assert upper.exists() and all(g.name.startswith("v5-ne") for g in upper)

    def test_families_of_every_shape_exist(self, demo) -> None:
        custody = Counter(GuardianRelation.objects.values_list("custody", flat=True))
        assert set(custody) == set(Custody.values)
        # Two parents with gezag in one household, and divorced parents with gezag in two households.
        gezag = GuardianRelation.objects.filter(custody=Custody.WITH_GEZAG).select_related("guardian")
        by_student: dict[int, list[GuardianRelation]] = {}
        for relation in gezag:
            by_student.setdefault(relation.student_id, []).append(relation)
        pairs = [rels for rels in by_student.values() if len(rels) == 2]
        assert any(a.guardian.address == b.guardian.address for a, b in pairs)
        assert any(a.guardian.address != b.guardian.address for a, b in pairs)
        assert CourtRestriction.objects.count() == 1

    def test_some_guardians_have_two_children_at_school_with_a_relation_each(self, demo) -> None:
        per_guardian = Counter(GuardianRelation.objects.values_list("guardian", flat=True))
        assert max(per_guardian.values()) >= 2
        guardian_id = next(g for g, n in per_guardian.items() if n >= 2)
        children = Student.objects.filter(guardian_relations__guardian_id=guardian_id)
        assert len({c.last_name for c in children}) == 1

    def test_students_of_sixteen_and_eighteen_exist_all_year(self, demo) -> None:
        for day in (demo.plan.start, demo.plan.end):
            ages = [s.age_on(day) for s in Student.objects.all()]
            assert any(16 <= a < 18 for a in ages)
            assert any(a >= 18 for a in ages)

    def test_everyone_has_their_own_account(self, demo) -> None:
        people = Student.objects.count() + Guardian.objects.count() + Staff.objects.count()
        assert User.objects.count() == people
        assert not Student.objects.filter(user=None).exists()
        assert not Guardian.objects.filter(user=None).exists()
        assert not Staff.objects.filter(user=None).exists()

    def test_the_calendar_of_2025_is_the_one_in_the_domain_brief(self, demo) -> None:
        ranges = {r.code: (r.start, r.end) for r in CalendarRange.objects.filter(kind=CalendarRange.Kind.HOLIDAY)}
        assert ranges["herfstvakantie"] == (dt.date(2025, 10, 18), dt.date(2025, 10, 26))
        assert ranges["kerstvakantie"] == (dt.date(2025, 12, 20), dt.date(2026, 1, 4))
        assert ranges["voorjaarsvakantie"] == (dt.date(2026, 2, 14), dt.date(2026, 2, 22))
        assert ranges["meivakantie"] == (dt.date(2026, 4, 18), dt.date(2026, 5, 3))
        assert ranges["zomervakantie"][0] == dt.date(2026, 7, 18)
        codes = set(CalendarRange.objects.filter(kind=CalendarRange.Kind.TEST_WEEK).values_list("code", flat=True))
        assert codes == {f"toetsweek-{n}" for n in range(1, 5)}
        assert Period.objects.count() == 4


@pytest.mark.django_db
class TestDemoPersonas:
    def test_all_demo_accounts_exist(self, demo) -> None:
        assert set(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)) == set(
            DEMO_USERNAMES
        )

    def test_mentor_leerling_docent_and_parents_relate_as_documented(self, demo) -> None:
        leerling = Student.objects.get(user__username="leerling")
        klas = ClassMembership.objects.get(student=leerling).school_class
        assert klas.year_group.year in (2, 3)
        assert klas.mentors.filter(user__username="mentor").exists()
        assert TeachingGroup.objects.filter(teachers__user__username="docent", students=leerling).exists()
        for day in (demo.plan.start, demo.plan.end):
            assert leerling.age_on(day) < 16
        ouder = GuardianRelation.objects.get(guardian__user__username="ouder", student=leerling)
        ouder2 = GuardianRelation.objects.get(guardian__user__username="ouder2", student=leerling)
        assert ouder.custody == ouder2.custody == Custody.WITH_GEZAG
        assert ouder.guardian.address != ouder2.guardian.address
        assert not CourtRestriction.objects.filter(relation__in=[ouder, ouder2]).exists()

    def test_the_other_personas(self, demo) -> None:
        assert GuardianRelation.objects.get(guardian__user__username="ouder-zonder-gezag").custody == (
            Custody.WITHOUT_GEZAG
        )
        for day in (demo.plan.start, demo.plan.end):
            assert 16 <= Student.objects.get(user__username="leerling16").age_on(day) < 18
            assert Student.objects.get(user__username="leerling18").age_on(day) >= 18
        assert GuardianRelation.objects.filter(student__user__username="leerling18").count() == 2
        for username, role in [
            ("zorg", StaffRole.Role.CARE_COORDINATOR),
            ("coordinator", StaffRole.Role.COORDINATOR),
            ("verzuim", StaffRole.Role.ATTENDANCE_OFFICER),
            ("admin", StaffRole.Role.ADMINISTRATOR),
        ]:
            assert StaffRole.objects.filter(staff__user__username=username, role=role).exists(), username

    def test_admin_is_a_school_administrator_in_the_django_admin(self, demo) -> None:
        admin = User.objects.get(username="admin")
        assert admin.is_staff and not admin.is_superuser
        assert admin.groups.filter(name=SCHOOL_ADMIN_GROUP).exists()
        assert admin.has_perm("people.change_student")
        assert not admin.has_perm("people.delete_student")
        assert User.objects.filter(is_staff=True).count() == 1

    @pytest.mark.parametrize("username", DEMO_USERNAMES)
    def test_each_demo_account_can_sign_in(self, demo, client, username) -> None:
        response = client.post("/accounts/login/", {"login": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)

    def test_a_wrong_password_does_not_sign_in(self, demo, client) -> None:
        response = client.post("/accounts/login/", {"login": "leerling", "password": "inzage-test"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
class TestExtensions:
    def test_present_extensions_run_with_their_own_rng_and_missing_ones_are_skipped(self, fast_hasher) -> None:
        fake_extension.CALLS.clear()
        lines: list[str] = []
        result = demo_school_create(
            students=SMALL,
            seed=5,
            year=YEAR,
            today=TODAY,
            out=lines.append,
            extensions=["inzage.demo.tests.fake_extension", "inzage.nowhere.demo"],
        )
        assert len(fake_extension.CALLS) == 1
        call = fake_extension.CALLS[0]
        assert call["school"] == result.school and call["today"] == TODAY
        assert ("inzage.nowhere.demo", None) in result.timings
        assert any("inzage.nowhere.demo: overgeslagen" in line for line in lines)


@pytest.mark.django_db
class TestCommand:
    def test_if_empty_seeds_once(self, fast_hasher) -> None:
        call_command("seed_demo", students=100, seed=2, year=2025, if_empty=True, today=TODAY)
        assert Student.objects.count() == 100
        call_command("seed_demo", students=100, seed=2, year=2025, if_empty=True)
        assert School.objects.count() == 1

    def test_without_if_empty_it_refuses_a_database_with_a_school(self, fast_hasher) -> None:
        call_command("seed_demo", students=100, seed=2, year=2025, today=TODAY)
        with pytest.raises(CommandError):
            call_command("seed_demo", students=100, seed=2, year=2025)

    def test_too_few_students_is_refused(self, db) -> None:
        with pytest.raises(CommandError):
            call_command("seed_demo", students=10)

    def test_demo_accounts_prints_every_account(self, fast_hasher, capsys) -> None:
        call_command("seed_demo", students=100, seed=2, year=2025, today=TODAY)
        call_command("demo_accounts")
        out = capsys.readouterr().out
        for username in DEMO_USERNAMES:
            assert f"\n{username} " in out

    def test_the_school_admin_group_exists_after_seeding(self, fast_hasher) -> None:
        call_command("seed_demo", students=100, seed=2, year=2025, today=TODAY)
        assert Group.objects.get(name=SCHOOL_ADMIN_GROUP).permissions.filter(codename="change_guardian").exists()


@pytest.mark.django_db
def test_the_demo_admin_can_open_the_django_admin_for_students(demo, client) -> None:
    client.post("/accounts/login/", {"login": "admin", "password": DEMO_PASSWORD})
    number = Student.objects.get(user__username="leerling").student_number
    response = client.get("/beheer/people/student/", {"q": number})
    assert response.status_code == 200
    assert f">{number}<" in response.text


@pytest.mark.django_db
def test_without_year_the_command_takes_the_school_year_containing_today(fast_hasher) -> None:
    from django.utils import timezone

    from inzage.demo.year_plan import default_year
    from inzage.schools.models import SchoolYear

    call_command("seed_demo", students=100, seed=2)
    assert SchoolYear.objects.get().start.year == default_year(timezone.localdate())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "2025-13-45"], "--today: '2025-13-45' is not a date"),
        (["--year", "0"], "--year must be from 2000 to 2100"),
        (["--year", "99999"], "--year must be from 2000 to 2100"),
    ],
)
def test_bad_input_is_one_clear_error_and_changes_nothing(db, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", "--students", "100", *args, stdout=io.StringIO())
    assert not School.objects.exists()
