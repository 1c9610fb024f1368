"""The cached grades page always equals the page the engine builds now (docs/caching.md).

A hypothesis test drives random writes through the actions (and the admin's plain saves) interleaved with clock
instants on and around transitions (16:59:59.999999, 17:00, midnight) and compares, for the student, a guardian
with custody and one without, the cached page with a fresh build at every step. Two mutations (a missing version
bump, an expiry past the next transition) show that the comparison catches a stale page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inzage.grades import actions as grade_actions
from inzage.grades.models import AssessmentKind, Column, Result
from inzage.grades.parsing import parse_cell
from inzage.people.models import CourtRestriction
from inzage.portal import cached_pages
from inzage.portal.cached_pages import grades_page, grades_page_build
from inzage.testing.queries import page_queries
from inzage.visibility import actions, versions
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import Override
from inzage.visibility.tests.conftest import AMS, local, set_policy

START = local(2026, 3, 2, 16)  # a Monday in period 3
VIEWERS = ("student", "parent", "parent_without_custody")
POLICIES = (
    'format = 1\n[publication]\ntimes = ["17:00"]\nkinds = ["grades"]\n[student_first]\nschool_days = 1\n'
    'kinds = ["grades"]\n',
    'format = 1\n[base]\nguardians = ["attendance"]\n',
    'format = 1\n[publication]\ntimes = ["17:00"]\nkinds = ["grades"]\n[consent]\nmodel = "always"\n'
    'default_before_18 = "not_shared"\n',
    'format = 1\n[[windows]]\nlabel = "dicht"\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
    "start = 2026-03-03\nend = 2026-03-04\n",
)


# ------------------------------------------------------------------------------------------------ the check


def page_or_none(build, **kwargs) -> tuple[str, str, str] | None:
    try:
        page = build(**kwargs)
    except Http404:
        return None
    return (page.student_name, page.audience, page.html)


def check_cached_equals_fresh(personas, at: dt.datetime) -> None:
    """For every viewer: the page a request gets (cached where allowed) equals the engine's page built now."""
    for name in VIEWERS:
        user = personas.user(name)
        cached = page_or_none(grades_page, user=user, student_id=personas.student.pk, at=at)
        fresh = page_or_none(grades_page_build, user=user, student_id=personas.student.pk, at=at, versions={})
        assert cached == fresh, f"stale page for {name} at {at.isoformat()}"


# ------------------------------------------------------------------------------------------------ the world


