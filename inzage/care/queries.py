"""Reads of care notes. Two steps decide who reads a note:

1. the engine: the viewer must see the kind `care_notes` of this student as staff (`filter_items`; the default
   staff table gives it to care coordinators and to the student's mentor, never to administrators or teachers);
   students and guardians never get care notes here, whatever the policy's base settings say;
2. the note's own audience: "alleen zorgteam" notes only for care coordinators; "ook de mentor" notes for everyone
   step 1 lets through (the mentor, and whoever else a school's staff table gives the kind).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from inzage.care.models import CareNote, CareNoteVersion
from inzage.staff.queries import staff_roles
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Context, ItemFields, Viewer, context_for
from inzage.visibility.policy.facts import staff_facts_prime
from inzage.visibility.queries import kind_probe

CARE_FIELDS = ItemFields(kind=DataKind.CARE_NOTES, release=("created_at",))
CARE_ROLE = "care_coordinator"


def may_read_care_notes(ctx: Context) -> bool:
    """Step 1: staff to whom the engine gives this student's care notes."""
    if ctx.audience != "staff" or ctx.facts is None:
        return False
    return ctx.decide(kind_probe(student_id=ctx.student_id, kind=DataKind.CARE_NOTES)).visible


def may_write_care_notes(ctx: Context) -> bool:
    """Care coordinators who may read this student's care notes write and correct them."""
    return may_read_care_notes(ctx) and CARE_ROLE in staff_roles(ctx)


def care_notes_of(*, ctx: Context) -> QuerySet[CareNote]:
    """The student's notes this viewer may read, newest first (empty for anyone else)."""
    if not may_read_care_notes(ctx):
        return CareNote.objects.none()
    notes = ctx.filter(CareNote.objects.filter(student_id=ctx.student_id), CARE_FIELDS)
    if CARE_ROLE not in staff_roles(ctx):
        notes = notes.filter(audience=CareNote.Audience.MENTOR)
    return notes.select_related("author__staff").order_by("-written_on", "-pk")


def recent_notes(*, viewer: Viewer, at: dt.datetime, limit: int = 20) -> list[CareNote]:
    """The viewer's own latest notes, each still checked through the engine (constant queries)."""
    if viewer.user_id is None or viewer.school_id is None:
        return []
    notes = list(
        CareNote.objects.filter(author_id=viewer.user_id, school_id=viewer.school_id)
        .select_related("student")
        .order_by("-created_at", "-pk")[:limit]
    )
    staff_facts_prime(viewer=viewer, student_ids={n.student_id for n in notes})
    return [n for n in notes if may_write_care_notes(context_for(viewer=viewer, student_id=n.student_id, at=at))]


def note_versions(note: CareNote) -> QuerySet[CareNoteVersion]:
    return CareNoteVersion.objects.filter(note=note).select_related("changed_by__staff").order_by("-version")
