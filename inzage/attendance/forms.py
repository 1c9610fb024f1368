"""Forms of the attendance pages: every refusal is a Dutch message next to its field, keeping what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inzage.attendance.models import DuoReport, LeaveRequest

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ERRORS = {"required": _("Vul dit in."), "invalid": _("Dit is geen geldige datum (dd-mm-jjjj).")}


class SickReportForm(forms.Form):
    """Report sick from today or from a given lesson hour of today. No diagnosis is asked."""

    lesson = forms.ChoiceField(label=_("Ziek vanaf"), required=False)

    def __init__(self, *args: Any, lessons: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lesson"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("nu")), *(lessons or [])]


class LeaveRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort verlof"),
        choices=LeaveRequest.Kind.choices,
        error_messages={"required": _("Kies een soort verlof.")},
    )
    start = forms.DateField(label=_("Eerste dag"), widget=DATE_INPUT, error_messages=ERRORS)
    end = forms.DateField(label=_("Laatste dag"), widget=DATE_INPUT, error_messages=ERRORS)
    explanation = forms.CharField(
        label=_("Toelichting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        error_messages={"max_length": _("Houd de toelichting korter dan 2000 tekens.")},
    )


class LeaveDecisionForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Besluit"),
        choices=[
            (LeaveRequest.State.APPROVED, _("toekennen")),
            (LeaveRequest.State.REFUSED, _("afwijzen")),
            (LeaveRequest.State.FORWARDED, _("doorsturen naar de leerplichtambtenaar")),
        ],
        error_messages={"required": _("Kies een besluit."), "invalid_choice": _("Kies een besluit uit de lijst.")},
    )
    reason = forms.CharField(
        label=_("Motivering"),
        max_length=500,
        error_messages={"required": _("Geef een motivering: die krijgt de aanvrager te zien.")},
    )


class DuoStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Nieuwe status"),
        choices=[c for c in DuoReport.State.choices if c[0] != DuoReport.State.NEW],
        error_messages={"required": _("Kies een status."), "invalid_choice": _("Kies een status uit de lijst.")},
    )
    note = forms.CharField(label=_("Notitie"), max_length=300, required=False)