def _next_local(t: dt.datetime, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> dt.datetime:
    local_t = t.astimezone(AMS)
    candidate = local_t.replace(hour=hour, minute=minute, second=second, microsecond=micro)
    if candidate <= local_t:
        candidate = dt.datetime.combine(local_t.date() + dt.timedelta(days=1), candidate.timetz())
    return candidate


ADVANCES = {
    "none": lambda t: t,
    "1us": lambda t: t + dt.timedelta(microseconds=1),
    "1s": lambda t: t + dt.timedelta(seconds=1),
    "1h": lambda t: t + dt.timedelta(hours=1),
    "to_16:59:59.999999": lambda t: _next_local(t, 16, 59, 59, 999999),
    "to_17:00": lambda t: _next_local(t, 17),
    "to_23:59:59.999999": lambda t: _next_local(t, 23, 59, 59, 999999),
    "to_midnight": lambda t: _next_local(t, 0),
    "1d": lambda t: t + dt.timedelta(days=1),
}


class World:
    """The personas plus the writes of the sequence, all made at the clock's instant."""

    def __init__(self, personas) -> None:
        self.p = personas
        self.kind, _ = AssessmentKind.objects.get_or_create(
            school=personas.school, code="toets", defaults={"name": "toets"}
        )
        self.n = Column.objects.count()  # examples share one database: codes stay unique

    def today(self, t: dt.datetime) -> dt.date:
        return t.astimezone(AMS).date()

    def column(self, t: dt.datetime, pick: int, mode: str, release_at: dt.datetime | None = None) -> None:
        self.n += 1
        column = grade_actions.column_create(
            group=self.p.group,
            kind=self.kind,
            period=self.p.periods[2],
            name=f"Toets {self.n}",
            code=f"T{self.n}",
            date=self.today(t),
            by=self.p.user("teacher"),
            at=t,
            release_mode=mode,
            release_at=release_at,
        )
        value = f"{1 + pick % 9},{pick % 10}"
        grade_actions.results_save(
            cells=[(column, self.p.student.pk, parse_cell(value, result_type=column.result_type))],
            existing={},
            by=self.p.user("teacher"),
            at=t,
            reason="",
        )

    def apply(self, op: str, t: dt.datetime, pick: int) -> None:
        p, today = self.p, self.today(t)
        columns = list(Column.objects.filter(teaching_group=p.group).order_by("pk"))
        results = list(Result.objects.filter(student=p.student).order_by("pk"))
        if op == "column_now":
            self.column(t, pick, Column.ReleaseMode.NOW)
        elif op == "column_at_17":
            self.column(t, pick, Column.ReleaseMode.AT, _next_local(t, 17))
        elif op == "column_held":
            self.column(t, pick, Column.ReleaseMode.HELD)
        elif op == "release" and columns:
            column = columns[pick % len(columns)]
            grade_actions.column_release(column=column, mode=Column.ReleaseMode.NOW, by=p.user("teacher"), at=t)
        elif op == "retract" and columns:
            column = columns[pick % len(columns)]
            if column.retracted_at is None:
                grade_actions.column_retract(column=column, by=p.user("teacher"), at=t, reason="fout")
        elif op == "change_result" and results:
            result = results[pick % len(results)]
            cell = parse_cell(f"{1 + (pick // 7) % 9},5", result_type=result.column.result_type)
            grade_actions.results_save(
                cells=[(result.column, p.student.pk, cell)],
                existing={(result.column_id, p.student.pk): result},
                by=p.user("teacher"),
                at=t,
                reason="correctie",
            )
        elif op in ("override_open", "override_close"):
            actions.override_create(
                student=p.student,
                guardian=p.parent if pick % 2 else None,
                effect="open" if op == "override_open" else "close",
                kinds=[DataKind.GRADES],
                starts_on=today + dt.timedelta(days=pick % 2),
                until=today + dt.timedelta(days=1 + pick % 3) if pick % 3 else None,
                reason="mentor",
                created_by=p.user("mentor"),
                at=t,
            )
        elif op == "revoke":
            open_ones = list(Override.objects.filter(student=p.student, revoked_at__isnull=True).order_by("pk"))
            if open_ones:
                actions.override_revoke(override=open_ones[pick % len(open_ones)], revoked_by=p.user("mentor"), at=t)
        elif op in ("consent_yes", "consent_no"):
            actions.consent_record(
                student=p.student,
                guardian=p.parent,
                kinds=[DataKind.GRADES],
                granted=op == "consent_yes",
                recorded_by=p.user("student"),
                at=t,
            )
        elif op == "share" and results:
            result = results[pick % len(results)]
            actions.share_create(
                student=p.student, kind=DataKind.GRADES, item_id=result.pk, shared_by=p.user("student"), at=t
            )
        elif op == "request":
            request = actions.information_request_create(
                relation=p.no_custody_relation, kinds=[DataKind.GRADES], requested_on=today
            )
            actions.information_request_decide(
                request=request,
                granted=bool(pick % 3),
                reason="" if pick % 3 else "belang van het kind",
                custodial_parent_told_on=today + dt.timedelta(days=pick % 2),
                decided_by=p.user("admin"),
                at=t,
            )
        elif op == "relation_end":  # as the admin does it: a plain save
            p.parent_relation.end_date = today + dt.timedelta(days=pick % 2)
            p.parent_relation.save()
        elif op == "court":  # the admin again
            CourtRestriction.objects.create(
                school=p.school,
                relation=p.parent_relation,
                ordered_on=today,
                effective_from=today + dt.timedelta(days=pick % 2),
                kinds=[DataKind.GRADES],
            )
        elif op == "policy":
            set_policy(p.school, POLICIES[pick % len(POLICIES)], at=t)
        elif op == "birthday":  # the student's record: 16 or 18 tomorrow
            years = 16 if pick % 2 else 18
            tomorrow = today + dt.timedelta(days=1)
            p.student.date_of_birth = tomorrow.replace(year=tomorrow.year - years)
            p.student.save()


OPS = (
    "view",
    "column_now",
    "column_at_17",
    "column_held",
    "release",
    "retract",
    "change_result",
    "override_open",
    "override_close",
    "revoke",
    "consent_yes",
    "consent_no",
    "share",
    "request",
    "relation_end",
    "court",
    "policy",
    "birthday",
)

steps = st.lists(
    st.tuples(st.sampled_from(sorted(ADVANCES)), st.sampled_from(OPS), st.integers(0, 1000)), min_size=1, max_size=8
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps, policy=st.integers(0, len(POLICIES) - 1))
def test_the_cached_page_always_equals_the_engines_page(personas, sequence, policy) -> None:
    from django.core.cache import caches

    caches["default"].clear()  # examples share the database of one test; each starts from its own state
    world = World(personas)
    set_policy(personas.school, POLICIES[policy], at=START - dt.timedelta(days=30))
    t = START
    world.column(t - dt.timedelta(days=1), 7, Column.ReleaseMode.NOW)
    check_cached_equals_fresh(personas, t)
    for advance, op, pick in sequence:
        t = ADVANCES[advance](t)
        world.apply(op, t, pick)
        check_cached_equals_fresh(personas, t)


# -------------------------------------------------------------------------------------- the check can fail


def test_the_check_detects_a_missing_version_bump(personas, monkeypatch) -> None:
    """Mutation: a consent that moves no counter leaves the guardian's cached page stale, and the check says so."""
    world = World(personas)
    set_policy(personas.school, POLICIES[2], at=START - dt.timedelta(days=30))
    world.column(START - dt.timedelta(days=1), 7, Column.ReleaseMode.NOW)
    world.apply("consent_yes", START, 0)
    check_cached_equals_fresh(personas, START + dt.timedelta(milliseconds=500))  # caches every viewer's page
    monkeypatch.setitem(versions.TRACKED, "visibility.Consent", lambda consent: (consent.school_id, [], []))
    world.apply("consent_no", START + dt.timedelta(seconds=1), 0)
    with pytest.raises(AssertionError, match="stale page for parent"):
        check_cached_equals_fresh(personas, START + dt.timedelta(seconds=2))


def test_the_check_detects_an_expiry_past_the_next_transition(personas, monkeypatch) -> None:
    """Mutation: a page that outlives 17:00 keeps hiding the grade published at 17:00, and the check says so."""
    world = World(personas)
    set_policy(personas.school, POLICIES[0], at=START - dt.timedelta(days=30))
    world.apply("column_at_17", START, 3)  # released to 17:00 today
    monkeypatch.setattr(cached_pages, "next_transition", lambda *, after, **kw: after + dt.timedelta(days=7))
    before = _next_local(START, 16, 59, 59, 999999)
    check_cached_equals_fresh(personas, before)
    with pytest.raises(AssertionError, match="stale page for student"):
        check_cached_equals_fresh(personas, before + dt.timedelta(microseconds=1))


# ------------------------------------------------------------------------------- through the real request path


@pytest.fixture
def at_start(personas, monkeypatch):
    """The app's clock at START, running forward (inzage.clock)."""
    import time

    monkeypatch.setenv("INZAGE_NOW", START.isoformat())
    monkeypatch.setenv("INZAGE_NOW_AT", str(time.time()))
    set_policy(personas.school, "format = 1\n", at=START - dt.timedelta(days=30))  # no 17:00, no student-first
    return personas


def _page(client, personas) -> str:
    response = client.get(reverse("portal:grades", args=[personas.student.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_write_shows_on_the_next_request(client, at_start) -> None:
    """A teacher's grade, a mentor's override, a consent and a policy activation each show on the next request."""
    p, world = at_start, World(at_start)
    client.force_login(p.user("parent"))
    assert "Nog geen cijfers." in _page(client, p)
    assert "Nog geen cijfers." in _page(client, p)  # now from the cache

    world.column(START, 4, Column.ReleaseMode.NOW)  # the teacher: 5,4
    assert "5,4" in _page(client, p)

    actions.override_create(
        student=p.student,
        guardian=p.parent,
        effect="close",
        kinds=[DataKind.GRADES],
        starts_on=START.date(),
        until=None,
        reason="rust in de toetsweek",
        created_by=p.user("mentor"),
        at=START,
    )
    assert "5,4" not in _page(client, p)
    Override.objects.update(revoked_at=START)  # no signal: bump as an action would (keeps the next step honest)
    versions.versions_bump(school_id=p.school.pk, student_ids=[p.student.pk])
    assert "5,4" in _page(client, p)

    consent_policy = 'format = 1\n[consent]\nmodel = "always"\ndefault_before_18 = "not_shared"\n'
    set_policy(p.school, consent_policy, at=START)  # the student has a say; not shared until they choose
    assert "5,4" not in _page(client, p)
    actions.consent_record(
        student=p.student, guardian=p.parent, kinds=[DataKind.GRADES], granted=True, recorded_by=p.user("student"),
        at=START,
    )  # fmt: skip
    assert "5,4" in _page(client, p)


def test_a_guardian_whose_relation_ended_gets_404_from_the_cache_too(client, at_start) -> None:
    p = at_start
    client.force_login(p.user("parent"))
    _page(client, p)
    p.parent_relation.end_date = START.date() - dt.timedelta(days=1)
    p.parent_relation.save()
    response = client.get(reverse("portal:grades", args=[p.student.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["student", "parent"])
def test_a_warm_grades_page_costs_at_most_three_queries(client, at_start, name) -> None:
    p = at_start
    world = World(p)
    for i in range(5):
        world.column(START - dt.timedelta(days=i + 1), i, Column.ReleaseMode.NOW)
    client.force_login(p.user(name))
    first = _page(client, p)
    with CaptureQueriesContext(connection) as queries:
        again = _page(client, p)
    assert len(page_queries(queries.captured_queries)) <= 3, page_queries(queries.captured_queries)
    token_free = first.split('name="csrfmiddlewaretoken" value="')[0]
    assert again.split('name="csrfmiddlewaretoken" value="')[0] == token_free


def test_the_cached_student_page_has_this_sessions_csrf_token(client, at_start) -> None:
    p = at_start
    World(p).column(START - dt.timedelta(days=1), 2, Column.ReleaseMode.NOW)
    client.force_login(p.user("student"))
    _page(client, p)
    body = _page(client, p)
    assert cached_pages.csrf_placeholder() not in body
    result = Result.objects.get(student=p.student)
    response = client.post(reverse("portal:share", args=[p.student.pk, result.pk]))  # enforce_csrf_checks off here
    assert response.status_code == 302
    assert "Gedeeld" in _page(client, p)


def test_a_warm_start_page_costs_at_most_three_queries(client, personas) -> None:
    client.force_login(personas.user("parent"))
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/").content.decode()
    assert "Ouder of verzorger" in body
    assert len(page_queries(queries.captured_queries)) <= 3, page_queries(queries.captured_queries)


def test_a_cold_page_takes_the_calendar_and_policy_from_the_process_until_the_school_counter_moves(personas) -> None:
    """The second cold build of the same school reads no calendar or policy; a calendar change moves the school's
    counter and the next build reads them again (and sees the change)."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inzage.schools.models import CalendarRange
    from inzage.visibility.policy import facts, viewer_for
    from inzage.visibility.versions import Scope, versions_read

    def build() -> tuple[list[str], object]:
        viewer = viewer_for(personas.user("parent"))
        viewer.school_version = versions_read([(Scope.SCHOOL, personas.school.pk)])[(Scope.SCHOOL, personas.school.pk)]
        with CaptureQueriesContext(connection) as captured:
            loaded = facts.load_facts(viewer=viewer, student_id=personas.student.pk)
        assert loaded is not None
        return [q["sql"] for q in captured.captured_queries], loaded.calendar

    first, _calendar = build()
    second, calendar = build()
    assert any("schools_calendarrange" in sql for sql in first)
    assert not any("schools_calendarrange" in sql or "visibility_policyversion" in sql for sql in second)
    CalendarRange.objects.create(
        school=personas.school, school_year=personas.year, code="vrij", kind="free_day", name="Studiedag",
        start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 1),
    )  # fmt: skip
    third, calendar = build()
    assert any("schools_calendarrange" in sql for sql in third)
    assert any(r.code == "vrij" for r in calendar.ranges)  # type: ignore[attr-defined]
