"""Two teachers saving the same column at the same time (issue 7): real parallel requests, each thread with its own
database connection, driven through the grid view. No request may fail (no 5xx, no exception), every accepted value
is in the history, and every result's version numbers run 1, 2, 3... without gaps. Runs on PostgreSQL and on a
SQLite file (TEST_DATABASE_NAME=var/test.sqlite3: WAL, IMMEDIATE transactions and the busy timeout of settings.py);
skipped on the in-memory SQLite test database (see the fixture)."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inzage.grades import actions
from inzage.grades.actions import column_create, result_enter
from inzage.grades.models import AssessmentKind, Column, Result, ResultVersion
from inzage.grades.parsing import ParsedCell, format_grade
from inzage.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

SAVES_PER_TEACHER = 10
AT = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))
LOADED_VERSION = re.compile(r'name="v-(\d+)" value="(\d+)"')


@pytest.fixture(autouse=True)
def _separate_connections(django_db_setup) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "SQLite in memory shares one cache between connections, whose table locks fail at once instead of "
            "waiting (no busy timeout); run with TEST_DATABASE_NAME=<a file> to test SQLite as it is served"
        )


@pytest.fixture
def grid(personas):
    """A column of six students in the persona group, three of them with a result already (9,9, a value no save
    types); two teachers."""
    personas.group.teachers.add(personas.other_teacher)
    students = [personas.student] + [f.StudentFactory(school=personas.school) for _ in range(5)]
    personas.group.students.add(*students[1:])
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    column = column_create(
        group=personas.group, kind=kind, period=personas.periods[0], name="Samen", code="S1",
        date=dt.date(2025, 9, 30), by=None, at=AT,
    )  # fmt: skip
    for student in students[:3]:
        result_enter(column=column, student=student, cell=ParsedCell(value=Decimal("9.9")), by=None, at=AT)
    teachers = [personas.user("teacher"), personas.user("other_teacher")]
    url = reverse("teacher:column", args=[personas.group.pk, column.pk])
    return column, students, teachers, url


def _value_of(save: int) -> Decimal:
    """A grade that only save number `save` types (1,0; 1,4; 1,8; ...), so the history tells who stored what."""
    return Decimal(10 + 4 * save) / 10


def _in_parallel(count: int, work: Callable[[int, threading.Barrier], tuple[int, str]]) -> list[tuple[int, str]]:
    """Run `work(i, barrier)` in `count` threads at once; each thread has its own connection, closed at the end.
    An exception escaping a request is returned as status 599 with its text, so the test can report it."""
    barrier = threading.Barrier(count, timeout=60)
    answers: list[tuple[int, str]] = [(0, "")] * count

    def run(i: int) -> None:
        try:
            answers[i] = work(i, barrier)
        except BaseException as err:  # the test reports every failure, so catch them all
            answers[i] = (599, f"{type(err).__name__}: {err}")
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _assert_history_without_gaps(column: Column) -> dict[int, list[ResultVersion]]:
    versions: dict[int, list[ResultVersion]] = {}
    for version in ResultVersion.objects.filter(result__column=column).order_by("result", "version"):
        versions.setdefault(version.result_id, []).append(version)
    for result in Result.objects.filter(column=column):
        numbers = [v.version for v in versions[result.pk]]
        assert numbers == list(range(1, result.version + 1)), (result.student_id, numbers)
        assert versions[result.pk][-1].value == result.value  # the current value is the last version
    return versions


def test_parallel_saves_without_loaded_versions_are_all_stored_one_after_the_other(grid) -> None:
    """A post without the per-cell loaded versions (an old page, a script) cannot be checked for conflicts: each
    save must still be stored whole, one after the other, every value in the history."""
    column, students, teachers, url = grid
    count = 2 * SAVES_PER_TEACHER

    def save(i: int, barrier: threading.Barrier) -> tuple[int, str]:
        client = Client()
        client.force_login(teachers[i % 2])
        data = {f"cell-{s.pk}": format_grade(_value_of(i)) for s in students}
        barrier.wait()
        response = client.post(url, {**data, "reason": f"opslag {i}"})
        return response.status_code, response.content.decode()

    answers = _in_parallel(count, save)

    assert [status for status, _ in answers] == [302] * count, [a for a in answers if a[0] != 302][:3]
    versions = _assert_history_without_gaps(column)
    for student in students:
        result = Result.objects.get(column=column, student=student)
        history = versions[result.pk]
        had_one = student in students[:3]
        assert len(history) == count + (1 if had_one else 0)
        stored = sorted(v.value for v in history[1 if had_one else 0 :])
        assert stored == sorted(_value_of(i) for i in range(count))  # every save's value, each once
        values = [_value_of(i) for i in range(count)]
        for v in history[1 if had_one else 0 :]:
            saver = values.index(v.value)
            assert v.changed_by == teachers[saver % 2] and v.reason in ("", f"opslag {saver}")


def test_parallel_saves_of_a_loaded_grid_store_one_and_show_the_others_their_conflicts(grid) -> None:
    """Every teacher loaded the grid before anyone saved: the first save is stored; every later one finds all its
    cells changed meanwhile and gets the grid back (409) with the other value shown and its own typing kept."""
    column, students, teachers, url = grid
    count = 2 * SAVES_PER_TEACHER

    def save(i: int, barrier: threading.Barrier) -> tuple[int, str]:
        client = Client()
        client.force_login(teachers[i % 2])
        page = client.get(url).content.decode()
        loaded = dict(LOADED_VERSION.findall(page))
        assert set(loaded) == {str(s.pk) for s in students}, "the grid carries the loaded version of every cell"
        data = {f"cell-{s.pk}": format_grade(_value_of(i)) for s in students}
        data.update({f"v-{pk}": version for pk, version in loaded.items()})
        barrier.wait()
        response = client.post(url, {**data, "reason": f"opslag {i}"})
        return response.status_code, response.content.decode()

    answers = _in_parallel(count, save)

    statuses = [status for status, _ in answers]
    assert sorted(statuses) == [302] + [409] * (count - 1), [a for a in answers if a[0] not in (302, 409)][:3]
    winner = statuses.index(302)
    versions = _assert_history_without_gaps(column)
    for student in students:
        result = Result.objects.get(column=column, student=student)
        assert result.value == _value_of(winner)
        assert len(versions[result.pk]) == (2 if student in students[:3] else 1)
    for i, (_status, html) in enumerate(answers):
        if i == winner:
            continue
        assert "intussen gewijzigd" in html
        for student in students:
            assert student.sort_name in html
        assert f'value="{format_grade(_value_of(i))}"' in html  # the typed value stays in the cell
        assert format_grade(_value_of(winner)) in html  # and the stored one is shown beside it


def test_a_retraction_during_a_grid_save_waits_for_it_and_takes_the_next_version(grid, monkeypatch) -> None:
    """result_retract takes the same column lock as results_save: a retraction that comes while a save has read
    the results (and not yet written) runs after it, instead of taking the version number the save is writing."""
    column, students, teachers, _url = grid
    result = Result.objects.get(column=column, student=students[0])
    read_done = threading.Event()
    real_insert_rows = actions.insert_rows

    def slow_insert_rows(*args, **kwargs):
        read_done.set()  # the save has read the stored results under its lock; hold it a moment before writing
        time.sleep(0.5)
        return real_insert_rows(*args, **kwargs)

    monkeypatch.setattr(actions, "insert_rows", slow_insert_rows)

    def work(i: int, barrier: threading.Barrier) -> tuple[int, str]:
        if i == 0:
            actions.results_save(
                cells=[(column, students[0].pk, ParsedCell(value=Decimal("7.0")))], by=teachers[0], at=AT, reason="a"
            )
        else:
            assert read_done.wait(10)
            actions.result_retract(result=result, by=teachers[1], at=AT, reason="verkeerde leerling")
        return 200, ""

    answers = _in_parallel(2, work)

    assert answers == [(200, ""), (200, "")], answers
    _assert_history_without_gaps(column)
    history = ResultVersion.objects.filter(result=result).order_by("version")
    assert [(v.version, v.action, v.value) for v in history] == [
        (1, "create", Decimal("9.9")),
        (2, "change", Decimal("7.0")),
        (3, "retract", Decimal("7.0")),
    ]
