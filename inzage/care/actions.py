"""Writes of care notes: a new note, or a correction as a new version. Nothing is deleted."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.care.models import CareNote, CareNoteVersion
from inzage.people.models import Student


class CareNoteError(ValueError):
    """A care note that cannot be stored as asked (the message is Dutch and meant for the form)."""


def care_note_create(
    *, student: Student, written_on: dt.date, text: str, audience: str, by: User, at: dt.datetime
) -> CareNote:
    """Write a note with its first version (caller checked `queries.may_write_care_notes` for this student)."""
    if not text.strip():
        raise CareNoteError(_("Schrijf een notitie."))
    # The note and its first version belong together: a note without history would break "nothing is lost".
    with transaction.atomic():
        note = CareNote.objects.create(
            school_id=student.school_id,
            student=student,
            written_on=written_on,
            text=text.strip(),
            audience=audience,
            author=by,
            created_at=at,
            updated_at=at,
        )
        CareNoteVersion.objects.create(
            school_id=note.school_id,
            note=note,
            version=1,
            written_on=written_on,
            text=note.text,
            audience=audience,
            changed_at=at,
            changed_by=by,
        )
    return note


def care_note_correct(
    *, note: CareNote, written_on: dt.date, text: str, audience: str, reason: str, by: User, at: dt.datetime
) -> CareNote:
    """Correct a note as a new version with a reason (caller checked `queries.may_write_care_notes`)."""
    if not reason.strip():
        raise CareNoteError(_("Geef een reden voor de correctie."))
    if not text.strip():
        raise CareNoteError(_("Schrijf een notitie."))
    # Lock the note so two corrections at once get versions n+1 and n+2, never the same number twice.
    with transaction.atomic():
        locked = CareNote.objects.select_for_update().get(pk=note.pk)
        locked.version += 1
        locked.written_on, locked.text, locked.audience, locked.updated_at = written_on, text.strip(), audience, at
        locked.save(update_fields=["version", "written_on", "text", "audience", "updated_at"])
        CareNoteVersion.objects.create(
            school_id=locked.school_id,
            note=locked,
            version=locked.version,
            written_on=written_on,
            text=locked.text,
            audience=audience,
            changed_at=at,
            changed_by=by,
            reason=reason.strip(),
        )
    return locked
