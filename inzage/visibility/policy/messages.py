"""The explanation of every reason code, in Dutch and English (both kept: explain pages show either)."""

from __future__ import annotations

import datetime as dt
from typing import Any

KIND_NAMES: dict[str, tuple[str, str]] = {
    "grades": ("cijfers", "grades"),
    "averages": ("gemiddelden en rapportcijfers", "averages and report grades"),
    "period_report": ("rapport", "period report"),
    "attendance": ("aanwezigheid", "attendance"),
    "behaviour": ("gedrag en maatregelen", "behaviour and measures"),
    "care_notes": ("zorgnotities", "care notes"),
    "homework": ("huiswerk", "homework"),
    "timetable": ("rooster", "timetable"),
    "plan": ("succesplan en reflecties", "plan and reflections"),
    "personal_data": ("persoonsgegevens", "personal data"),
    "access_log": ("inzagelog", "access log"),
}

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "teacher": ("docent", "teacher"),
    "mentor": ("mentor", "mentor"),
    "coordinator": ("coördinator", "coordinator"),
    "care_coordinator": ("zorgcoördinator", "care coordinator"),
    "attendance_officer": ("verzuimcoördinator", "attendance officer"),
    "exam_secretary": ("examensecretaris", "examination secretary"),
    "administrator": ("beheerder", "administrator"),
}

REASONS: dict[str, tuple[str, str]] = {
    "not_related": ("Niet gevonden.", "Not found."),
    "unknown_kind": ("Onbekend soort gegeven: verborgen.", "Unknown kind of data: hidden."),
    "no_rule": ("Geen regel staat dit toe.", "No rule allows this."),
    "retracted": ("Ingetrokken.", "Retracted."),
    "held_back": ("Nog niet vrijgegeven door de docent.", "Not yet released by the teacher."),
    "not_released": ("Zichtbaar vanaf {moment}.", "Visible from {moment}."),
    "publication": (
        "Zichtbaar vanaf {moment} (vast publicatiemoment).",
        "Visible from {moment} (fixed publication time).",
    ),
    "court_restriction": (
        "Niet beschikbaar door een rechterlijke beslissing.",
        "Not available because of a court order.",
    ),
    "legal_floor": (
        "Rapport: de school informeert elke ouder met gezag (wettelijke plicht).",
        "Period report: the school informs every parent with custody (legal duty).",
    ),
    "no_custody": (
        "Alleen op verzoek beschikbaar voor een ouder zonder gezag.",
        "Available to a parent without custody only on request.",
    ),
    "override_open": ("Opengezet door de school{until}.", "Opened by the school{until}."),
    "override_close": ("Dichtgezet door de school{until}.", "Closed by the school{until}."),
    "no_consent": ("De leerling deelt dit niet.", "The student does not share this."),
    "no_consent_adult": (
        "De leerling is 18 of ouder en deelt dit niet.",
        "The student is 18 or older and does not share this.",
    ),
    "window_closed": (
        "De inzage is gesloten{label} ({start} t/m {end}).",
        "Viewing is closed{label} ({start} to {end} inclusive).",
    ),
    "window_open": (
        "De inzage is open{label} ({start} t/m {end}).",
        "Viewing is open{label} ({start} to {end} inclusive).",
    ),
    "shared": ("De leerling heeft dit gedeeld.", "The student shared this."),
    "student_first": (
        "De leerling ziet dit eerst; zichtbaar vanaf {moment}.",
        "The student sees this first; visible from {moment}.",
    ),
    "linked_hidden": (
        "Verborgen omdat het oorspronkelijke item ({linked}) nog niet zichtbaar is{linked_from}.",
        "Hidden because the original item ({linked}) is not visible yet{linked_from}.",
    ),
    "base_visible": ("Zichtbaar.", "Visible."),
    "base_hidden": ("De school toont {kind_nl} niet.", "The school does not show {kind_en}."),
    "staff_role": ("Zichtbaar als {role_nl}.", "Visible as {role_en}."),
    "staff_teacher": ("Zichtbaar als docent van deze groep.", "Visible as the teacher of this group."),
    "staff_other_group": ("Alleen voor de docent van deze groep.", "Only for the teacher of this group."),
    "staff_kind": ("Uw rol geeft geen inzage in {kind_nl}.", "Your role gives no access to {kind_en}."),
}


def nl_date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def nl_moment(moment: dt.datetime) -> str:
    return moment.strftime("%d-%m-%Y %H:%M")


