"""The property that keeps the engine honest: for random policies, relations, items and instants, `decide` on each
item and the queryset filter `visible_results` give the same answer, and the same version of every changed result
(corrections: several versions, a retraction and re-entry, a missing history). The results include resit chains (linked
items): resits of held, retracted, later-released and other-group originals, a resit of a resit, a resit whose
original column has no result of the student, and a chain longer than the engine follows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inzage.grades.models import AssessmentKind, Column, ResultVersion
from inzage.people.models import CourtRestriction
from inzage.schools.models import CalendarRange
from inzage.testing import factories as f
from inzage.testing.personas import Personas
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import Consent, InformationRequest, Override, Share
from inzage.visibility.policy import (
    context_for,
    decide,
    item_from_result,
    items_from_results,
    viewer_for,
    visible_results,
)
from inzage.visibility.policy.document import (
    ConsentModel,
    PolicySpec,
    Publication,
    StudentFirst,
    Window,
)
from inzage.visibility.tests.conftest import AMS, make_result

YEAR_START = dt.datetime(2025, 8, 20, tzinfo=AMS)
YEAR_MINUTES = 340 * 24 * 60

instants = st.one_of(
    st.integers(0, YEAR_MINUTES).map(lambda m: YEAR_START + dt.timedelta(minutes=m)),
    # Near the interesting edges: midnight and the publication times.
    st.tuples(st.integers(0, 340), st.sampled_from([(0, 0), (16, 59), (17, 0), (23, 59), (8, 30)])).map(
        lambda t: dt.datetime.combine(YEAR_START.date() + dt.timedelta(days=t[0]), dt.time(*t[1]), tzinfo=AMS)
    ),
)
maybe_instants = st.one_of(st.none(), instants)
days = st.integers(0, 330).map(lambda d: YEAR_START.date() + dt.timedelta(days=d))
grade_kinds = st.sampled_from([frozenset({"grades"}), frozenset({"grades", "averages"}), frozenset({"averages"})])


@st.composite
def windows(draw) -> Window:
    start = draw(days)
    use_range = draw(st.booleans())
    scope = draw(st.sampled_from(["school", "H3A", "H3B", "havo", "year3", "year4"]))
    return Window(
        audience=draw(st.sampled_from(["students", "guardians"])),
        kinds=draw(grade_kinds),
        effect=draw(st.sampled_from(["open", "close"])),
        start=None if use_range else start,
        end=None if use_range else start + dt.timedelta(days=draw(st.integers(0, 60))),
        range="toetsweek" if use_range else "",
        classes=frozenset({scope}) if scope.startswith("H3") else frozenset(),
        levels=frozenset({"havo"}) if scope == "havo" else frozenset(),
        years=frozenset({int(scope[-1])}) if scope.startswith("year") else frozenset(),
    )


@st.composite
def policies(draw) -> PolicySpec:
    base = st.sampled_from([frozenset(DataKind.values), frozenset({"attendance"}), frozenset({"grades"})])
    return PolicySpec(
        students=draw(base),
        guardians=draw(base),
        publication=Publication(
            times=draw(st.sampled_from([(), (dt.time(17),), (dt.time(8, 30), dt.time(17))])),
            school_days_only=draw(st.booleans()),
            kinds=draw(grade_kinds),
        ),
        student_first=StudentFirst(
            school_days=draw(st.integers(0, 3)),
            kinds=draw(grade_kinds),
            share_opens_closed_window=draw(st.booleans()),
        ),
        consent=ConsentModel(
            model=draw(st.sampled_from(["at_18", "from_16", "always"])), default_before_18=draw(st.booleans())
        ),
        windows=tuple(draw(st.lists(windows(), max_size=2))),
    )


def _results(p: Personas) -> list:
    other_group = f.TeachingGroupFactory(school_year=p.year, subject=p.subject, name="h3-extra")
    other_group.students.add(p.student)
    f.CalendarRangeFactory(
        school_year=p.year, code="herfst", kind="holiday", start=dt.date(2025, 10, 18), end=dt.date(2025, 10, 26)
    )
    f.CalendarRangeFactory(
        school_year=p.year, code="toetsweek", kind="test_week", start=dt.date(2026, 1, 19), end=dt.date(2026, 1, 23)
    )
    f.CalendarRangeFactory(
        school_year=p.year,
        code="kerst",
        kind=CalendarRange.Kind.HOLIDAY,
        start=dt.date(2025, 12, 20),
        end=dt.date(2026, 1, 4),
    )
    out = []
    for i in range(24):
        release = None if i % 7 == 0 else YEAR_START + dt.timedelta(days=13 * i, hours=(i * 5) % 24, minutes=i)
        entered = None if i == 3 else YEAR_START + dt.timedelta(days=13 * i - (i % 3), hours=(i * 7) % 24)
        out.append(
            make_result(
                student=p.student,
                group=p.group if i % 2 else other_group,
                period=p.periods[0],
                release_at=release,
                entered_at=entered,
                retracted=i % 11 == 5,
            )
        )
    out.append(
        make_result(
            student=p.other_student,
            group=p.other_group,
            period=p.periods[0],
            release_at=YEAR_START,
            entered_at=YEAR_START,
        )
    )
    out = out + _resits(p, out, other_group)
    _corrections(out)
    return out


def _corrections(results: list) -> None:
    """Versions: corrections of some results (a day, a week, minutes after entry; before and after the column's
    release; several), a retraction followed by a re-entry, and a result whose history rows are missing."""
    from inzage.grades.models import ResultVersion

    def history(result, steps) -> None:
        rows = [(1, "create", "7.5", result.entered_at or YEAR_START), *steps]
        for number, action, value, at in rows:
            ResultVersion.objects.create(
                school=result.school, result=result, version=number, action=action, value=value,
                status="normal", changed_at=at, reason="test" if number > 1 else "",
            )  # fmt: skip
        result.version, result.value = rows[-1][0], rows[-1][2]
        result.retracted_at = result.retracted_at if rows[-1][1] != "retract" else YEAR_START
        result.save(update_fields=["version", "value", "retracted_at"])

    day = dt.timedelta(days=1)
    for i, offsets in [(1, [1]), (2, [0.01, 6]), (4, [3, 3.2, 20]), (8, [40]), (9, [2]), (12, [0.5]), (15, [-1])]:
        r = results[i]
        base = r.entered_at or YEAR_START
        history(r, [(n + 2, "change", f"{5 + n}.0", base + day * o) for n, o in enumerate(offsets)])
    r = results[6]  # retracted, then entered again two days later (the release clock starts again: results_save)
    base = r.entered_at or YEAR_START
    history(r, [(2, "retract", "7.5", base + day), (3, "change", "4.0", base + 2 * day)])
    r.entered_at = base + 2 * day
    r.save(update_fields=["entered_at"])
    r = results[11]  # a version number without its history rows: shown to nobody but staff (fail closed)
    r.version = 3
    r.save(update_fields=["version"])


def _resit_column(p: Personas, original: Column, group, release: dt.datetime | None, name: str) -> Column:
    kind, _ = AssessmentKind.objects.get_or_create(school=p.school, code="toets", defaults={"name": "toets"})
    return Column.objects.create(
        school=p.school,
        teaching_group=group,
        subject=group.subject,
        period=p.periods[0],
        kind=kind,
        name=name,
        code=name,
        date=(release or YEAR_START).date(),
        release_mode=Column.ReleaseMode.HELD if release is None else Column.ReleaseMode.AT,
        release_at=release,
        resit_of=original,
    )


def _resits(p: Personas, results: list, other_group) -> list:
    """Resit chains over the plain results: originals held (0, 7, 14), not entered (3), retracted (5, 16), released
    before or after the resit, in the other group; resits of resits; an original column without the student's
    result; and a chain three resits deep (beyond `RESIT_DEPTH_MAX`: always hidden)."""
    out = []

    def resit(original: Column, i: int, shift_days: int, group=None, student=None) -> Column:
        release = None if i % 9 == 4 else original.release_at or YEAR_START + dt.timedelta(days=13 * i)
        if release is not None:
            release += dt.timedelta(days=shift_days, hours=i % 5)
        col = _resit_column(p, original, group or p.group, release, f"H{len(out)}")
        entered = None if i % 10 == 6 else (release or YEAR_START) - dt.timedelta(hours=3)
        out.append(
            make_result(
                student=student or p.student,
                group=col.teaching_group,
                period=p.periods[0],
                release_at=release,
                entered_at=entered,
                column=col,
            )
        )
        return col

    first = [
        resit(results[i].column, i, shift, group)
        for i, shift, group in [
            (0, 3, None),
            (1, 2, None),
            (2, -4, other_group),
            (3, 1, None),
            (5, 5, None),
            (7, -2, None),
            (10, 1, None),
            (13, -1, None),
            (16, 4, None),
            (19, 0, other_group),
        ]
    ]
    second = [resit(first[k], k + 20, shift) for k, shift in [(1, 2), (2, -1), (4, 3), (6, 1), (9, 2)]]
    resit(second[3], 30, 1)  # three deep: hidden whatever the policy
    alone = make_result(
        student=p.other_student, group=p.group, period=p.periods[0], release_at=YEAR_START, entered_at=YEAR_START
    ).column  # a column in which our student has no result
    resit(alone, 31, 40)
    held_alone = make_result(
        student=p.other_student, group=p.group, period=p.periods[0], release_at=None, entered_at=YEAR_START
    ).column
    resit(held_alone, 32, 0)
    return out


def test_decide_and_the_filter_agree(personas) -> None:
    p = personas
    results = _results(p)
    ids = [r.pk for r in results]
    # Instants on the boundaries: exactly at a release, and at the release times' 17:00 and midnight.
    boundaries = sorted(
        {r.column.release_at for r in results if r.column.release_at}
        | {r.entered_at for r in results if r.entered_at}
        | {
            dt.datetime.combine(r.column.release_at.astimezone(AMS).date() + dt.timedelta(days=d), t, tzinfo=AMS)
            for r in results
            if r.column.release_at
            for d in (0, 1, 3)
            for t in (dt.time(17), dt.time(0))
        }
    )
    items = [item_from_result(r) for r in results]
    releases = sorted({x.released_at for i in items for x in (i, *i.links) if x.released_at})
    by_column = {(r.column_id, r.student_id): r.pk for r in results}
    originals = {
        r.pk: by_column.get((r.column.resit_of_id, r.student_id)) for r in results if r.column.resit_of_id is not None
    }
    assert sum(1 for i in items if i.links) >= 15, "the resit chains are missing"
    assert sum(1 for i in items if len(i.versions) > 1) >= 7, "the corrections are missing"
    stored_values = {
        pk: {v: Decimal(value) for v, value in versions}
        for pk, versions in _grouped(
            ResultVersion.objects.filter(result_id__in=ids).values_list("result_id", "version", "value")
        ).items()
    }
    older: list[str] = []  # examples where someone saw an older version than the current one
    partial = []  # examples where some but not all of the student's results were visible

    # Derandomized: the coverage counts below (partial, older) must not depend on the run's random seed.
    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(
        policy=policies(),
        at=st.one_of(instants, st.sampled_from(boundaries), st.sampled_from(releases)),
        born=st.sampled_from([dt.date(2011, 3, 14), dt.date(2009, 11, 20), dt.date(2007, 11, 20)]),
        shares=st.lists(st.tuples(st.sampled_from(ids), instants), max_size=4, unique_by=lambda t: t[0]),
        consent=st.one_of(st.none(), st.tuples(st.booleans(), instants)),
        override=st.one_of(st.none(), st.tuples(st.sampled_from(["open", "close"]), days, st.booleans(), instants)),
        request=st.one_of(st.none(), st.tuples(st.booleans(), instants)),
        court=st.one_of(st.none(), days),
    )
    def check(policy, at, born, shares, consent, override, request, court) -> None:
        p.student.date_of_birth = born
        p.student.save(update_fields=["date_of_birth"])
        rows = []
        for result_id, shared_at in shares:
            rows.append(
                Share.objects.create(
                    school=p.school,
                    student=p.student,
                    kind="grades",
                    item_id=result_id,
                    shared_at=shared_at,
                    shared_by=p.user("student"),
                )
            )
        if consent:
            rows.append(
                Consent.objects.create(
                    school=p.school,
                    student=p.student,
                    guardian=p.parent,
                    kind="grades",
                    granted=consent[0],
                    recorded_at=consent[1],
                    recorded_by=p.user("student"),
                )
            )
        if override:
            effect, start, for_parent, created = override
            rows.append(
                Override.objects.create(
                    school=p.school,
                    student=p.student,
                    guardian=p.parent if for_parent else None,
                    effect=effect,
                    kinds=["grades"],
                    starts_on=start,
                    until=start + dt.timedelta(days=20),
                    reason="test",
                    created_at=created,
                    created_by=p.user("mentor"),
                )
            )
        if request:
            rows.append(
                InformationRequest.objects.create(
                    school=p.school,
                    relation=p.no_custody_relation,
                    kinds=["grades"],
                    requested_on=dt.date(2025, 9, 1),
                    status="granted",
                    decided_at=request[1],
                    custodial_parent_told_on=dt.date(2025, 9, 2) if request[0] else None,
                )
            )
        if court:
            rows.append(
                CourtRestriction.objects.create(
                    school=p.school,
                    relation=p.parent_relation,
                    ordered_on=court,
                    effective_from=court,
                    effective_until=court + dt.timedelta(days=30),
                    kinds=["grades"],
                )
            )
        try:
            loaded = list(type(results[0]).objects.filter(pk__in=ids).select_related("column", "column__subject"))
            loaded_items = items_from_results(loaded)  # the same as item_from_result on each, in fewer queries
            for persona in Personas.PERSONA_NAMES:
                user = p.user(persona)
                viewer = viewer_for(user, policy=policy)
                by_decide = {
                    r.pk
                    for r, item in zip(loaded, loaded_items, strict=True)
                    if decide(viewer=viewer, item=item, at=at).visible and r.student_id == p.student.pk
                }
                listed = list(visible_results(viewer=viewer_for(user, policy=policy), student=p.student, at=at))
                by_filter = {r.pk for r in listed}
                assert by_decide == by_filter, persona
                # Versions: the same version of every changed result, and its value on the row.
                ctx = context_for(viewer=viewer, student_id=p.student.pk, at=at)
                version_by_decide = {
                    r.pk: ctx.shown_version(item) or r.version
                    for r, item in zip(loaded, loaded_items, strict=True)
                    if r.pk in by_decide
                }
                version_by_filter = {r.pk: getattr(r, "shown_version", r.version) for r in listed}
                assert version_by_decide == version_by_filter, persona
                for r in listed:
                    if r.pk in stored_values:
                        assert r.value == stored_values[r.pk][version_by_filter[r.pk]], persona
                        older.extend([persona] if version_by_filter[r.pk] < r.version else [])
                # Linked items: a resit is only ever visible together with its original.
                for r in loaded:
                    original = originals.get(r.pk)
                    if r.pk in by_filter and original is not None:
                        assert original in by_filter, (persona, r.column.name)
                if 0 < len(by_filter) < len(ids) - 1:
                    partial.append(persona)
        finally:
            for row in rows:
                row.delete()

    check()
    assert len(partial) >= 10, "the examples hardly exercise the interesting cases"
    # With the fixed seed, 2 of 120 examples show someone an older version (with random seeds the old bound of 5
    # failed now and then). The bound guards that the examples still reach a correction waiting for its moment.
    assert len(older) >= 2, ("the examples hardly show a correction waiting for its moment", len(older), len(partial))


def _grouped(rows) -> dict:
    out: dict = {}
    for key, *rest in rows:
        out.setdefault(key, []).append(tuple(rest))
    return out


# ------------------------------------------------------------------------- the timetable and homework kinds (issue 10)

timetable_kinds = st.sampled_from(
    [frozenset({"timetable"}), frozenset({"homework"}), frozenset({"timetable", "homework"}), frozenset({"grades"})]
)


@st.composite
def timetable_policies(draw) -> PolicySpec:
    base = draw(policies())
    tt_windows = tuple(
        Window(
            audience=w.audience,
            kinds=draw(timetable_kinds),
            effect=w.effect,
            start=w.start,
            end=w.end,
            range=w.range,
            classes=w.classes,
            levels=w.levels,
            years=w.years,
        )
        for w in base.windows
    )
    everything = frozenset(DataKind.values)
    guardians = draw(st.sampled_from([everything, everything - {"timetable"}, everything - {"homework"}]))
    return PolicySpec(
        students=base.students | {"timetable", "homework"} if draw(st.booleans()) else base.students,
        guardians=guardians,
        publication=base.publication,
        student_first=base.student_first,
        consent=base.consent,
        windows=tt_windows,
        staff=base.staff,
    )


def _lessons_and_homework(p: Personas) -> tuple[list, list]:
    from inzage.testing.timetable import LessonFactory
    from inzage.timetable.models import Homework

    extra_group = f.TeachingGroupFactory(school_year=p.year, subject=p.subject, name="h3-extra-tt")
    extra_group.students.add(p.student)
    f.CalendarRangeFactory(
        school_year=p.year, code="toetsweek", kind="test_week", start=dt.date(2026, 1, 19), end=dt.date(2026, 1, 23)
    )
    lessons, homework = [], []
    for i in range(18):
        group = (p.group, extra_group, p.other_group)[i % 3]
        day = YEAR_START.date() + dt.timedelta(days=9 * i)
        lessons.append(
            LessonFactory(
                group=group,
                date=day,
                planned_teacher=p.teacher,
                recorded_at=YEAR_START + dt.timedelta(days=17 * i, hours=i),
                withdrawn_at=YEAR_START + dt.timedelta(days=3) if i % 7 == 4 else None,
            )
        )
        homework.append(
            Homework.objects.create(
                school=p.school,
                group=group,
                lesson=lessons[-1] if i % 2 else None,
                due_date=day,
                kind="test" if i % 4 == 0 else "homework",
                text=f"Opdracht {i}",
                entered_by=p.teacher,
                entered_at=YEAR_START + dt.timedelta(days=11 * i, hours=i % 24),
                retracted_at=YEAR_START + dt.timedelta(days=200) if i % 5 == 3 else None,
            )
        )
    return lessons, homework


def test_decide_and_the_filter_agree_on_timetable_and_homework(personas) -> None:
    """The same property for lessons and homework: items of the student's groups (and of another student's), recorded
    at different instants, withdrawn or removed, under random policies, court orders on either kind, overrides."""
    from inzage.timetable.items import homework_item, lesson_item
    from inzage.timetable.models import Homework, Lesson
    from inzage.timetable.queries import visible_homework, visible_lessons

    p = personas
    _lessons_and_homework(p)
    member_groups = set(p.student.teaching_groups.values_list("pk", flat=True))
    span = (YEAR_START.date(), YEAR_START.date() + dt.timedelta(days=340))
    seen = {"some": 0, "none": 0}

    # Derandomized: the coverage counts below (seen) must not depend on the run's random seed.
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(
        policy=timetable_policies(),
        at=instants,
        born=st.sampled_from([dt.date(2011, 3, 14), dt.date(2007, 11, 20)]),
        court=st.one_of(st.none(), st.tuples(days, timetable_kinds)),
        override=st.one_of(st.none(), st.tuples(st.sampled_from(["open", "close"]), days, timetable_kinds)),
    )
    def check(policy, at, born, court, override) -> None:
        p.student.date_of_birth = born
        p.student.save(update_fields=["date_of_birth"])
        rows = []
        if court:
            rows.append(
                CourtRestriction.objects.create(
                    school=p.school,
                    relation=p.parent_relation,
                    ordered_on=court[0],
                    effective_from=court[0],
                    effective_until=court[0] + dt.timedelta(days=40),
                    kinds=sorted(court[1]),
                )
            )
        if override:
            rows.append(
                Override.objects.create(
                    school=p.school,
                    student=p.student,
                    guardian=p.parent,
                    effect=override[0],
                    kinds=sorted(override[2]),
                    starts_on=override[1],
                    until=override[1] + dt.timedelta(days=30),
                    reason="test",
                    created_at=YEAR_START,
                    created_by=p.user("mentor"),
                )
            )
        try:
            lessons = list(Lesson.objects.all())
            homework = list(Homework.objects.all())
            for persona in Personas.PERSONA_NAMES:
                user = p.user(persona)
                viewer = viewer_for(user, policy=policy)
                # A row of a group the student is not in stands for another student's item (id 0: nobody of ours).
                owner = {True: p.student.pk, False: p.other_student.pk}
                by_decide = {
                    x.pk
                    for x in lessons
                    if x.group_id in member_groups
                    and decide(viewer=viewer, item=lesson_item(x, student_id=owner[True]), at=at).visible
                }
                assert not any(
                    decide(viewer=viewer, item=lesson_item(x, student_id=p.other_student.pk), at=at).visible
                    and persona in ("parent", "parent_without_custody")
                    for x in lessons
                ), persona
                by_filter = set(
                    visible_lessons(
                        viewer=viewer_for(user, policy=policy), student=p.student, at=at, start=span[0], end=span[1]
                    ).values_list("pk", flat=True)
                )
                assert by_decide == by_filter, ("timetable", persona)
                hw_decide = {
                    h.pk
                    for h in homework
                    if h.group_id in member_groups
                    and decide(viewer=viewer, item=homework_item(h, student_id=p.student.pk), at=at).visible
                }
                hw_filter = set(
                    visible_homework(
                        viewer=viewer_for(user, policy=policy), student=p.student, at=at, start=span[0], end=span[1]
                    ).values_list("pk", flat=True)
                )
                assert hw_decide == hw_filter, ("homework", persona)
                seen["some" if by_filter or hw_filter else "none"] += 1
        finally:
            for row in rows:
                row.delete()

    check()
    # With the fixed seed: 295 persona checks saw some item, 345 none (80 examples × 8 personas).
    assert seen["some"] >= 50 and seen["none"] >= 50, seen


# -------------------------------------------------------------------------- the attendance and behaviour kinds (issue 11)

attendance_kinds = st.sampled_from(
    [frozenset({"attendance"}), frozenset({"behaviour"}), frozenset({"attendance", "behaviour"}), frozenset({"grades"})]
)


@st.composite
def attendance_policies(draw) -> PolicySpec:
    base = draw(policies())
    att_windows = tuple(
        Window(
            audience=w.audience,
            kinds=draw(attendance_kinds),
            effect=w.effect,
            start=w.start,
            end=w.end,
            range=w.range,
            classes=w.classes,
            levels=w.levels,
            years=w.years,
        )
        for w in base.windows
    )
    everything = frozenset(DataKind.values)
    guardians = draw(st.sampled_from([everything, everything - {"attendance"}, everything - {"behaviour"}]))
    teacher = draw(
        st.sampled_from(
            [base.staff["teacher"], base.staff["teacher"] - {"behaviour"}, base.staff["teacher"] - {"attendance"}]
        )
    )
    officer = draw(st.sampled_from([base.staff["attendance_officer"], frozenset({"timetable"})]))
    return PolicySpec(
        students=base.students | {"attendance", "behaviour"} if draw(st.booleans()) else base.students,
        guardians=guardians,
        publication=base.publication,
        student_first=base.student_first,
        consent=base.consent,
        windows=att_windows,
        staff={**base.staff, "teacher": teacher, "attendance_officer": officer},
    )


def _attendance_rows(p: Personas) -> dict[str, list]:
    """Registrations of every status in the student's groups and another student's, recorded at different instants
    (a removal reaching guardians hours later), sick reports (running and ended), leave, DUO reports."""
    from inzage.attendance.models import DuoReport, LeaveRequest, Registration, SickReport
    from inzage.testing.timetable import LessonFactory

    extra_group = f.TeachingGroupFactory(school_year=p.year, subject=p.subject, name="h3-extra-att")
    extra_group.students.add(p.student)
    f.CalendarRangeFactory(
        school_year=p.year, code="toetsweek", kind="test_week", start=dt.date(2026, 1, 19), end=dt.date(2026, 1, 23)
    )
    teacher_user = p.user("teacher")
    statuses = ["absent", "late", "removed", "present"]
    regs = []
    for i in range(20):
        group, student = ((p.group, p.student), (extra_group, p.student), (p.other_group, p.other_student))[i % 3]
        day = YEAR_START.date() + dt.timedelta(days=8 * i + 1)
        lesson = LessonFactory(group=group, date=day, planned_teacher=p.teacher)
        recorded = YEAR_START + dt.timedelta(days=16 * i, hours=i % 9)
        status = statuses[i % 4]
        regs.append(
            Registration.objects.create(
                school=p.school,
                student=student,
                group=group,
                lesson=lesson,
                starts_at=lesson.starts_at,
                minutes=50,
                status=status,
                late_minutes=10 if status == "late" else 0,
                note="x" if status == "removed" else "",
                recorded_at=recorded,
                guardian_release_at=recorded + dt.timedelta(hours=6 if status == "removed" else 0),
                recorded_by=teacher_user,
            )
        )
    sick, leave, duo = [], [], []
    for i in range(6):
        student = p.student if i % 3 else p.other_student
        at = YEAR_START + dt.timedelta(days=50 * i, hours=7)
        sick.append(
            SickReport.objects.create(
                school=p.school, student=student, reported_by=teacher_user, reported_by_kind="staff",
                reported_at=at, starts_at=at, ends_at=at + dt.timedelta(days=2) if i % 2 else None,
            )
        )  # fmt: skip
        leave.append(
            LeaveRequest.objects.create(
                school=p.school, student=student, kind="important", start=at.date(), end=at.date(), school_days=1,
                requested_by=teacher_user, requested_at=at - dt.timedelta(days=3), state="approved",
            )
        )  # fmt: skip
        duo.append(
            DuoReport.objects.create(
                school=p.school, student=student, kind="threshold", start=at.date(), end=at.date(), counted_until=at,
                minutes=960, signalled_at=at + dt.timedelta(days=1), due_on=at.date(),
            )
        )  # fmt: skip
    return {"registrations": regs, "sick": sick, "leave": leave, "duo": duo}


def test_decide_and_the_filter_agree_on_attendance(personas) -> None:
    """The same property for attendance: registrations (absence and lateness are `attendance`, a removal from class is
    `behaviour` and reaches guardians after the school's delay), sick reports, leave and DUO reports, under random
    policies (teachers and attendance officers with or without the kinds), court orders and overrides on either kind,
    windows; for one student's page (`registrations_visible`, `ctx.filter`) and for a list of students (`any_of`)."""
    from inzage.attendance import queries as aq
    from inzage.attendance.models import DuoReport, LeaveRequest, Registration, SickReport

    p = personas
    rows = _attendance_rows(p)
    seen = {"some": 0, "none": 0, "partial": 0}
    models = {"sick": SickReport, "leave": LeaveRequest, "duo": DuoReport}
    fields = {"sick": aq.SICK_FIELDS, "leave": aq.LEAVE_FIELDS, "duo": aq.DUO_FIELDS}
    items = {"sick": aq.sick_report_item, "leave": aq.leave_item, "duo": aq.duo_report_item}

    # Derandomized: the coverage counts below (seen) must not depend on the run's random seed.
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(
        policy=attendance_policies(),
        at=instants,
        born=st.sampled_from([dt.date(2011, 3, 14), dt.date(2007, 11, 20)]),
        court=st.one_of(st.none(), st.tuples(days, attendance_kinds)),
        override=st.one_of(st.none(), st.tuples(st.sampled_from(["open", "close"]), days, attendance_kinds)),
    )
    def check(policy, at, born, court, override) -> None:
        p.student.date_of_birth = born
        p.student.save(update_fields=["date_of_birth"])
        made = []
        if court:
            made.append(
                CourtRestriction.objects.create(
                    school=p.school, relation=p.parent_relation, ordered_on=court[0], effective_from=court[0],
                    effective_until=court[0] + dt.timedelta(days=40), kinds=sorted(court[1]),
                )
            )  # fmt: skip
        if override:
            made.append(
                Override.objects.create(
                    school=p.school, student=p.student, guardian=p.parent, effect=override[0],
                    kinds=sorted(override[2]), starts_on=override[1], until=override[1] + dt.timedelta(days=30),
                    reason="test", created_at=YEAR_START, created_by=p.user("mentor"),
                )
            )  # fmt: skip
        try:
            for persona in Personas.PERSONA_NAMES:
                viewer = viewer_for(p.user(persona), policy=policy)
                ctx = context_for(viewer=viewer, student_id=p.student.pk, at=at)
                by_decide = {
                    r.pk
                    for r in rows["registrations"]
                    if r.student_id == p.student.pk
                    and decide(viewer=viewer, item=aq.registration_item(r, audience=ctx.audience), at=at).visible
                }
                fresh = viewer_for(p.user(persona), policy=policy)
                fresh_ctx = context_for(viewer=fresh, student_id=p.student.pk, at=at)
                by_filter = set(aq.registrations_visible(fresh_ctx).values_list("pk", flat=True))
                assert by_decide == by_filter, ("registrations", persona)
                # A list of students (the mentor's class, the lesson page): the OR of each student's gate.
                other_ctx = context_for(viewer=fresh, student_id=p.other_student.pk, at=at)
                other_decide = {
                    r.pk
                    for r in rows["registrations"]
                    if r.student_id == p.other_student.pk
                    and other_ctx.decide(aq.registration_item(r, audience=other_ctx.audience)).visible
                }
                listed = set(
                    Registration.objects.filter(aq.any_of([fresh_ctx, other_ctx])).values_list("pk", flat=True)
                )
                assert listed == by_filter | other_decide, ("list of students", persona)
                for name in ("sick", "leave", "duo"):
                    decided = {x.pk for x in rows[name] if ctx.decide(items[name](x)).visible}
                    filtered = set(
                        fresh_ctx.filter(
                            models[name].objects.filter(student_id=p.student.pk), fields[name]
                        ).values_list("pk", flat=True)
                    )
                    assert decided == filtered, (name, persona)
                mine = [r for r in rows["registrations"] if r.student_id == p.student.pk]
                seen["some" if by_filter else "none"] += 1
                seen["partial"] += 0 < len(by_filter) < len(mine)
        finally:
            for row in made:
                row.delete()

    check()
    # With the fixed seed: 287 some, 353 none, 175 partial (80 examples × 8 personas).
    assert seen["some"] >= 50 and seen["none"] >= 50 and seen["partial"] >= 20, seen
