"""Validation of the publishing form: a Dutch message next to the field, and everything typed kept."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_REMARK = 2000
MAX_REASON = 300


@dataclass
class PublishInput:
    remarks: dict[int, str]
    reason: str
    errors: dict[str, str] = field(default_factory=dict)  # field name ("remark-<id>", "reason") -> message


def remark_field(student_id: int) -> str:
    return f"remark-{student_id}"


def publish_input(data: dict[str, str], *, student_ids: list[int], correction: bool) -> PublishInput:
    """Read the posted remarks (one per student of the class) and the reason (required for a correction)."""
    remarks: dict[int, str] = {}
    errors: dict[str, str] = {}
    for sid in student_ids:
        name = remark_field(sid)
        text = str(data.get(name, "")).replace("\r\n", "\n").strip()
        remarks[sid] = text
        if "\x00" in text:
            errors[name] = "De opmerking bevat een ongeldig teken."
        elif len(text) > MAX_REMARK:
            errors[name] = f"Een opmerking is hoogstens {MAX_REMARK} tekens (nu {len(text)})."
    reason = str(data.get("reason", "")).strip()
    if "\x00" in reason:
        errors["reason"] = "De reden bevat een ongeldig teken."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Een reden is hoogstens {MAX_REASON} tekens (nu {len(reason)})."
    elif correction and not reason:
        errors["reason"] = "Geef een reden voor de correctie: wat is er veranderd en waarom?"
    return PublishInput(remarks=remarks, reason=reason, errors=errors)
