"""Linked items: an item that reveals another (a resit reveals its original test) is visible only when that other
item is. The reported case (issue 7): a parent saw "Herkansing toetsweektoets 4 · 5,8" while the original was held
back by the teacher."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inzage.grades.models import AssessmentKind, Column, Result
from inzage.testing import factories as f
from inzage.visibility.derived import visible_averages
from inzage.visibility.policy import decide, item_from_result, viewer_for, visible_results
from inzage.visibility.queries import grade_overview
from inzage.visibility.tests.conftest import local, make_result, set_policy

SOON = local(2025, 11, 3, 9)


def column(
    personas, name: str, *, release_at: dt.datetime | None, resit_of: Column | None = None, group=None
) -> Column:
    group = group or personas.group
    kind, _ = AssessmentKind.objects.get_or_create(school=personas.school, code="tw", defaults={"name": "toetsweek"})
    return Column.objects.create(
        school=personas.school,
        teaching_group=group,
        subject=group.subject,
        period=personas.periods[0],
        kind=kind,
        name=name,
        code=name[:20],
        date=dt.date(2025, 11, 3),
        release_mode=Column.ReleaseMode.HELD if release_at is None else Column.ReleaseMode.AT,
        release_at=release_at,
        resit_of=resit_of,
    )


def result(personas, col: Column, value: str, entered_at: dt.datetime = SOON, student=None) -> Result:
    return make_result(
        student=student or personas.student,
        group=col.teaching_group,
        period=personas.periods[0],
        release_at=col.release_at,
        entered_at=entered_at,
        value=value,
        column=col,
    )


def shown_ids(personas, persona: str, at: dt.datetime) -> set[int]:
    viewer = viewer_for(personas.user(persona))
    return set(visible_results(viewer=viewer, student=personas.student, at=at).values_list("pk", flat=True))


def decision(personas, persona: str, row: Result, at: dt.datetime):
    return decide(viewer=viewer_for(personas.user(persona)), item=item_from_result(row), at=at)


def test_the_reported_case_a_held_back_original_hides_its_resit(personas, client) -> None:
    """The demo's H3A case with factories: original 5,0 held back, resit 5,8 released."""
    other = result(personas, column(personas, "toets 1", release_at=SOON), "7.0")
    original_col = column(personas, "toetsweektoets 4", release_at=None)
    original = result(personas, original_col, "5.0")
    resit = result(
        personas, column(personas, "Herkansing toetsweektoets 4", release_at=SOON, resit_of=original_col), "5.8"
    )
    at = local(2025, 11, 20, 12)
    for persona in ("parent", "student"):
        assert shown_ids(personas, persona, at) == {other.pk}, persona
        hidden = decision(personas, persona, resit, at)
        assert (hidden.visible, hidden.reason, hidden.rule) == (False, "linked_hidden", "link")
        assert "toetsweektoets 4" in hidden.explanation_nl and "nog niet zichtbaar" in hidden.explanation_nl
        assert hidden.visible_from is None  # held back: no moment is known
        assert decision(personas, persona, original, at).reason == "held_back"
    # staff see held-back results, so the teacher sees both
    assert shown_ids(personas, "teacher", at) == {other.pk, original.pk, resit.pk}

    client.force_login(personas.user("parent"))
    page = client.get(f"/mijn/cijfers/{personas.student.pk}/").content.decode()
    assert "Herkansing" not in page and "toetsweektoets" not in page and "5,8" not in page
    assert "7,0" in page


