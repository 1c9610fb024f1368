"""The Zwolle test-week letter (seed 000), school year 2024–2025, as a decision table.

Dates from the letter: closed for everyone from the start of test week 2 (20 January 2025); after it students see
grades again, guardians not; guardians' window 12 t/m 24 February; closed for everyone in test week 3; open again for
guardians from 6 May. Attendance and timetable stay visible to guardians throughout. The letter does not give the
end of test week 2 or the dates of test week 3: we assume 20–24 January and 7–11 April 2025.
"""

from __future__ import annotations

import datetime as dt

import pytest

from inzage.schools.models import CalendarRange
from inzage.testing import factories as f
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Item, decide, viewer_for, visible_results
from inzage.visibility.tests.conftest import local, make_result, set_policy

ZWOLLE_POLICY = """
format = 1

[base]
students = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
guardians = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]

[publication]
times = []
school_days_only = true
kinds = ["grades"]

[student_first]
school_days = 0
kinds = ["grades"]
share_opens_closed_window = true

[consent]
model = "at_18"
default_before_18 = "shared"

[staff]
teacher = ["attendance", "averages", "behaviour", "grades", "homework", "timetable"]
mentor = ["access_log", "attendance", "averages", "behaviour", "care_notes", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
coordinator = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
care_coordinator = ["access_log", "attendance", "averages", "behaviour", "care_notes", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
attendance_officer = ["attendance", "personal_data", "timetable"]
administrator = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]

[[windows]]
label = "toetsweek 2"
audience = "students"
effect = "close"
kinds = ["grades", "averages"]
range = "toetsweek-2"

[[windows]]
label = "toetsweek 3"
audience = "students"
effect = "close"
kinds = ["grades", "averages"]
range = "toetsweek-3"

[[windows]]
label = "de pilot"
audience = "guardians"
effect = "close"
kinds = ["grades", "averages"]
start = 2025-01-20
end = 2025-05-05

[[windows]]
label = "de ouderweek"
audience = "guardians"
effect = "open"
kinds = ["grades", "averages"]
start = "12-02-2025"
end = "24-02-2025"
"""


@pytest.fixture
def zwolle(db):
    school = f.SchoolFactory(name="Zwolle College")
    year = f.SchoolYearFactory(school=school, name="2024-2025", start=dt.date(2024, 8, 26), end=dt.date(2025, 7, 18))
    for code, kind, start, end in [
        ("toetsweek-2", CalendarRange.Kind.TEST_WEEK, dt.date(2025, 1, 20), dt.date(2025, 1, 24)),
        ("voorjaarsvakantie", CalendarRange.Kind.HOLIDAY, dt.date(2025, 2, 15), dt.date(2025, 2, 23)),
        ("toetsweek-3", CalendarRange.Kind.TEST_WEEK, dt.date(2025, 4, 7), dt.date(2025, 4, 11)),
        ("meivakantie", CalendarRange.Kind.HOLIDAY, dt.date(2025, 4, 26), dt.date(2025, 5, 4)),
        ("bevrijdingsdag", CalendarRange.Kind.FREE_DAY, dt.date(2025, 5, 5), dt.date(2025, 5, 5)),
    ]:
        f.CalendarRangeFactory(school_year=year, code=code, kind=kind, start=start, end=end, name=code)
    period = f.PeriodFactory(school_year=year, number=2, start=dt.date(2024, 11, 11), end=dt.date(2025, 1, 31))
    yg = f.YearGroupFactory(school_year=year)
    klas = f.SchoolClassFactory(year_group=yg, name="H3A")
    student = f.StudentFactory(school=school, date_of_birth=dt.date(2010, 6, 1))
    f.ClassMembershipFactory(school_class=klas, student=student)
    parent = f.GuardianRelationFactory(student=student).guardian
    group = f.TeachingGroupFactory(school_year=year, subject=f.SubjectFactory(school=school))
    group.students.add(student)
    result = make_result(
        student=student, group=group, period=period, release_at=local(2025, 1, 10, 9), entered_at=local(2025, 1, 9)
    )
    set_policy(school, ZWOLLE_POLICY)
    return {"student": student, "parent": parent, "result": result}


def _sees(user, student, kind: str, at: dt.datetime, item_id: int = 1) -> bool:
    item = Item(kind=kind, id=item_id, student_id=student.pk, released_at=local(2025, 1, 6))
    return decide(viewer=viewer_for(user), item=item, at=at).visible


# (instant, student sees grades, guardian sees grades, why)
ZWOLLE_TABLE = [
    (local(2025, 1, 19, 23, 59, 59), True, True, "before test week 2: open for everyone"),
    (local(2025, 1, 20), False, False, "test week 2 starts: closed for everyone"),
    (local(2025, 1, 24, 23, 59), False, False, "last day of test week 2 (inclusive)"),
    (local(2025, 1, 25), True, False, "after test week 2: students again, guardians not"),
    (local(2025, 2, 11, 23, 59, 59), True, False, "the day before the guardians' window"),
    (local(2025, 2, 12), True, True, "guardians' window opens (12 t/m 24 February)"),
    (local(2025, 2, 24, 23, 59, 59), True, True, "last second of the guardians' window"),
    (local(2025, 2, 25), True, False, "closed again for guardians"),
    (local(2025, 4, 8, 12), False, False, "test week 3: closed for everyone"),
    (local(2025, 5, 5, 23, 59, 59), True, False, "still closed for guardians on 5 May"),
    (local(2025, 5, 6), True, True, "from 6 May open again for guardians"),
]


@pytest.mark.parametrize(("at", "student_sees", "guardian_sees", "why"), ZWOLLE_TABLE, ids=[r[3] for r in ZWOLLE_TABLE])
def test_zwolle_letter(zwolle, at, student_sees, guardian_sees, why) -> None:
    student, parent = zwolle["student"], zwolle["parent"]
    assert _sees(student.user, student, DataKind.GRADES, at) is student_sees
    assert _sees(parent.user, student, DataKind.GRADES, at) is guardian_sees
    assert _sees(parent.user, student, DataKind.AVERAGES, at) is guardian_sees
    # Attendance and timetable stay visible to guardians throughout.
    assert _sees(parent.user, student, DataKind.ATTENDANCE, at)
    assert _sees(parent.user, student, DataKind.TIMETABLE, at)
    # The list filter agrees with the decision on the real result.
    listed = visible_results(viewer=viewer_for(parent.user), student=student, at=at)
    assert list(listed) == ([zwolle["result"]] if guardian_sees else [])


def test_the_closed_window_explains_itself_in_dutch(zwolle) -> None:
    student = zwolle["student"]
    item = Item(kind=DataKind.GRADES, id=1, student_id=student.pk, released_at=local(2025, 1, 6))
    decision = decide(viewer=viewer_for(student.user), item=item, at=local(2025, 1, 21, 10))
    assert decision.reason == "window_closed"
    assert decision.rule == "windows[0]"
    assert decision.explanation_nl == "De inzage is gesloten tijdens toetsweek 2 (20-01-2025 t/m 24-01-2025)."
    assert "closed during toetsweek 2" in decision.explanation_en
