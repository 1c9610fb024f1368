"""Demo period reports: the demo mentor's class (`mentor`, H3A) gets the report of every period of this school year
that ended at least a week before `today`, published by the mentor a week after the period at 17:00, with a remark
per student; so the demo parents and students find something under "Rapporten". A few queries per period."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from inzage.grades.period_reports import period_report_publish
from inzage.people.models import Staff
from inzage.schools.models import ClassMembership, Period, School

REMARKS = [
    "Werkt geconcentreerd en helpt anderen. Blijf zo doorgaan!",
    "Een goede periode. Let op het plannen van de toetsweek: begin op tijd.",
    "Doet goed mee in de les. Bij wiskunde mag je vaker om hulp vragen.",
    "Wisselende resultaten; we bespreken in het mentorgesprek hoe het beter kan.",
    "Mooie groei deze periode, vooral bij de talen.",
]


def seed_demo_data(*, school: School, rng: random.Random, today: dt.date) -> None:
    mentor = Staff.objects.filter(school=school, user__username="mentor").select_related("user").first()
    if mentor is None:
        return
    klas = mentor.mentor_classes.filter(school_year__start__lte=today, school_year__end__gte=today).first()
    if klas is None:
        return
    tz = ZoneInfo(school.timezone)
    students = list(
        ClassMembership.objects.filter(school_class=klas).order_by("student_id").values_list("student_id", flat=True)
    )
    for period in Period.objects.filter(school_year_id=klas.school_year_id).order_by("number"):
        published_on = period.end + dt.timedelta(days=7)
        if published_on > today:
            break
        period_report_publish(
            school_class=klas,
            period=period,
            by=mentor.user,
            at=dt.datetime.combine(published_on, dt.time(17, 0), tzinfo=tz),
            remarks={sid: rng.choice(REMARKS) for sid in students},
        )