def explain(reason: str, **params: Any) -> tuple[str, str]:
    """The Dutch and English explanation for a reason code, filled in with its parameters."""
    nl, en = REASONS.get(reason, REASONS["no_rule"])
    if "{" not in nl:
        return nl, en
    moment = params.get("moment")
    until = params.get("until")
    label = params.get("label") or ""
    kind = params.get("kind", "")
    role = params.get("role", "")
    values_nl = {
        "moment": nl_moment(moment) if moment else "later",
        "until": f" tot en met {nl_date(until)}" if until else "",
        "label": f" tijdens {label}" if label else "",
        "start": nl_date(params["start"]) if params.get("start") else "",
        "end": nl_date(params["end"]) if params.get("end") else "",
        "kind_nl": KIND_NAMES.get(kind, (kind, kind))[0],
        "role_nl": ROLE_NAMES.get(role, (role, role))[0],
        "linked": params.get("linked", ""),
        "linked_from": f"; zichtbaar vanaf {nl_moment(moment)}" if moment else "",
    }
    values_en = {
        **values_nl,
        "moment": nl_moment(moment) if moment else "later",
        "until": f" until {nl_date(until)}" if until else "",
        "label": f" during {label}" if label else "",
        "kind_en": KIND_NAMES.get(kind, (kind, kind))[1],
        "role_en": ROLE_NAMES.get(role, (role, role))[1],
        "linked_from": f"; visible from {nl_moment(moment)}" if moment else "",
    }
    return nl.format(**values_nl), en.format(**values_en)


# The rule that decided, by its code in `Decision.rule` (the part before "[" or "#"), in Dutch and English.
RULE_NAMES: dict[str, tuple[str, str]] = {
    "engine": ("geen regel (afgeschermd)", "no rule (hidden)"),
    "link": ("gekoppeld gegeven (herkansing)", "linked item (resit)"),
    "relation": ("relatie met de leerling", "relation to the student"),
    "release": ("vrijgave door de docent", "release by the teacher"),
    "publication": ("publicatiemoment", "publication moment"),
    "base.students": ("basisinstelling voor leerlingen", "base setting for students"),
    "base.guardians": ("basisinstelling voor ouders", "base setting for parents"),
    "legal_floor": ("wettelijk minimum (rapport voor ouders met gezag)", "legal minimum (report for parents)"),
    "information_request": ("toegekend informatieverzoek", "granted information request"),
    "court_restriction": ("beperking door de rechter", "court restriction"),
    "custody": ("geen gezag (alleen op verzoek)", "no custody (only on request)"),
    "override": ("afspraak over inzage", "agreement on access"),
    "share": ("gedeeld door de leerling", "shared by the student"),
    "student_first": ("eerst de leerling", "student first"),
    "staff": ("rol van het personeelslid", "staff role"),
    "staff.teacher": ("docent van de groep", "teacher of the group"),
}
CONSENT_RULES: dict[str, tuple[str, str]] = {
    "at_18": ("toestemming van de leerling (vanaf 18)", "consent of the student (from 18)"),
    "from_16": ("toestemming van de leerling (vanaf 16)", "consent of the student (from 16)"),
    "always": ("toestemming van de leerling", "consent of the student"),
}


def rule_name(rule: str, label: str = "") -> tuple[str, str]:
    """The Dutch and English name of the rule that decided (`Decision.rule`), e.g. "windows[0]" with its label
    → "kalenderperiode ‘Toetsweek 2’". An unknown code is named as such, never shown raw."""
    if rule in RULE_NAMES:
        return RULE_NAMES[rule]
    if rule.startswith("windows["):
        if label:
            return f"kalenderperiode ‘{label}’", f"calendar window ‘{label}’"
        number = rule.removeprefix("windows[").rstrip("]")
        n = int(number) + 1 if number.isdigit() else 0
        return f"kalenderperiode {n}", f"calendar window {n}"
    if rule.startswith("consent."):
        return CONSENT_RULES.get(rule.removeprefix("consent."), CONSENT_RULES["always"])
    if rule.startswith("staff."):
        role = ROLE_NAMES.get(rule.removeprefix("staff."), ("personeel", "staff"))
        return f"rol {role[0]}", f"role {role[1]}"
    head = rule.split("#", 1)[0]
    return RULE_NAMES.get(head, ("overige regel", "other rule"))
