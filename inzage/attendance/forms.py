"""Forms of the attendance pages: every refusal is a Dutch message next to its field, keeping what was typed."""

from __future__ import annotations

from typing import Any

from django import forms

from inzage.attendance.models import DuoReport, LeaveRequest

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ERRORS = {"required": "Vul dit in.", "invalid": "Dit is geen geldige datum (dd-mm-jjjj)."}


class SickReportForm(forms.Form):
    """Report sick from today or from a given lesson hour of today. No diagnosis is asked."""

    lesson = forms.ChoiceField(label="Ziek vanaf", required=False)

    def __init__(self, *args: Any, lessons: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lesson"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "nu"), *(lessons or [])]


class LeaveRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="Soort verlof", choices=LeaveRequest.Kind.choices, error_messages={"required": "Kies een soort verlof."}
    )
    start = forms.DateField(label="Eerste dag", widget=DATE_INPUT, error_messages=ERRORS)
    end = forms.DateField(label="Laatste dag", widget=DATE_INPUT, error_messages=ERRORS)
    explanation = forms.CharField(
        label="Toelichting",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        error_messages={"max_length": "Houd de toelichting korter dan 2000 tekens."},
    )


class LeaveDecisionForm(forms.Form):
    state = forms.ChoiceField(
        label="Besluit",
        choices=[
            (LeaveRequest.State.APPROVED, "toekennen"),
            (LeaveRequest.State.REFUSED, "afwijzen"),
            (LeaveRequest.State.FORWARDED, "doorsturen naar de leerplichtambtenaar"),
        ],
        error_messages={"required": "Kies een besluit.", "invalid_choice": "Kies een besluit uit de lijst."},
    )
    reason = forms.CharField(
        label="Motivering",
        max_length=500,
        error_messages={"required": "Geef een motivering: die krijgt de aanvrager te zien."},
    )


class DuoStateForm(forms.Form):
    state = forms.ChoiceField(
        label="Nieuwe status",
        choices=[c for c in DuoReport.State.choices if c[0] != DuoReport.State.NEW],
        error_messages={"required": "Kies een status.", "invalid_choice": "Kies een status uit de lijst."},
    )
    note = forms.CharField(label="Notitie", max_length=300, required=False)
