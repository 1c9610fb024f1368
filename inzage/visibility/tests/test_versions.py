"""Version counters cannot be forgotten: every table the engine or the grades page reads is tracked, and every
tracked model's write moves a counter (also through the admin, which writes with plain `save()`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from inzage.grades.models import AssessmentKind, GradeSettings
from inzage.people.models import CourtRestriction
from inzage.portal.cached_pages import grades_page_build
from inzage.testing import factories as f
from inzage.visibility import actions
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import DataVersion
from inzage.visibility.policy import context_for, viewer_for
from inzage.visibility.tests.conftest import local, make_result, set_policy
from inzage.visibility.versions import TRACKED, Scope, tracked_tables, versions_bump, versions_read
from inzage.web.queries import account_roles

# Read on every request, but not part of what is cached: the session and the account row are read fresh (the page
# shell shows the account's name), and the counters themselves.
NOT_CACHED = {"django_session", "accounts_user", "visibility_dataversion"}
AT = local(2026, 3, 3, 12)


@pytest.fixture
def rich(personas):
    """The personas with one row of every kind the engine reads."""
    school, admin = personas.school, personas.user("admin")
    set_policy(school, 'format = 1\n[publication]\ntimes = ["17:00"]\nkinds = ["grades"]\n')
    result = make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[2],
        release_at=local(2026, 3, 2, 10),
        entered_at=local(2026, 3, 2, 10),
    )
    actions.override_create(
        student=personas.student,
        guardian=personas.parent,
        effect="open",
        kinds=[DataKind.GRADES],
        starts_on=dt.date(2026, 3, 1),
        until=None,
        reason="test",
        created_by=personas.user("mentor"),
        at=AT,
    )
    actions.consent_record(
        student=personas.student,
        guardian=personas.parent,
        kinds=[DataKind.GRADES],
        granted=True,
        recorded_by=admin,
        at=AT,
    )
    actions.share_create(student=personas.student, kind=DataKind.GRADES, item_id=result.pk, shared_by=admin, at=AT)
    actions.information_request_create(
        relation=personas.no_custody_relation, kinds=[DataKind.GRADES], requested_on=dt.date(2026, 3, 1)
    )
    CourtRestriction.objects.create(
        school=school,
        relation=personas.parent_relation,
        ordered_on=dt.date(2026, 1, 1),
        effective_from=dt.date(2026, 1, 1),
        kinds=[DataKind.ATTENDANCE],
    )
    f.CalendarRangeFactory(school_year=personas.year, start=dt.date(2026, 2, 16), end=dt.date(2026, 2, 20))
    GradeSettings.objects.get_or_create(school=school)
    return personas


def _tables(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN)\s+"?([a-z_0-9]+)"?', sql, flags=re.IGNORECASE))


def test_every_table_the_engine_and_the_grades_page_read_is_tracked(rich) -> None:
    """A model the engine starts reading fails here until its writes move a counter (inzage.visibility.versions)."""
    read: set[str] = set()
    for persona in ("student", "parent", "parent_without_custody", "mentor", "teacher"):
        user = rich.user(persona)
        with CaptureQueriesContext(connection) as queries:
            viewer = viewer_for(user)
            context_for(viewer=viewer, student_id=rich.student.pk, at=AT)
            account_roles(user=user)
            if persona in ("student", "parent", "parent_without_custody"):
                grades_page_build(user=user, student_id=rich.student.pk, at=AT, versions={})
        for q in queries.captured_queries:
            read |= _tables(q["sql"])
    assert {"grades_result", "visibility_consent", "people_courtrestriction"} <= read  # the capture works
    untracked = read - tracked_tables() - NOT_CACHED
    assert not untracked, f"read by the engine or the grades page, but no write moves a counter: {untracked}"


def _total() -> int:
    return DataVersion.objects.aggregate(s=Sum("counter"))["s"] or 0


APPEND_ONLY = {"grades.PeriodReportStudent", "grades.ResultVersion"}  # never saved twice; their writers bump


@pytest.mark.parametrize("label", sorted(set(TRACKED) - APPEND_ONLY))
def test_a_save_of_every_tracked_model_moves_a_counter(rich, label) -> None:
    """The admin and any other `save()` path: a re-save of an existing row moves at least one counter."""
    AssessmentKind.objects.get_or_create(school=rich.school, code="x", defaults={"name": "x"})
    instance = apps.get_model(label)._default_manager.first()
    assert instance is not None, f"the fixture has no {label}"
    before = _total()
    instance.save()
    assert _total() > before


def test_a_relation_end_date_moves_the_student_and_the_guardian_account(rich) -> None:
    keys = [(Scope.STUDENT, rich.student.pk), (Scope.USER, rich.user("parent").pk), (Scope.SCHOOL, rich.school.pk)]
    before = versions_read(keys)
    rich.parent_relation.end_date = dt.date(2026, 3, 10)
    rich.parent_relation.save()  # as the admin does
    after = versions_read(keys)
    assert after[keys[0]] > before[keys[0]] and after[keys[1]] > before[keys[1]]
    assert after[keys[2]] == before[keys[2]]  # one student's change does not empty the whole school's cache


def test_a_column_change_moves_every_student_of_its_group(rich) -> None:
    from inzage.grades import actions as grade_actions
    from inzage.grades.models import Column

    other = f.StudentFactory(school=rich.school)
    rich.group.students.add(other)
    column = Column.objects.first()
    keys = [(Scope.STUDENT, rich.student.pk), (Scope.STUDENT, other.pk), (Scope.STUDENT, rich.other_student.pk)]
    before = versions_read(keys)
    grade_actions.column_retract(column=column, by=None, at=AT, reason="verkeerde toets")
    after = versions_read(keys)
    assert after[keys[0]] > before[keys[0]] and after[keys[1]] > before[keys[1]]
    assert after[keys[2]] == before[keys[2]]  # not in the group


def test_policy_activation_and_calendar_move_the_school(rich) -> None:
    key = (Scope.SCHOOL, rich.school.pk)
    before = versions_read([key])[key]
    set_policy(rich.school, "format = 1\n")
    middle = versions_read([key])[key]
    f.CalendarRangeFactory(school_year=rich.year, start=dt.date(2026, 5, 4), end=dt.date(2026, 5, 8))
    assert before < middle < versions_read([key])[key]


def test_bulk_writes_of_results_move_the_students(rich) -> None:
    """results_save writes with raw inserts and bulk_update (no signals): it bumps itself."""
    from inzage.grades import actions as grade_actions
    from inzage.grades.models import Column
    from inzage.grades.parsing import parse_cell

    column = Column.objects.first()
    other = f.StudentFactory(school=rich.school)
    key = (Scope.STUDENT, other.pk)
    before = versions_read([key])[key]
    cell = parse_cell("6,5", result_type=column.result_type)
    grade_actions.results_save(cells=[(column, other.pk, cell)], existing={}, by=None, at=AT, reason="")
    assert versions_read([key])[key] > before


def test_a_missing_row_counts_as_zero_and_a_bump_creates_it(personas) -> None:
    key = (Scope.STUDENT, 987654)
    assert versions_read([key]) == {key: 0}
    versions_bump(school_id=personas.school.pk, student_ids=[987654])
    versions_bump(school_id=personas.school.pk, student_ids=[987654, 987654])
    assert versions_read([key]) == {key: 2}
