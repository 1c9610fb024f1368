"""The form to add or change an item of a testing programme, with the approval a change after the deadline needs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inzage.accounts.models import User
from inzage.grades.models import AssessmentKind, ProgrammeItem, TestingProgramme
from inzage.pta.access import approvers_q
from inzage.schools.models import Period


class PeriodField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.school_year})"


class ApproverField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        from inzage.pta.queries import person_name

        return person_name(obj)


class ItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Omschrijving"), max_length=100)
    period = PeriodField(label=_("Periode"), queryset=Period.objects.none())
    kind = forms.ModelChoiceField(label=_("Soort"), queryset=AssessmentKind.objects.none())
    exam_weight = forms.DecimalField(
        label=_("Weging in het examendossier"), min_value=0, max_digits=5, decimal_places=2
    )
    weight = forms.DecimalField(
        label=_("Weging voortgang (rapport)"), min_value=0, max_digits=5, decimal_places=2, initial=0
    )
    resit_allowed = forms.BooleanField(label=_("Herkansbaar"), required=False)
    approved_by = ApproverField(
        label=_("Goedgekeurd door"), queryset=User.objects.none(), required=False, empty_label=_("(kies)")
    )
    approval_reason = forms.CharField(
        label=_("Reden van de goedkeuring"),
        max_length=300,
        required=False,
        help_text=_("Bijvoorbeeld: besluit examencommissie 30-10-2025."),
    )

    def __init__(
        self,
        *args: Any,
        programme: TestingProgramme,
        fixed: bool,
        item: ProgrammeItem | None = None,
        withdrawing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programme, self.fixed, self.item = programme, fixed, item
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ModelChoiceField)
        # A programme of an exam cohort runs over several school years (havo 4 and 5): its periods and later ones.
        period_field.queryset = (
            Period.objects.filter(
                school_year__school_id=programme.school_id, school_year__start__gte=programme.school_year.start
            )
            .select_related("school_year")
            .order_by("start")
        )
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ModelChoiceField)
        kind_field.queryset = AssessmentKind.objects.filter(school_id=programme.school_id).order_by("name")
        approver_field = self.fields["approved_by"]
        assert isinstance(approver_field, forms.ModelChoiceField)
        approver_field.queryset = (
            User.objects.filter(approvers_q(programme.school_id)).distinct().select_related("staff").order_by("pk")
        )
        if item is not None:
            del self.fields["code"]  # the code names the item in the history; it does not change
        if not fixed:
            del self.fields["approved_by"]
            del self.fields["approval_reason"]
        if withdrawing:  # only the approval counts; the item's other fields stay as they are
            for name, form_field in self.fields.items():
                if name not in ("approved_by", "approval_reason"):
                    form_field.required = False

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if ProgrammeItem.objects.filter(programme=self.programme, code__iexact=code).exists():
            raise forms.ValidationError(_("Deze code staat al in het PTA."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.fixed:
            self.check_approval(data)
        return data

    def check_approval(self, data: dict[str, Any]) -> None:
        """After the deadline a change needs who approved it and why: a message beside each missing field."""
        deadline = self.programme.deadline.strftime("%d-%m-%Y")
        if not data.get("approved_by"):
            self.add_error(
                "approved_by",
                _("Het PTA is vastgesteld op %(date)s: een wijziging mag alleen met een goedkeuring. Kies wie die gaf.")
                % {"date": deadline},
            )
        if not (data.get("approval_reason") or "").strip():
            self.add_error(
                "approval_reason", _("Geef de reden van de goedkeuring (bijvoorbeeld het besluit en de datum).")
            )