def test_an_average_shown_to_a_parent_never_counts_a_resit_of_a_hidden_original(personas) -> None:
    result(personas, column(personas, "toets 1", release_at=SOON), "8.0")
    original_col = column(personas, "toetsweektoets 4", release_at=None)
    result(personas, original_col, "4.0")
    result(personas, column(personas, "Herkansing 4", release_at=SOON, resit_of=original_col), "6.0")
    at = local(2025, 11, 20, 12)
    parent = visible_averages(viewer=viewer_for(personas.user("parent")), student=personas.student, at=at)
    assert [(a.average, a.counted) for a in parent] == [(Decimal("8.0"), 1)]
    # once the teacher releases the original, both attempts count (the resit rule: highest)
    original_col.release_mode, original_col.release_at = Column.ReleaseMode.AT, SOON
    original_col.save()
    parent = visible_averages(viewer=viewer_for(personas.user("parent")), student=personas.student, at=at)
    assert [(a.average, a.counted) for a in parent] == [(Decimal("7.0"), 3)]  # (8 + max(4, 6)) / 2


def test_the_resit_is_released_no_earlier_than_its_original(personas) -> None:
    """Publication (17:00) and student-first (2 school days) apply to the later of the two."""
    set_policy(
        personas.school,
        'format = 1\n[publication]\ntimes = ["17:00"]\n[student_first]\nschool_days = 2\nkinds = ["grades"]\n',
    )
    original_col = column(personas, "toets 4", release_at=local(2025, 11, 10, 9))  # a Monday
    original = result(personas, original_col, "5.0")
    resit = result(personas, column(personas, "Herkansing 4", release_at=SOON, resit_of=original_col), "5.8")

    before = local(2025, 11, 10, 12)
    student = decision(personas, "student", resit, before)
    assert (student.visible, student.reason) == (False, "linked_hidden")
    assert student.visible_from == local(2025, 11, 10, 17)
    assert "10-11-2025 17:00" in student.explanation_nl
    overview = grade_overview(viewer=viewer_for(personas.user("student")), student=personas.student, at=before)
    assert {(p.label, p.decision.visible_from) for p in overview.pending} == {
        ("toets 4", local(2025, 11, 10, 17)),
        ("Herkansing 4", local(2025, 11, 10, 17)),
    }
    assert shown_ids(personas, "student", local(2025, 11, 10, 17)) == {original.pk, resit.pk}

    parent = decision(personas, "parent", resit, local(2025, 11, 11, 12))
    assert (parent.visible, parent.reason, parent.visible_from) == (False, "linked_hidden", local(2025, 11, 12, 17))
    assert shown_ids(personas, "parent", local(2025, 11, 12, 16, 59)) == set()
    assert shown_ids(personas, "parent", local(2025, 11, 12, 17)) == {original.pk, resit.pk}


def test_sharing_the_resit_alone_does_not_reveal_the_original(personas) -> None:
    from inzage.visibility import actions

    set_policy(personas.school, 'format = 1\n[student_first]\nschool_days = 3\nkinds = ["grades"]\n')
    original_col = column(personas, "toets 4", release_at=local(2025, 11, 10, 9))
    original = result(personas, original_col, "5.0")
    resit = result(personas, column(personas, "Herkansing 4", release_at=SOON, resit_of=original_col), "5.8")
    at = local(2025, 11, 11, 12)
    student, by, shared_at = personas.student, personas.user("student"), local(2025, 11, 11)
    actions.share_create(student=student, kind="grades", item_id=resit.pk, shared_by=by, at=shared_at)
    assert shown_ids(personas, "parent", at) == set()
    actions.share_create(student=student, kind="grades", item_id=original.pk, shared_by=by, at=shared_at)
    assert shown_ids(personas, "parent", at) == {original.pk, resit.pk}


