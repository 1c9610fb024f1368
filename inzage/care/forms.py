"""The care note forms: Dutch messages next to the field; a bound form keeps what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inzage.care.models import CareNote

MAX_TEXT = 5000
# Translated when shown, in the language of that request (a class attribute is built once, at import).
_too_long_note = lazy(lambda: gettext("Een notitie is hoogstens %(n)s tekens.") % {"n": MAX_TEXT}, str)


class CareNoteForm(forms.Form):
    written_on = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Vul een datum in."), "invalid": _("Vul een geldige datum in (dd-mm-jjjj).")},
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
    )
    text = forms.CharField(
        label=_("Notitie"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
        strip=True,
        error_messages={
            "required": _("Schrijf een notitie."),
            "max_length": _too_long_note(),
        },
    )
    audience = forms.ChoiceField(
        label=_("Zichtbaar voor"),
        choices=CareNote.Audience.choices,
        initial=CareNote.Audience.CARE_STAFF,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies voor wie de notitie zichtbaar is."),
            "invalid_choice": _("Kies een van de opties."),
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_written_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["written_on"]
        if value > self.today:
            raise forms.ValidationError(_("De datum mag niet in de toekomst liggen."))
        if value.year < 2000:
            raise forms.ValidationError(_("Vul een geldige datum in (dd-mm-jjjj)."))
        return value

    def clean_text(self) -> str:
        value: str = self.cleaned_data["text"]
        if "\x00" in value:
            raise forms.ValidationError(_("De notitie bevat een ongeldig teken."))
        return value


class CareNoteCorrectionForm(CareNoteForm):
    reason = forms.CharField(
        label=_("Reden van de correctie"),
        max_length=300,
        error_messages={
            "required": _("Geef een reden voor de correctie."),
            "max_length": _("Een reden is hoogstens 300 tekens."),
        },
    )

    def clean_reason(self) -> str:
        value: str = self.cleaned_data["reason"]
        if "\x00" in value:
            raise forms.ValidationError(_("De reden bevat een ongeldig teken."))
        return value
