"""The policy as a form for school staff: fields in, a `PolicySpec` (or Dutch errors per field) out, and back.

The form is another way to write the same document: `form_values(spec)` fills the fields from a policy,
`form_read(data, school=...)` reads posted fields into a spec, checking every field in Dutch and keeping what was
typed. The page then dumps the spec to TOML (`dump_policy`) and goes through the same preview, impact and activation
as the TOML editor, so both views activate exactly one kind of thing: a previewed text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inzage.schools.models import CalendarRange, Level, SchoolClass
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy.document import (
    CONSENT_MODELS,
    STAFF_ROLES,
    ConsentModel,
    PolicySpec,
    Publication,
    StudentFirst,
    Window,
)

MAX_WINDOWS = 60  # rows beyond this are refused: a school has a handful of test weeks, not hundreds
KIND_CHOICES = [(k, DataKind(k).label) for k in DataKind.values]
AUDIENCE_LABELS = {"students": gettext_lazy("leerlingen"), "guardians": gettext_lazy("ouders/verzorgers")}
EFFECT_LABELS = {"open": gettext_lazy("open"), "close": gettext_lazy("dicht")}
CONSENT_LABELS = {
    "at_18": gettext_lazy("vanaf 18 jaar beslist de leerling (de wet)"),
    "from_16": gettext_lazy("vanaf 16 jaar beslist de leerling"),
    "always": gettext_lazy("de leerling beslist altijd"),
}
STAFF_LABELS = {
    "teacher": gettext_lazy("docent"),
    "mentor": gettext_lazy("mentor"),
    "coordinator": gettext_lazy("coördinator"),
    "care_coordinator": gettext_lazy("zorgcoördinator"),
    "attendance_officer": gettext_lazy("verzuimcoördinator"),
    "exam_secretary": gettext_lazy("examensecretaris"),
    "administrator": gettext_lazy("beheerder"),
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


@dataclass
class WindowRow:
    """One calendar-window row as typed (strings and lists), for re-rendering with its errors."""

    label: str = ""
    audience: str = "guardians"
    effect: str = "close"
    kinds: list[str] = field(default_factory=list)
    mode: str = "range"  # "range" (a calendar range code) or "dates"
    range: str = ""
    start: str = ""
    end: str = ""
    levels: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    classes: str = ""


@dataclass
class PolicyForm:
    """Every field of the form as typed, plus the choices the school offers and errors by field name."""

    values: dict[str, Any]
    rows: list[WindowRow]
    errors: dict[str, str] = field(default_factory=dict)


def form_values(spec: PolicySpec) -> PolicyForm:
    """The form filled from a policy."""
    values: dict[str, Any] = {
        "base_students": sorted(spec.students),
        "base_guardians": sorted(spec.guardians),
        "pub_times": ", ".join(t.strftime("%H:%M") for t in spec.publication.times),
        "pub_school_days_only": spec.publication.school_days_only,
        "pub_kinds": sorted(spec.publication.kinds),
        "sf_days": str(spec.student_first.school_days),
        "sf_kinds": sorted(spec.student_first.kinds),
        "sf_share_opens": spec.student_first.share_opens_closed_window,
        "consent_model": spec.consent.model,
        "consent_default": "shared" if spec.consent.default_before_18 else "not_shared",
    }
    for role in STAFF_ROLES:
        values[f"staff_{role}"] = sorted(spec.staff.get(role, frozenset()))
    rows = [
        WindowRow(
            label=w.label,
            audience=w.audience,
            effect=w.effect,
            kinds=sorted(w.kinds),
            mode="range" if w.range else "dates",
            range=w.range,
            start=w.start.isoformat() if w.start else "",
            end=w.end.isoformat() if w.end else "",
            levels=sorted(w.levels),
            years=[str(y) for y in sorted(w.years)],
            classes=", ".join(sorted(w.classes)),
        )
        for w in spec.windows
    ]
    return PolicyForm(values=values, rows=rows)


def _kinds(data: Any, name: str) -> list[str]:
    return [k for k in data.getlist(name) if k in DataKind.values]


def _date(value: str) -> dt.date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return day if 1900 <= day.year <= 2100 else None
    return None


def _row_count(data: Any) -> int:
    count = data.get("rows", "0")
    return min(int(count), MAX_WINDOWS + 1) if count.isdigit() else 0


def form_rows(data: Any) -> list[WindowRow]:
    """The window rows as posted, in order (a row whose remove button was pressed is left out)."""
    removed = data.get("remove_row", "")
    rows = []
    for i in range(_row_count(data)):
        if removed == str(i):
            continue
        p = f"w{i}_"
        rows.append(
            WindowRow(
                label=data.get(p + "label", "")[:200],
                audience=data.get(p + "audience", ""),
                effect=data.get(p + "effect", ""),
                kinds=_kinds(data, p + "kinds"),
                mode=data.get(p + "mode", "range"),
                range=data.get(p + "range", ""),
                start=data.get(p + "start", "")[:40],
                end=data.get(p + "end", "")[:40],
                levels=data.getlist(p + "levels"),
                years=data.getlist(p + "years"),
                classes=data.get(p + "classes", "")[:500],
            )
        )
    return rows


def form_read(data: Any, *, school_id: int) -> tuple[PolicyForm, PolicySpec | None]:
    """Read the posted form: the form as typed (with Dutch errors by field) and the policy, or None on any error."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "base_students": _kinds(data, "base_students"),
        "base_guardians": _kinds(data, "base_guardians"),
        "pub_times": data.get("pub_times", "")[:200],
        "pub_school_days_only": data.get("pub_school_days_only") == "1",
        "pub_kinds": _kinds(data, "pub_kinds"),
        "sf_days": data.get("sf_days", "").strip()[:10],
        "sf_kinds": _kinds(data, "sf_kinds"),
        "sf_share_opens": data.get("sf_share_opens") == "1",
        "consent_model": data.get("consent_model", ""),
        "consent_default": data.get("consent_default", ""),
    }
    for role in STAFF_ROLES:
        values[f"staff_{role}"] = _kinds(data, f"staff_{role}")
    rows = form_rows(data)
    form = PolicyForm(values=values, rows=rows, errors=errors)

    times: list[dt.time] = []
    for part in filter(None, (p.strip() for p in str(values["pub_times"]).split(","))):
        match = _TIME.match(part)
        if match is None:
            errors["pub_times"] = _("“%(t)s” is geen tijd; schrijf tijden als 17:00, gescheiden door komma’s.") % {
                "t": part[:20]
            }
            break
        times.append(dt.time(int(match.group(1)), int(match.group(2))))
    days_text = str(values["sf_days"])
    days = int(days_text) if days_text.isdigit() else -1
    if not 0 <= days <= 30:
        errors["sf_days"] = _("Vul een heel aantal schooldagen in van 0 tot en met 30.")
    if values["consent_model"] not in CONSENT_MODELS:
        errors["consent_model"] = _("Kies wanneer de leerling beslist.")
    if values["consent_default"] not in ("shared", "not_shared"):
        errors["consent_default"] = _("Kies wat geldt zolang de leerling nog niet koos.")
    if len(rows) > MAX_WINDOWS:
        errors["rows"] = _("Hooguit %(n)s kalenderperiodes.") % {"n": MAX_WINDOWS}

    codes = set(CalendarRange.objects.filter(school_id=school_id).values_list("code", flat=True))
    levels = dict(Level.objects.filter(school_id=school_id).values_list("code", "years"))
    class_names = set(SchoolClass.objects.filter(school_year__school_id=school_id).values_list("name", flat=True))
    windows: list[Window] = []
    for i, row in enumerate(rows[:MAX_WINDOWS]):
        p = f"w{i}_"
        if row.audience not in AUDIENCE_LABELS:
            errors[p + "audience"] = _("Kies leerlingen of ouders/verzorgers.")
        if row.effect not in EFFECT_LABELS:
            errors[p + "effect"] = _("Kies open of dicht.")
        if not row.kinds:
            errors[p + "kinds"] = _("Kies ten minste één soort gegevens.")
        start = end = None
        if row.mode == "range":
            if not row.range:
                errors[p + "range"] = _("Kies een periode uit de schoolkalender.")
            elif row.range not in codes:
                errors[p + "range"] = _("Deze periode staat niet in de schoolkalender.")
        elif row.mode == "dates":
            start, end = _date(row.start), _date(row.end)
            if start is None:
                errors[p + "start"] = _("Vul een geldige begindatum in (dd-mm-jjjj).")
            if end is None:
                errors[p + "end"] = _("Vul een geldige einddatum in (dd-mm-jjjj).")
            elif start is not None and end < start:
                errors[p + "end"] = _("De einddatum ligt vóór de begindatum.")
        else:
            errors[p + "mode"] = _("Kies een periode uit de kalender of eigen data.")
        chosen_levels = [code for code in row.levels if code in levels]
        if len(chosen_levels) != len(row.levels):
            errors[p + "levels"] = _("Kies alleen niveaus van deze school.")
        years = [int(y) for y in row.years if y.isdigit() and 1 <= int(y) <= 6]
        highest = max((levels[c] for c in (chosen_levels or list(levels))), default=0)
        if len(years) != len(row.years):
            errors[p + "years"] = _("Kies leerjaren van 1 tot en met 6.")
        elif any(y > highest for y in years):
            errors[p + "years"] = _("Leerjaar %(y)s bestaat niet bij de gekozen niveaus (hoogste: %(h)s).") % {
                "y": max(years),
                "h": highest,
            }
        classes = [c.strip() for c in row.classes.split(",") if c.strip()]
        unknown = [c for c in classes if c not in class_names]
        if unknown:
            errors[p + "classes"] = _("Onbekende klas: %(k)s.") % {"k": unknown[0][:20]}
        windows.append(
            Window(
                audience=row.audience,
                kinds=frozenset(row.kinds),
                effect=row.effect,
                start=start,
                end=end,
                range=row.range if row.mode == "range" else "",
                levels=frozenset(chosen_levels),
                years=frozenset(years),
                classes=frozenset(classes),
                label=" ".join(row.label.split()),
            )
        )
    if errors:
        return form, None
    spec = PolicySpec(
        students=frozenset(values["base_students"]),
        guardians=frozenset(values["base_guardians"]),
        publication=Publication(
            times=tuple(sorted(set(times))),
            school_days_only=bool(values["pub_school_days_only"]),
            kinds=frozenset(values["pub_kinds"]),
        ),
        student_first=StudentFirst(
            school_days=days,
            kinds=frozenset(values["sf_kinds"]),
            share_opens_closed_window=bool(values["sf_share_opens"]),
        ),
        consent=ConsentModel(model=values["consent_model"], default_before_18=values["consent_default"] == "shared"),
        staff={role: frozenset(values[f"staff_{role}"]) for role in STAFF_ROLES},
        windows=tuple(windows),
    )
    return form, spec


def form_choices(*, school_id: int) -> dict[str, Any]:
    """What the school offers to choose from: kinds, calendar ranges (by code), levels, years, labels."""
    ranges: dict[str, str] = {}
    for code, name in CalendarRange.objects.filter(school_id=school_id).order_by("start").values_list("code", "name"):
        ranges.setdefault(code, name)
    return {
        "kind_choices": KIND_CHOICES,
        "range_choices": sorted(ranges.items()),
        "level_choices": list(Level.objects.filter(school_id=school_id).order_by("code").values_list("code", "name")),
        "year_choices": [str(y) for y in range(1, 7)],
        "audience_labels": AUDIENCE_LABELS,
        "effect_labels": EFFECT_LABELS,
        "consent_labels": [(m, CONSENT_LABELS[m]) for m in CONSENT_MODELS],
        "staff_roles": [(r, STAFF_LABELS[r]) for r in STAFF_ROLES],
    }