@pytest.mark.parametrize("reason", ["retracted", "other_group", "closed_window"])
def test_hidden_for_any_reason_hides_the_resit(personas, reason) -> None:
    at = local(2025, 11, 20, 12)
    group = personas.group
    if reason == "other_group":  # the original in a group the teacher does not teach
        group = f.TeachingGroupFactory(school_year=personas.year, subject=personas.subject, name="h3-extra")
        group.students.add(personas.student)
    if reason == "closed_window":
        set_policy(
            personas.school,
            'format = 1\n[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
            "start = 2025-11-17\nend = 2025-11-21\n",
        )
    original_col = column(personas, "toets 4", release_at=SOON, group=group)
    original = result(personas, original_col, "5.0")
    resit = result(personas, column(personas, "Herkansing 4", release_at=SOON, resit_of=original_col), "5.8")
    if reason == "retracted":
        Result.objects.filter(pk=original.pk).update(retracted_at=local(2025, 11, 5))
        original.refresh_from_db()
        for persona in ("parent", "student", "teacher", "mentor"):
            assert shown_ids(personas, persona, at) == set(), persona
            assert decision(personas, persona, resit, at).reason == "linked_hidden"
    if reason == "other_group":
        assert shown_ids(personas, "teacher", at) == set()
        assert decision(personas, "teacher", resit, at).reason == "linked_hidden"
        assert shown_ids(personas, "mentor", at) == {original.pk, resit.pk}
    if reason == "closed_window":
        assert shown_ids(personas, "parent", at) == set()
        assert decision(personas, "parent", resit, at).reason == "window_closed"
        assert shown_ids(personas, "student", at) == {original.pk, resit.pk}


def test_without_an_original_result_the_original_column_still_counts(personas) -> None:
    """The resit's name reveals the test even when the student has no result in it."""
    at = local(2025, 11, 20, 12)
    held_col = column(personas, "toets 4", release_at=None)
    result(personas, held_col, "5.0", student=personas.other_student)  # someone else's result only
    resit = result(personas, column(personas, "Herkansing 4", release_at=SOON, resit_of=held_col), "5.8")
    assert shown_ids(personas, "parent", at) == set()
    assert decision(personas, "parent", resit, at).reason == "linked_hidden"
    held_col.release_mode, held_col.release_at = Column.ReleaseMode.AT, SOON
    held_col.save()
    assert shown_ids(personas, "parent", at) == {resit.pk}
    assert decision(personas, "parent", resit, at).visible


def test_a_resit_of_a_resit_needs_the_whole_chain(personas) -> None:
    at = local(2025, 11, 20, 12)
    first_col = column(personas, "toets 4", release_at=None)
    first = result(personas, first_col, "4.0")
    second_col = column(personas, "Herkansing 4", release_at=SOON, resit_of=first_col)
    second = result(personas, second_col, "5.0")
    third = result(personas, column(personas, "Herkansing 4b", release_at=SOON, resit_of=second_col), "6.0")
    assert shown_ids(personas, "parent", at) == set()
    hidden = decision(personas, "parent", third, at)
    assert (hidden.reason, dict(hidden.params)["linked"]) == ("linked_hidden", "toets 4")
    first_col.release_mode, first_col.release_at = Column.ReleaseMode.AT, SOON
    first_col.save()
    assert shown_ids(personas, "parent", at) == {first.pk, second.pk, third.pk}


def test_chains_are_at_most_two_resits_deep(personas) -> None:
    at = local(2025, 11, 20, 12)
    cols = [column(personas, "toets 4", release_at=SOON)]
    for name in ("H1", "H2", "H3"):
        cols.append(column(personas, name, release_at=SOON, resit_of=cols[-1]))
    cols[2].full_clean()  # a resit of a resit is fine
    with pytest.raises(ValidationError) as refused:
        cols[3].full_clean()
    assert "herkansing" in str(refused.value).lower()
    # written anyway (bypassing validation): the engine fails closed on a chain it does not follow
    rows = [result(personas, c, "6.0") for c in cols]
    assert shown_ids(personas, "parent", at) == {r.pk for r in rows[:3]}
    assert decision(personas, "parent", rows[3], at).reason == "linked_hidden"
    cols[0].resit_of = cols[0]
    with pytest.raises(ValidationError):
        cols[0].full_clean()


