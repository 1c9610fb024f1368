"""Forms of the teacher pages: creating a column and choosing its release."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inzage.grades.models import AssessmentKind, Column, ProgrammeItem
from inzage.grades.programmes import cohort_exam_year, exam_year_of
from inzage.schools.models import Period, TeachingGroup

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_LOCAL, **kwargs)


class ReleaseForm(forms.Form):
    """When the results of a column are released: now, at a date and time (school time), or held back."""

    release_mode = forms.ChoiceField(
        label=_("Vrijgeven"),
        choices=Column.ReleaseMode.choices,
        initial=Column.ReleaseMode.NOW,
        widget=forms.RadioSelect,
    )
    release_at = forms.DateTimeField(
        label=_("Vrijgeven op (datum en tijd)"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%d-%m-%Y %H:%M"],
        widget=DateTimeLocalInput(),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("release_mode") == Column.ReleaseMode.AT and not data.get("release_at"):
            self.add_error("release_at", _("Kies de datum en tijd van vrijgeven."))
        return data


class ProgrammeItemField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        weight = f"{obj.exam_weight.normalize():f}".replace(".", ",")
        return f"{obj.code} {obj.name} ({obj.period.name}, {_('weging')} {weight}; {obj.programme.cohort})"


def programme_items_for(group: TeachingGroup) -> Any:
    """The PTA/PTO items a column of `group` may carry out: not withdrawn, of programmes of the group's subject,
    level and cohort (the cohort's exam year is the group's year group's, `grades.programmes.cohort_exam_year`).
    A group without a year group gets the subject's items of every cohort. Two queries."""
    items = ProgrammeItem.objects.filter(
        school_id=group.school_id, programme__subject_id=group.subject_id, withdrawn_at__isnull=True
    ).select_related("programme", "period")
    year_group = group.year_group
    if year_group is None:
        return items.order_by("programme__cohort", "code")
    items = items.filter(programme__level_id=year_group.level_id)
    exam_year = exam_year_of(year_group, group.school_year)
    wanted = [
        pk
        for pk, cohort in items.values_list("programme_id", "programme__cohort").distinct()
        if cohort_exam_year(cohort) == exam_year
    ]
    return items.filter(programme_id__in=wanted).order_by("period__start", "code")


class ColumnForm(ReleaseForm):
    """The one short form to create a column."""

    name = forms.CharField(label=_("Naam"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=20)
    date = forms.DateField(label=_("Datum"), widget=DateInput(), input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    kind = forms.ModelChoiceField(label=_("Soort"), queryset=AssessmentKind.objects.none())
    period = forms.ModelChoiceField(label=_("Periode"), queryset=Period.objects.none())
    weight = forms.DecimalField(label=_("Weging"), min_value=0, max_digits=5, decimal_places=2, initial=1)
    exam_weight = forms.DecimalField(
        label=_("Weging examendossier (PTA)"), min_value=0, max_digits=5, decimal_places=2, initial=0
    )
    result_type = forms.ChoiceField(
        label=_("Soort resultaat"), choices=Column.ResultType.choices, initial=Column.ResultType.NUMBER
    )
    resit_of = forms.ModelChoiceField(
        label=_("Herkansing van"),
        queryset=Column.objects.none(),
        required=False,
        empty_label=_("(geen herkansing)"),
        help_text=_(
            "Een herkansing telt één keer mee: in de periode van de toets die ze vervangt en met de weging van die "
            "toets, ook als je deze kolom onder een andere periode zet."
        ),
    )
    resit_rule = forms.ChoiceField(
        label=_("Welke poging telt"),
        choices=Column.ResitRule.choices,
        initial=Column.ResitRule.HIGHEST,
        help_text=_(
            "Hoogste: de beste poging telt. Laatste: de laatste poging telt, ook als die lager is. Gemiddelde: het "
            "gemiddelde van de pogingen telt."
        ),
    )

    programme_item = ProgrammeItemField(
        label=_("Voert uit (PTA-toets)"),
        queryset=ProgrammeItem.objects.none(),
        required=False,
        empty_label=_("(geen: telt niet in het examendossier via het PTA)"),
        help_text=_(
            "De toets uit het PTA die deze kolom uitvoert. Laat de weging examendossier op 0 om die van het PTA "
            "over te nemen."
        ),
    )

    field_order = ["name", "code", "date", "kind", "period", "weight", "programme_item", "exam_weight", "result_type"]

    def __init__(self, *args: Any, group: TeachingGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ModelChoiceField)
        kind_field.queryset = AssessmentKind.objects.filter(school_id=group.school_id).order_by("name")
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ModelChoiceField)
        period_field.queryset = Period.objects.filter(school_year_id=group.school_year_id).order_by("number")
        resit_field = self.fields["resit_of"]
        assert isinstance(resit_field, forms.ModelChoiceField)
        resit_field.queryset = Column.objects.filter(
            teaching_group_id=group.pk, retracted_at__isnull=True, resit_of__isnull=True
        ).order_by("date")

        item_field = self.fields["programme_item"]
        assert isinstance(item_field, ProgrammeItemField)
        item_field.queryset = programme_items_for(group)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        item = data.get("programme_item")
        exam_weight = data.get("exam_weight")
        if item is not None and exam_weight is not None:
            if exam_weight == 0:
                data["exam_weight"] = item.exam_weight  # the column carries out the item: the item's weight
            elif exam_weight != item.exam_weight:
                self.add_error(
                    "exam_weight",
                    _("PTA-toets %(code)s weegt %(w)s in het examendossier; laat 0 staan of vul %(w)s in.")
                    % {"code": item.code, "w": f"{item.exam_weight.normalize():f}".replace(".", ",")},
                )
        return data

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if Column.objects.filter(teaching_group_id=self.group.pk, code=code).exists():
            raise forms.ValidationError(_("Deze code bestaat al in deze groep."))
        return code
