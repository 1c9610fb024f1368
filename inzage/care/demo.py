"""Demo care notes: a few notes by the demo care coordinator (`zorg`) about students of the demo mentor's class, some
shared with the mentor, one corrected (so the version history shows). A fixed number of queries."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from inzage.accounts.models import User
from inzage.care.models import CareNote, CareNoteVersion
from inzage.people.models import Staff
from inzage.schools.models import ClassMembership, School

NOTES = [
    ("Gesprek met leerling over planning en huiswerk; afspraak: elke maandag agenda samen doornemen.", "mentor"),
    ("Ouders gebeld: thuis is het onrustig na de verhuizing. Mentor houdt een oogje in het zeil.", "mentor"),
    ("Aangemeld bij het zorgadviesteam; verslag volgt na het overleg.", "care_staff"),
    ("Contact met schoolmaatschappelijk werk, afspraak over drie weken.", "care_staff"),
    ("Examenvrees besproken; faalangstreductietraining aangeboden.", "mentor"),
]


def seed_demo_data(*, school: School, rng: random.Random, today: dt.date) -> None:
    author = User.objects.filter(school=school, username="zorg").first()
    mentor = Staff.objects.filter(school=school, user__username="mentor").first()
    if author is None or mentor is None:
        return
    students = list(
        ClassMembership.objects.filter(school_class__mentors=mentor, school_year__start__lte=today)
        .order_by("-school_year__start", "student__last_name", "student_id")
        .values_list("student_id", flat=True)[:8]
    )
    tz = ZoneInfo(school.timezone)
    notes: list[CareNote] = []
    for i, student_id in enumerate(students[: len(NOTES)]):
        text, audience = NOTES[i]
        written_on = today - dt.timedelta(days=rng.randrange(3, 60))
        at = dt.datetime.combine(written_on, dt.time(15, 30), tzinfo=tz)
        notes.append(
            CareNote(
                school=school,
                student_id=student_id,
                written_on=written_on,
                text=text,
                audience=audience,
                author=author,
                created_at=at,
                updated_at=at,
            )
        )
    CareNote.objects.bulk_create(notes)
    versions = [
        CareNoteVersion(
            school=school,
            note=n,
            version=1,
            written_on=n.written_on,
            text=n.text,
            audience=n.audience,
            changed_at=n.created_at,
            changed_by=author,
        )
        for n in notes
    ]
    if notes:
        # One corrected note, so a visitor sees a version history (the correction is written as `care_note_correct`
        # would: a new version with a reason, the note row showing the latest).
        first = notes[0]
        corrected_at = first.created_at + dt.timedelta(days=1)
        first.text += " Ouders zijn op de hoogte."
        first.version, first.updated_at = 2, corrected_at
        CareNote.objects.bulk_update([first], ["text", "version", "updated_at"])
        versions.append(
            CareNoteVersion(
                school=school,
                note=first,
                version=2,
                written_on=first.written_on,
                text=first.text,
                audience=first.audience,
                changed_at=corrected_at,
                changed_by=author,
                reason="aanvulling na telefoongesprek",
            )
        )
    CareNoteVersion.objects.bulk_create(versions)
