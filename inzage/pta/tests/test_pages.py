"""The PTA pages: who may open a programme (every persona, on every URL), the items, changes before and after the
deadline (a late change needs the recorded approval: refused with a Dutch message beside the field, what was typed
kept), no 500 on bad input, constant queries, and the column form's link to the PTA item."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inzage import clock
from inzage.grades.actions import assessment_kinds_ensure
from inzage.grades.models import AssessmentKind, Column, ProgrammeChange, ProgrammeItem
from inzage.grades.programmes import cohort_exam_year, exam_year_of, programme_create, programme_item_add
from inzage.testing import factories as f
from inzage.testing.roles import ALL_PERSONAS

BEFORE = timezone.make_aware(dt.datetime(2025, 9, 15, 10, 0))  # the deadline is 1 October 2025
AFTER = timezone.make_aware(dt.datetime(2025, 11, 3, 10, 0))

# other_teacher teaches wiskunde (h3b-wi); other_parent's child Milan is in H3B, the same cohort, and takes wiskunde:
# the programme is theirs too. Outsiders of the cohort: test_..._another_cohort_get_404.
READERS = {"student", "parent", "other_parent", "teacher", "other_teacher", "admin", "coordinator"}
EDITORS = {"admin", "coordinator"}


@pytest.fixture
def at(monkeypatch):
    """The pages' clock, settable: `at(AFTER)`."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    set_to(BEFORE)
    return set_to


@pytest.fixture
def kind(personas) -> AssessmentKind:
    assessment_kinds_ensure(school_id=personas.school.pk)
    return AssessmentKind.objects.filter(school=personas.school).order_by("pk").first()


@pytest.fixture
def pta(personas, kind, at):
    """The wiskunde PTA of the personas' cohort (their year group's exam year), with two items."""
    yg = personas.klas.year_group
    programme = programme_create(
        kind="pta",
        subject=personas.subject,
        level=yg.level,
        cohort=f"examen {exam_year_of(yg, personas.year)}",
        school_year=personas.year,
        by=personas.user("admin"),
        at=BEFORE,
    )
    for code, name, period, weight in (
        ("SE1", "Schriftelijke toets H1-3", 0, "10"),
        ("SE2", "Praktische opdracht", 1, "20"),
    ):
        programme_item_add(
            programme=programme,
            code=code,
            name=name,
            period=personas.periods[period],
            kind=kind,
            exam_weight=Decimal(weight),
            resit_allowed=code == "SE1",
            by=personas.user("admin"),
            at=BEFORE,
        )
    return programme


def urls(pta) -> dict[str, str]:
    item = pta.items.get(code="SE1")
    return {
        "index": reverse("pta:index"),
        "detail": reverse("pta:detail", args=[pta.pk]),
        "item_new": reverse("pta:item_new", args=[pta.pk]),
        "item_edit": reverse("pta:item_edit", args=[pta.pk, item.pk]),
    }


def test_cohorts_name_their_exam_year() -> None:
    assert cohort_exam_year("examen 2027") == 2027
    assert cohort_exam_year("2025-2027") == 2027
    assert cohort_exam_year("havo bovenbouw") is None
    assert cohort_exam_year("12027") is None


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_persona_on_every_url(client, personas, user_of, pta, persona) -> None:
    client.force_login(user_of(persona))
    paths = urls(pta)
    detail = client.get(paths["detail"])
    assert detail.status_code == (200 if persona in READERS else 404)
    for name in ("item_new", "item_edit"):
        assert client.get(paths[name]).status_code == (200 if persona in EDITORS else 404), name
        assert client.post(paths[name], {"name": "x"}).status_code in ((422,) if persona in EDITORS else (404,))
    index = client.get(paths["index"])
    assert index.status_code == 200
    assert (paths["detail"] in index.content.decode()) == (persona in READERS)
    assert ProgrammeItem.objects.filter(programme=pta).count() == 2  # nobody's POST above changed anything


def test_anonymous_visitors_are_sent_to_the_login(client, pta) -> None:
    for path in urls(pta).values():
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_and_foreign_programmes_are_not_found(client, personas, pta, kind) -> None:
    other_school = f.SchoolFactory(name="Ander College")
    year = f.SchoolYearFactory(school=other_school)
    subject = f.SubjectFactory(school=other_school, code="wi", name="wiskunde")
    level = f.YearGroupFactory(school_year=year).level
    foreign = programme_create(
        kind="pta", subject=subject, level=level, cohort="examen 2028", school_year=year, by=None, at=BEFORE
    )
    client.force_login(personas.user("admin"))
    for programme_id in (foreign.pk, 999_999):
        assert client.get(reverse("pta:detail", args=[programme_id])).status_code == 404
        assert client.get(reverse("pta:item_new", args=[programme_id])).status_code == 404
    other_item = ProgrammeItem.objects.create(
        school=personas.school, programme=pta, code="X", name="x", period=personas.periods[0], kind=kind,
        exam_weight=Decimal("1"),
    )  # fmt: skip
    assert client.get(reverse("pta:item_edit", args=[foreign.pk, other_item.pk])).status_code == 404


