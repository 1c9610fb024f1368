"""Forms of the staff pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inzage.grades.models import CentralExamResult
from inzage.grades.parsing import CellError, parse_grade
from inzage.schools.models import Subject


class CentralExamForm(forms.Form):
    """One central exam grade of a candidate: subject, attempt, grade (Dutch notation), reason for a change."""

    subject = forms.TypedChoiceField(label=_("Vak"), coerce=int)
    attempt = forms.TypedChoiceField(
        label=_("Tijdvak"), choices=CentralExamResult.Attempt.choices, coerce=int, initial=1
    )
    grade = forms.CharField(label=_("CE-cijfer"), max_length=10, help_text=_("Met één decimaal, bijvoorbeeld 6,4."))
    reason = forms.CharField(
        label=_("Reden"),
        max_length=300,
        required=False,
        help_text=_("Nodig wanneer je een ingevoerd cijfer wijzigt; het oude cijfer blijft in de geschiedenis."),
    )

    def __init__(self, *args: Any, subjects: list[Subject], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["subject"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(s.pk, s.name) for s in subjects]

    def clean_grade(self) -> Decimal:
        try:
            return parse_grade(self.cleaned_data["grade"])
        except CellError as err:
            raise forms.ValidationError(str(err)) from None
