"""Demo visibility data for a seeded school: a policy that shows the features, a few overrides and shares, and a
granted information request for a parent without custody.

Called by the demo seeder after the core data and grades. A fixed number of queries whatever the school's size
(no per-student queries).
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from inzage.accounts.models import User
from inzage.grades.models import Result
from inzage.people.models import GuardianRelation, StaffRole
from inzage.schools.models import CalendarRange, School
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import InformationRequest, Override, PolicyVersion, Share

DEMO_POLICY_HEAD = """\
# Demo policy: grades appear at 17:00 on school days, students see them two school days before their parents
# (unless they share them), parents' grade view is closed during test weeks, and at 18 the student decides.
format = 1
{windows}
[base]
students = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
guardians = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]

[publication]
times = ["17:00"]
school_days_only = true
kinds = ["grades"]

[student_first]
school_days = 2
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
"""


def demo_policy(test_week_codes: list[str]) -> str:
    windows = "".join(
        f'\n[[windows]]\nlabel = "{code.replace("-", " ")}"\naudience = "guardians"\neffect = "close"\n'
        f'kinds = ["grades", "averages"]\nrange = "{code}"\n'
        for code in test_week_codes
    )
    # Every section is stated: without test weeks, "no windows" is said explicitly (before the first table).
    return DEMO_POLICY_HEAD.replace("{windows}", "" if windows else "windows = []\n") + windows


def seed_demo_data(*, school: School, rng: random.Random, today: dt.date) -> None:
    """Write the demo policy and a handful of per-student rows for the demo school."""
    tz = ZoneInfo(school.timezone)
    now = dt.datetime.combine(today, dt.time(9), tzinfo=tz)
    codes = sorted(
        set(
            CalendarRange.objects.filter(school=school, kind=CalendarRange.Kind.TEST_WEEK).values_list(
                "code", flat=True
            )
        )
    )
    author = (
        User.objects.filter(staff__roles__role=StaffRole.Role.ADMINISTRATOR, school=school).first()
        or User.objects.filter(staff__school=school).first()
    )
    number = (
        PolicyVersion.objects.filter(school=school).order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    PolicyVersion.objects.create(
        school=school,
        number=number,
        text=demo_policy(codes),
        note="demo",
        created_at=now,
        created_by=author,
        activated_at=now,
        activated_by=author,
    )
    mentor_user = User.objects.filter(staff__mentor_classes__school=school).first() or author
    relations = list(
        GuardianRelation.objects.filter(school=school, custody=GuardianRelation.Custody.WITH_GEZAG)
        .select_related("student", "guardian")
        .order_by("pk")[:3]
    )
    if mentor_user is not None and relations:
        rel = relations[0]
        Override.objects.create(
            school=school,
            student=rel.student,
            guardian=rel.guardian,
            effect=Override.Effect.OPEN,
            kinds=[DataKind.GRADES, DataKind.AVERAGES],
            starts_on=today,
            until=today + dt.timedelta(days=28),
            reason="Afgesproken in het mentorgesprek: ouders kijken vier weken mee.",
            created_at=now,
            created_by=mentor_user,
        )
        if len(relations) > 1:
            rel = relations[1]
            Override.objects.create(
                school=school,
                student=rel.student,
                guardian=None,
                effect=Override.Effect.CLOSE,
                kinds=[DataKind.BEHAVIOUR],
                starts_on=today,
                until=None,
                reason="Op verzoek van de leerling, besproken met de zorgcoördinator.",
                created_at=now,
                created_by=mentor_user,
            )
    student_user_id = relations[0].student.user_id if relations else None
    if relations and student_user_id is not None:
        student = relations[0].student
        latest = list(
            Result.objects.filter(student=student, column__release_at__isnull=False, entered_at__isnull=False)
            .order_by("-entered_at")
            .values_list("pk", flat=True)[:2]
        )
        Share.objects.bulk_create(
            [
                Share(
                    school=school,
                    student=student,
                    kind=DataKind.GRADES,
                    item_id=pk,
                    shared_at=now,
                    shared_by_id=student_user_id,
                )
                for pk in latest
            ],
            ignore_conflicts=True,
        )
    no_custody = GuardianRelation.objects.filter(school=school, custody=GuardianRelation.Custody.WITHOUT_GEZAG).first()
    if no_custody is not None:
        InformationRequest.objects.create(
            school=school,
            relation=no_custody,
            kinds=[DataKind.PERIOD_REPORT, DataKind.GRADES],
            requested_on=today - dt.timedelta(days=rng.randint(10, 30)),
            status=InformationRequest.Status.GRANTED,
            decided_at=now - dt.timedelta(days=5),
            decided_by=author,
            reason="Verzoek op grond van artikel 1:377c BW; geen bezwaar in het belang van het kind.",
            custodial_parent_told_on=today - dt.timedelta(days=5),
        )
