"""Forms of the timetable pages: homework entry, a lesson change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inzage.timetable.models import Homework, Room


class HomeworkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=Homework.Kind.choices, initial=Homework.Kind.HOMEWORK)
    text = forms.CharField(
        label=_("Omschrijving"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Regels en links (https://…) worden overgenomen."),
        error_messages={
            "required": _("Schrijf wat de leerlingen moeten doen."),
            "max_length": _("Maximaal 4000 tekens (nu %(show_value)d)."),
        },
    )


class LessonChangeForm(forms.Form):
    """An administrator's change to one lesson: cancel (with a reason), take place after all, or another room."""

    CHOICES = (
        ("cancel", _("Les vervalt")),
        ("restore", _("Les gaat toch door")),
        ("room", _("Ander lokaal")),
    )
    change = forms.ChoiceField(label=_("Wijziging"), choices=CHOICES, widget=forms.RadioSelect)
    room = forms.CharField(label=_("Lokaal (code)"), max_length=16, required=False)
    reason = forms.CharField(label=_("Reden"), max_length=200, required=False)

    def __init__(self, *args: Any, school_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school_id = school_id
        self.room_obj: Room | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        change = data.get("change")
        if change == "cancel" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Geef een reden: leerlingen en ouders zien die bij de uitval."))
        if change == "room":
            code = (data.get("room") or "").strip()
            self.room_obj = Room.objects.filter(school_id=self.school_id, code__iexact=code).first() if code else None
            if self.room_obj is None:
                self.add_error(
                    "room", _("Onbekend lokaal “%(code)s”.") % {"code": code} if code else _("Kies een lokaal.")
                )
        return data