def test_a_teacher_of_another_subject_and_a_student_of_another_cohort_get_404(client, personas, pta) -> None:
    history = f.SubjectFactory(school=personas.school, code="gs", name="geschiedenis")
    teacher = f.StaffFactory(school=personas.school, first_name="Gijs", last_name="Geschiedenis", code="GES")
    group = f.TeachingGroupFactory(school_year=personas.year, subject=history, name="h3a-gs")
    group.teachers.add(teacher)
    client.force_login(teacher.user)
    assert client.get(reverse("pta:detail", args=[pta.pk])).status_code == 404
    yg = personas.klas.year_group
    younger = f.YearGroupFactory(school_year=personas.year, level=yg.level, year=yg.year - 1)
    student = f.StudentFactory(school=personas.school)
    f.ClassMembershipFactory(school_class=f.SchoolClassFactory(year_group=younger, name="H2A"), student=student)
    personas.group.students.add(student)  # takes wiskunde, but will sit the exam a year later
    guardian = f.GuardianFactory(school=personas.school)
    f.GuardianRelationFactory(student=student, guardian=guardian)
    for account in (student.user, guardian.user):
        client.force_login(account)
        assert client.get(reverse("pta:detail", args=[pta.pk])).status_code == 404
        assert reverse("pta:detail", args=[pta.pk]) not in client.get(reverse("pta:index")).content.decode()


def test_the_page_shows_code_description_period_weight_and_resit_right(client, personas, pta) -> None:
    client.force_login(personas.user("parent"))
    html = client.get(reverse("pta:detail", args=[pta.pk])).content.decode()
    for text in ("SE1", "Schriftelijke toets H1-3", "Periode 1", "SE2", "Praktische opdracht", "Periode 2", "ja"):
        assert text in html
    assert "<td>10</td>" in html and "<td>20</td>" in html and "<td>30</td>" in html  # weights and the total
    assert "vastgesteld op 01-10-2025" in html
    assert "Wijzigingen" not in html  # the change history is for staff
    assert "Toets toevoegen" not in html