def test_listing_resits_takes_a_constant_number_of_queries(personas) -> None:
    at = local(2025, 11, 20, 12)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(visible_results(viewer=viewer_for(personas.user("parent")), student=personas.student, at=at))
        return len(captured.captured_queries)

    original_col = column(personas, "toets 0", release_at=SOON)
    result(personas, original_col, "5.0")
    result(personas, column(personas, "H0", release_at=SOON, resit_of=original_col), "6.0")
    few = count()
    for i in range(1, 6):
        original_col = column(personas, f"toets {i}", release_at=SOON)
        result(personas, original_col, "5.0")
        result(personas, column(personas, f"H{i}", release_at=SOON, resit_of=original_col), "6.0")
    assert count() == few


def test_explain_shows_the_resit_hidden_with_the_reason(personas) -> None:
    original_col = column(personas, "toetsweektoets 4", release_at=None)
    result(personas, original_col, "5.0")
    resit = result(
        personas, column(personas, "Herkansing toetsweektoets 4", release_at=SOON, resit_of=original_col), "5.8"
    )
    out = io.StringIO()
    call_command(
        "visibility",
        "explain",
        "--viewer",
        personas.user("parent").username,
        "--student",
        personas.student.student_number,
        "--at",
        "2025-11-20T12:00",
        "--json",
        stdout=out,
    )
    row = {(r["kind"], r["id"]): r for r in json.loads(out.getvalue())}[("grades", resit.pk)]
    assert (row["visible"], row["reason_code"]) == (False, "linked_hidden")
    assert row["reason"] == "Verborgen omdat het oorspronkelijke item (toetsweektoets 4) nog niet zichtbaar is."
    assert row["reason_en"] == "Hidden because the original item (toetsweektoets 4) is not visible yet."

    # the explain page says the same to the mentor
    client = Client()
    client.force_login(personas.user("mentor"))
    page = client.get(
        "/zichtbaarheid/uitleg/",
        {
            "student": personas.student.student_number,
            "viewer": personas.user("parent").username,
            "at": "2025-11-20T12:00",
        },
    ).content.decode()
    assert "Verborgen omdat het oorspronkelijke item (toetsweektoets 4) nog niet zichtbaar is." in page


def test_the_resit_becomes_visible_when_its_original_does(personas) -> None:
    """Notifications (`transitions`) report the resit at its original's release, not at its own, also when the
    original is not among the items (here: the student has no result in the original column)."""
    from inzage.visibility.policy.transitions import transitions
    from inzage.visibility.queries import student_items

    original_col = column(personas, "toets 4", release_at=local(2025, 11, 10, 9))
    result(personas, original_col, "5.0", student=personas.other_student)
    resit = result(personas, column(personas, "Herkansing 4", release_at=SOON, resit_of=original_col), "5.8")
    found = transitions(
        viewer=viewer_for(personas.user("parent")),
        student_id=personas.student.pk,
        items=student_items(student=personas.student),
        start=local(2025, 11, 4),
        end=local(2025, 11, 30),
    )
    flips = {(t.item.id, t.at) for t in found if t.item.kind == "grades"}
    assert flips == {(resit.pk, local(2025, 11, 10, 9))}


def test_a_missing_original_result_does_not_trip_the_share_clause(personas) -> None:
    """With shares in student-first, the missing original (no id: NULL in SQL) is "not shared", not "unknown"."""
    from inzage.visibility import actions

    set_policy(personas.school, 'format = 1\n[student_first]\nschool_days = 2\nkinds = ["grades"]\n')
    original_col = column(personas, "toets 4", release_at=SOON)
    result(personas, original_col, "5.0", student=personas.other_student)
    resit = result(personas, column(personas, "Herkansing 4", release_at=SOON, resit_of=original_col), "5.8")
    other = result(personas, column(personas, "toets 5", release_at=local(2025, 11, 19, 9)), "7.0")
    shared_at = local(2025, 11, 19, 10)
    actions.share_create(
        student=personas.student, kind="grades", item_id=other.pk, shared_by=personas.user("student"), at=shared_at
    )
    at = local(2025, 11, 20, 12)
    assert decision(personas, "parent", resit, at).visible
    assert shown_ids(personas, "parent", at) == {resit.pk, other.pk}
