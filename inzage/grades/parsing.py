"""Parsing what a teacher types in a grade cell (or a CSV field) into a result, with a Dutch message when refused.

Accepted, surrounding spaces ignored, case-insensitive:
- a number column: "7,5", "7.5", "10", "6" (1,0–10,0, at most one decimal);
- a judgement column: "o", "v", "g" (also "onvoldoende", "voldoende", "goed");
- a text column (reflection report): any text;
- in every column the flags "inh" (inhalen: not made yet), "vr" (vrijstelling: exempt) and "tnm" (telt niet mee:
  does not count); a flag keeps no value, except "tnm" with a grade in a number column ("4,5 tnm" or "tnm 4,5"):
  the grade is kept and shown (unless the school hides "telt niet mee" results) but never counted.
An empty cell means "nothing entered" (`ParsedCell.empty`).

Digits are 0–9 only. Python's `int()`, `Decimal()` and a regex digit class also take every other Unicode digit
(full-width `７`, Arabic-Indic `٧`, Devanagari `७`, ...), so `７,５` used to become 7,5 without a word. Such a value is refused with
"gebruik gewone cijfers (0–9)" rather than normalised: it is rare (an IME full-width keyboard), and accepting any digit
class would make look-alikes valid grades. The teacher sees the message and retypes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from inzage.grades.models import Column, Result

FLAGS = {
    "inh": Result.Status.NOT_MADE,
    "inhalen": Result.Status.NOT_MADE,
    "vr": Result.Status.EXEMPT,
    "vrij": Result.Status.EXEMPT,
    "vrijstelling": Result.Status.EXEMPT,
    "tnm": Result.Status.NOT_COUNTING,
}
JUDGEMENTS = {
    "o": "o",
    "onvoldoende": "o",
    "v": "v",
    "voldoende": "v",
    "g": "g",
    "goed": "g",
}
_NUMBER = re.compile(r"([0-9]{1,2})(?:[.,]([0-9]+))?", re.ASCII)
# "4,5 tnm" / "tnm 4,5": a grade that stays visible and does not count.
_NOT_COUNTING_GRADE = re.compile(r"(\S+)\s+tnm|tnm\s+(\S+)", re.IGNORECASE | re.ASCII)
LOWEST = Decimal("1.0")
HIGHEST = Decimal("10.0")


class CellError(ValueError):
    """A typed value that cannot be a result; the message is shown beside the cell."""


@dataclass(frozen=True)
class ParsedCell:
    """What a cell holds once parsed. `empty` cells change nothing."""

    status: str = Result.Status.NORMAL
    value: Decimal | None = None
    judgement: str = ""
    text: str = ""
    empty: bool = False


EMPTY = ParsedCell(empty=True)


def format_grade(value: Decimal | None) -> str:
    """A grade in Dutch notation: Decimal('7.5') → '7,5'; None → ''."""
    if value is None:
        return ""
    return f"{value:.1f}".replace(".", ",")


def format_average(value: Decimal | None) -> str:
    """An average with the decimals it was rounded to (the school's choice): 7 / 7,3 / 7,25; None → ''."""
    if value is None:
        return ""
    return format(value, "f").replace(".", ",")


def parse_grade(raw: str) -> Decimal:
    """A number 1,0–10,0 with at most one decimal, comma or point; raises CellError with a Dutch message."""
    typed = raw.strip()
    if not typed.isascii() and any(not ch.isascii() and ch.isnumeric() for ch in typed):
        raise CellError(_("„%(typed)s”: gebruik gewone cijfers (0–9).") % {"typed": typed})
    match = _NUMBER.fullmatch(typed)
    if not match:
        raise CellError(_("„%(typed)s” is geen cijfer (bijvoorbeeld 7,5).") % {"typed": typed})
    whole, decimals = match.groups()
    if decimals is not None and len(decimals) > 1:
        raise CellError(_("%(typed)s: één decimaal (bijvoorbeeld 7,5).") % {"typed": typed})
    value = Decimal(f"{whole}.{decimals or '0'}")
    if not LOWEST <= value <= HIGHEST:
        raise CellError(_("%(typed)s ligt buiten 1,0–10,0.") % {"typed": typed})
    return value


def parse_cell(raw: str, *, result_type: str) -> ParsedCell:
    """Parse one typed cell for a column of `result_type`; raises CellError (message per cell) when refused."""
    typed = (raw or "").strip()
    if not typed:
        return EMPTY
    flag = FLAGS.get(typed.lower())
    if flag is not None:
        return ParsedCell(status=flag)
    with_grade = _NOT_COUNTING_GRADE.fullmatch(typed)
    if with_grade and result_type == Column.ResultType.NUMBER:
        grade = with_grade.group(1) or with_grade.group(2)
        return ParsedCell(status=Result.Status.NOT_COUNTING, value=parse_grade(grade))
    if result_type == Column.ResultType.NUMBER:
        return ParsedCell(value=parse_grade(typed))
    if result_type == Column.ResultType.JUDGEMENT:
        judgement = JUDGEMENTS.get(typed.lower())
        if judgement is None:
            raise CellError(_("„%(typed)s”: kies o, v of g.") % {"typed": typed})
        return ParsedCell(judgement=judgement)
    if result_type == Column.ResultType.TEXT:
        if len(typed) > 5000:
            raise CellError(_("Het verslag is te lang (ten hoogste 5000 tekens)."))
        return ParsedCell(text=typed)
    raise CellError(_("Onbekend soort kolom."))


def display_cell(result: Result | None) -> str:
    """What a grid cell shows for a stored result (the inverse of parse_cell)."""
    if result is None or result.retracted_at is not None:
        return ""
    if result.status == Result.Status.NOT_MADE:
        return "inh"
    if result.status == Result.Status.EXEMPT:
        return "vr"
    if result.status == Result.Status.NOT_COUNTING:
        return "tnm" if result.value is None else f"{format_grade(result.value)} tnm"
    if result.value is not None:
        return format_grade(result.value)
    return result.judgement or result.text