def test_changes_before_the_deadline_need_no_approval(client, personas, pta, kind) -> None:
    client.force_login(personas.user("admin"))
    form = client.get(reverse("pta:item_new", args=[pta.pk])).content.decode()
    assert 'name="approved_by"' not in form
    response = client.post(
        reverse("pta:item_new", args=[pta.pk]),
        {"code": "SE3", "name": "Mondeling", "period": personas.periods[2].pk, "kind": kind.pk, "exam_weight": "5",
         "weight": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    change = ProgrammeChange.objects.filter(programme=pta).order_by("-version").first()
    assert not change.after_deadline and change.approved_by is None


def test_a_late_change_without_approval_is_refused_beside_the_field_and_keeps_what_was_typed(
    client, personas, pta, kind, at
) -> None:
    at(AFTER)
    item = pta.items.get(code="SE1")
    client.force_login(personas.user("admin"))
    url = reverse("pta:item_edit", args=[pta.pk, item.pk])
    form = client.get(url).content.decode()
    assert 'name="approved_by"' in form and "vastgesteld op 01-10-2025" in form
    typed = {"name": "Schriftelijke toets H1-4", "period": item.period_id, "kind": kind.pk, "exam_weight": "15",
             "weight": "0", "resit_allowed": "on"}  # fmt: skip
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_approved_by-error"' in html and "een wijziging mag alleen met een goedkeuring" in html
    assert 'id="id_approval_reason-error"' in html and "Geef de reden van de goedkeuring" in html
    assert 'value="Schriftelijke toets H1-4"' in html and 'value="15"' in html
    item.refresh_from_db()
    assert item.exam_weight == Decimal("10") and item.name == "Schriftelijke toets H1-3"

    approval = {"approved_by": personas.user("admin").pk, "approval_reason": "Besluit examencommissie 30-10-2025"}
    assert client.post(url, {**typed, **approval}).status_code == 302
    item.refresh_from_db()
    assert item.exam_weight == Decimal("15")
    change = ProgrammeChange.objects.filter(programme=pta).order_by("-version").first()
    assert change.after_deadline and change.approved_by == personas.user("admin")
    page = client.get(reverse("pta:detail", args=[pta.pk])).content.decode()
    assert "goedgekeurd door Bram Beheer: Besluit examencommissie 30-10-2025" in page
    assert "voor de vaststelling (geen goedkeuring nodig)" in page


def test_a_late_addition_and_withdrawal_need_the_approval_too(client, personas, roles, pta, kind, at) -> None:
    at(AFTER)
    client.force_login(roles.coordinator.user)
    new = {"code": "SE9", "name": "Extra", "period": personas.periods[2].pk, "kind": kind.pk, "exam_weight": "5",
           "weight": "0"}  # fmt: skip
    response = client.post(reverse("pta:item_new", args=[pta.pk]), new)
    assert response.status_code == 422 and 'value="SE9"' in response.content.decode()
    assert not ProgrammeItem.objects.filter(code="SE9").exists()
    item = pta.items.get(code="SE2")
    url = reverse("pta:item_edit", args=[pta.pk, item.pk])
    assert client.post(url, {"withdraw": "1"}).status_code == 422
    item.refresh_from_db()
    assert item.withdrawn_at is None
    approval = {"approved_by": personas.user("admin").pk, "approval_reason": "Vervalt: besluit 1-11"}
    assert client.post(url, {"withdraw": "1", **approval}).status_code == 302
    item.refresh_from_db()
    assert item.withdrawn_at is not None
    assert client.post(url, {"withdraw": "1", **approval}).status_code == 422  # withdrawn: nothing more to change


def test_only_the_schools_administrators_can_be_recorded_as_approvers(client, personas, pta, at) -> None:
    at(AFTER)
    item = pta.items.get(code="SE1")
    client.force_login(personas.user("admin"))
    url = reverse("pta:item_edit", args=[pta.pk, item.pk])
    response = client.post(url, {"withdraw": "1", "approved_by": personas.user("teacher").pk, "approval_reason": "x"})
    assert response.status_code == 422 and 'id="id_approved_by-error"' in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"code": "", "name": "", "exam_weight": "abc", "period": "999999", "kind": "x"},
        {"code": "SE1", "name": "dubbel", "exam_weight": "-1", "weight": "1e400"},
        {"code": "x" * 500, "name": "\x00", "exam_weight": "NaN"},
        {"approved_by": "'; DROP TABLE", "approval_reason": "y" * 5000},
    ],
)
def test_bad_input_is_a_dutch_message_never_a_500(client, personas, pta, data, at) -> None:
    client.force_login(personas.user("admin"))
    for moment in (BEFORE, AFTER):
        at(moment)
        response = client.post(reverse("pta:item_new", args=[pta.pk]), data)
        assert response.status_code == 422 and 'class="errorlist"' in response.content.decode()
        item = pta.items.get(code="SE1")
        response = client.post(reverse("pta:item_edit", args=[pta.pk, item.pk]), data)
        assert response.status_code == 422
    assert pta.items.count() == 2


def test_the_pages_take_the_same_number_of_queries_for_2_and_12_items(
    client, personas, pta, kind, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.user("admin"))

    def count(path: str) -> int:
        client.get(path)  # warm (session, policy caches)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    paths = [reverse("pta:detail", args=[pta.pk]), reverse("pta:index")]
    before = [count(p) for p in paths]
    for n in range(10):
        programme_item_add(
            programme=pta, code=f"X{n}", name="x", period=personas.periods[n % 4], kind=kind,
            exam_weight=Decimal("1"), by=None, at=BEFORE,
        )  # fmt: skip
    yg = personas.klas.year_group
    for n in range(5):
        programme_create(
            kind="pta", subject=f.SubjectFactory(school=personas.school, code=f"s{n}", name=f"vak {n}"),
            level=yg.level, cohort=f"examen {2030 + n}", school_year=personas.year, by=None, at=BEFORE,
        )  # fmt: skip
    assert [count(p) for p in paths] == before


def test_the_column_form_links_a_column_to_the_pta_item_it_carries_out(client, personas, pta, kind) -> None:
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:column_new", args=[personas.group.pk])
    form = client.get(url).content.decode()
    item = pta.items.get(code="SE2")
    assert 'name="programme_item"' in form and "SE2 Praktische opdracht (Periode 2, weging 20" in form
    data = {
        "name": "PO statistiek", "code": "PO1", "date": "2025-12-01", "kind": kind.pk, "period": personas.periods[1].pk,
        "weight": "1", "exam_weight": "7", "result_type": "number", "release_mode": "now", "resit_rule": "highest",
        "programme_item": item.pk,
    }  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 200 and "PTA-toets SE2 weegt 20 in het examendossier" in refused.content.decode()
    assert client.post(url, {**data, "exam_weight": "0"}).status_code == 302
    column = Column.objects.get(code="PO1")
    assert column.programme_item == item and column.exam_weight == Decimal("20")
    assert client.post(url, {**data, "code": "PO2", "programme_item": 999_999}).status_code == 200  # not offered
