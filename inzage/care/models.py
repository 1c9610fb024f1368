"""Care notes (zorgnotities): a note per student with date, author, text and audience.

Never deleted and never changed in place: a correction is a new version (who, when, why), as grades keep their
history. Who may read a note is decided in two steps (see `queries.py`): the engine's kind `care_notes`, then the
note's own audience.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inzage.grades.models import AppendOnlyModel, NoDeleteModel
from inzage.schools.models import School


class CareNote(NoDeleteModel):
    """The note as it stands now (its latest version); every version is in `CareNoteVersion`."""

    class Audience(models.TextChoices):
        CARE_STAFF = "care_staff", _("alleen zorgteam")
        MENTOR = "mentor", _("ook de mentor")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="care_notes")
    written_on = models.DateField(_("datum"))
    text = models.TextField(_("notitie"))
    audience = models.CharField(
        _("zichtbaar voor"), max_length=12, choices=Audience.choices, default=Audience.CARE_STAFF
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("aangemaakt"))
    updated_at = models.DateTimeField(_("laatst gewijzigd"))
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        verbose_name = _("zorgnotitie")
        verbose_name_plural = _("zorgnotities")
        indexes = [models.Index(fields=["student", "-written_on"]), models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.student_id} {self.written_on}"


class CareNoteVersion(AppendOnlyModel):
    """One version of a care note: what it said, who wrote it when, and why it was corrected."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(CareNote, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("versie"))
    written_on = models.DateField(_("datum"))
    text = models.TextField(_("notitie"))
    audience = models.CharField(_("zichtbaar voor"), max_length=12, choices=CareNote.Audience.choices)
    changed_at = models.DateTimeField(_("gewijzigd op"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reden"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("versie van een zorgnotitie")
        verbose_name_plural = _("versies van zorgnotities")
        constraints = [models.UniqueConstraint(fields=["note", "version"], name="carenoteversion_unique")]
