from decimal import Decimal

import pytest

from inzage.grades.models import Column, Result
from inzage.grades.parsing import CellError, format_grade, parse_cell, parse_grade

NUMBER = Column.ResultType.NUMBER


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("7,5", "7.5"), ("7.5", "7.5"), ("10", "10.0"), (" 6,8 ", "6.8"), ("1", "1.0"), ("1,0", "1.0"), ("10,0", "10.0")],
)
def test_grades_in_dutch_or_point_notation_are_accepted(typed, expected) -> None:
    assert parse_grade(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("10,5", "10,5 ligt buiten 1,0–10,0."),
        ("0,9", "0,9 ligt buiten 1,0–10,0."),
        ("7,55", "7,55: één decimaal (bijvoorbeeld 7,5)."),
        ("abc", "„abc” is geen cijfer (bijvoorbeeld 7,5)."),
        ("7,", "„7,” is geen cijfer (bijvoorbeeld 7,5)."),
        ("-3", "„-3” is geen cijfer (bijvoorbeeld 7,5)."),
        ("100", "„100” is geen cijfer (bijvoorbeeld 7,5)."),
    ],
)
def test_malformed_or_out_of_range_grades_are_refused_with_a_dutch_message(typed, message) -> None:
    with pytest.raises(CellError) as err:
        parse_grade(typed)
    assert str(err.value) == message


def test_flags_judgements_text_and_empty_cells() -> None:
    assert parse_cell("inh", result_type=NUMBER).status == Result.Status.NOT_MADE
    assert parse_cell("VR", result_type=NUMBER).status == Result.Status.EXEMPT
    assert parse_cell("tnm", result_type=NUMBER).status == Result.Status.NOT_COUNTING
    assert parse_cell("  ", result_type=NUMBER).empty
    assert parse_cell("g", result_type=Column.ResultType.JUDGEMENT).judgement == "g"
    assert parse_cell("Voldoende", result_type=Column.ResultType.JUDGEMENT).judgement == "v"
    with pytest.raises(CellError, match="kies o, v of g"):
        parse_cell("7", result_type=Column.ResultType.JUDGEMENT)
    assert parse_cell("Goed nagedacht", result_type=Column.ResultType.TEXT).text == "Goed nagedacht"


def test_format_grade_uses_a_decimal_comma() -> None:
    assert format_grade(Decimal("7.5")) == "7,5"
    assert format_grade(Decimal("10")) == "10,0"
    assert format_grade(None) == ""


@pytest.mark.parametrize(
    "typed",
    [
        "７,５",  # full-width (a Japanese/Chinese IME keyboard)
        "７",
        "7,５",
        "٧,٥",  # Arabic-Indic
        "۷",  # extended Arabic-Indic (Persian)
        "७",  # Devanagari
        "𝟕,𝟓",  # mathematical bold
        "⁷",  # superscript
        "½",
    ],
)
def test_digits_other_than_0_to_9_are_refused_not_read_as_a_grade(typed) -> None:
    with pytest.raises(CellError) as err:
        parse_cell(typed, result_type=NUMBER)
    assert str(err.value) == f"„{typed}”: gebruik gewone cijfers (0–9)."


def test_the_grid_refuses_full_width_digits_in_every_number_cell() -> None:
    for typed in ("１０", "６,８", " ７.５ "):
        with pytest.raises(CellError, match="gewone cijfers"):
            parse_grade(typed)


@pytest.mark.parametrize(("typed", "value"), [("4,5 tnm", "4.5"), ("TNM 6", "6.0"), ("tnm  7.5", "7.5")])
def test_a_grade_that_does_not_count_keeps_its_value(typed, value) -> None:
    from decimal import Decimal

    from inzage.grades.models import Result
    from inzage.grades.parsing import display_cell

    cell = parse_cell(typed, result_type=Column.ResultType.NUMBER)
    assert (cell.status, cell.value) == (Result.Status.NOT_COUNTING, Decimal(value))
    shown = display_cell(Result(value=cell.value, status=cell.status))
    assert parse_cell(shown, result_type=Column.ResultType.NUMBER) == cell  # what the grid shows reads back the same


@pytest.mark.parametrize("typed", ["11 tnm", "tnm abc", "4,55 tnm", "tnm ７"])
def test_a_bad_grade_with_tnm_is_refused(typed) -> None:
    with pytest.raises(CellError):
        parse_cell(typed, result_type=Column.ResultType.NUMBER)
