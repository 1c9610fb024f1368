import codecs
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inzage.grades.actions import column_create
from inzage.grades.imports import import_apply, import_plan
from inzage.grades.models import Column, Result, ResultVersion
from inzage.grades.tests.conftest import AT
from inzage.testing import factories as f
from inzage.web.csvfiles import CsvFileError, csv_decode

LATER = AT + dt.timedelta(days=1)


@pytest.mark.parametrize(
    "text",
    [
        "leerlingnummer;kolom;cijfer\n{n};H1;7,5\n",
        'student_number,column_code,grade\n{n},H1,"7,5"\n',
        "\ufeffLeerlingnummer\tKolom\tCijfer\r\n{n}\tH1\t7.5\r\n",
        "groep;leerlingnummer;kolom;cijfer\nh3a-wi;{n};h1;7,5\n",
    ],
)
def test_formats_are_read_and_applied(personas, column, text) -> None:
    plan = import_plan(text=text.format(n=personas.student.student_number), groups=[personas.group])
    assert plan.errors == []
    assert (plan.rows, plan.new) == (1, 1)
    outcome = import_apply(plan=plan, by=personas.user("teacher"), at=AT, file_name="t.csv")
    assert outcome.created == 1
    assert Result.objects.get().value == Decimal("7.5")


def test_every_bad_row_is_reported_and_nothing_is_written(personas, column) -> None:
    n, other = personas.student.student_number, personas.other_student.student_number
    text = f"leerlingnummer;kolom;cijfer\n{n};H1;7,5\n999999;H1;6\n{other};H1;6\n{n};H9;6\n{n};H1;11\n{n};H1;6\n"
    plan = import_plan(text=text, groups=[personas.group])
    assert [(e.line, e.field) for e in plan.errors] == [
        (3, "leerlingnummer"),
        (4, "leerlingnummer"),  # not in this group: another group's student cannot be written
        (5, "kolom"),
        (6, "cijfer"),
        (7, "leerlingnummer"),  # the same student and column twice
    ]
    with pytest.raises(ValueError):
        import_apply(plan=plan, by=None, at=AT, file_name="t.csv")
    assert not Result.objects.exists()


def test_a_missing_header_column_is_reported() -> None:
    plan = import_plan(text="leerlingnummer;cijfer\n1;7\n", groups=[])
    assert "kolom" in plan.errors[0].message


def test_importing_the_same_file_twice_changes_nothing_the_second_time(personas, column) -> None:
    text = f"leerlingnummer;kolom;cijfer\n{personas.student.student_number};H1;7,5\n"
    import_apply(plan=import_plan(text=text, groups=[personas.group]), by=None, at=AT, file_name="t.csv")
    again = import_plan(text=text, groups=[personas.group])
    assert (again.new, again.changed, again.unchanged) == (0, 0, 1)
    outcome = import_apply(plan=again, by=None, at=LATER, file_name="t.csv")
    assert (outcome.created, outcome.changed) == (0, 0)
    assert ResultVersion.objects.count() == 1
    changed = text.replace("7,5", "8,0")
    import_apply(plan=import_plan(text=changed, groups=[personas.group]), by=None, at=LATER, file_name="t2.csv")
    versions = list(ResultVersion.objects.order_by("version"))
    assert [(v.value, v.reason) for v in versions] == [(Decimal("7.5"), ""), (Decimal("8.0"), "CSV-import t2.csv")]


def test_planning_takes_a_constant_number_of_queries(personas, column, django_assert_num_queries) -> None:
    text = f"leerlingnummer;kolom;cijfer\n{personas.student.student_number};H1;7,5\n"
    with django_assert_num_queries(4):
        import_plan(text=text, groups=[personas.group])
    from inzage.testing import factories as f

    many = [f.StudentFactory(school=personas.school) for _ in range(20)]
    personas.group.students.add(*many)
    text += "".join(f"{s.student_number};H1;6\n" for s in many)
    with django_assert_num_queries(4):
        plan = import_plan(text=text, groups=[personas.group])
    assert plan.new == 21


# --- Inputs that used to break (issue 7 part 4, issue 9): structure, size, encodings, digits. ---------------------


@pytest.fixture
def report(personas, kind) -> Column:
    """A text column (reflection report): the only place where a field may run over several lines."""
    return column_create(
        group=personas.group,
        kind=kind,
        period=personas.periods[0],
        name="Reflectie",
        code="R1",
        date=dt.date(2025, 9, 30),
        result_type=Column.ResultType.TEXT,
        by=None,
        at=AT,
    )


@pytest.fixture
def numbers(personas) -> list[str]:
    """Student numbers of three students of the group."""
    more = [f.StudentFactory(school=personas.school) for _ in range(2)]
    personas.group.students.add(*more)
    return [personas.student.student_number, *(s.student_number for s in more)]


def test_an_unterminated_quote_that_swallows_the_next_rows_is_refused(personas, column, report, numbers) -> None:
    a, b, c = numbers
    # The quote opened on line 2 is "closed" by the last one on line 4: a CSV reader makes ONE report text of lines
    # 2–4, with other students' numbers in it, and b and c disappear from the import.
    text = f'leerlingnummer;kolom;cijfer\n{a};R1;"Goed gewerkt\n{b};R1;Netjes\n{c};R1;Prima"\n'
    plan = import_plan(text=text, groups=[personas.group])
    assert [(e.line, e.field) for e in plan.errors] == [(2, "cijfer")]
    assert "aanhalingsteken" in plan.errors[0].message and "regel 3" in plan.errors[0].message
    assert (plan.lines, plan.rows) == (4, 1)
    assert not plan.cells


def test_a_swallowed_row_of_an_unknown_student_is_recognised_by_its_column_code(personas, report, numbers) -> None:
    a, _b, c = numbers
    text = f'kolom;leerlingnummer;cijfer\nR1;{a};"Goed gewerkt\nr1;999999;Netjes\nR1;{c};Prima"\n'
    plan = import_plan(text=text, groups=[personas.group])
    assert [(e.line, e.field) for e in plan.errors] == [(2, "cijfer")]
    assert "regel 3" in plan.errors[0].message


def test_a_quote_left_open_to_the_end_of_the_file_is_refused(personas, column, numbers) -> None:
    a, b, _c = numbers
    text = f'leerlingnummer;kolom;cijfer\n{a};H1;"7,5\n{b};H1;6\n'
    plan = import_plan(text=text, groups=[personas.group])
    assert [e.line for e in plan.errors] == [2]
    assert "aanhalingsteken" in plan.errors[0].message


@pytest.mark.parametrize("where", ["leerlingnummer", "kolom", "cijfer"])
def test_a_quote_spanning_lines_where_no_text_is_expected_is_refused(personas, column, numbers, where) -> None:
    a, b, _c = numbers
    fields = {"leerlingnummer": a, "kolom": "H1", "cijfer": "7,5"}
    fields[where] = f'"{fields[where]}\n{b}"'
    text = "leerlingnummer;kolom;cijfer\n" + ";".join(fields.values()) + "\n"
    plan = import_plan(text=text, groups=[personas.group])
    assert [(e.line, e.field) for e in plan.errors] == [(2, where)]
    assert "meerdere regels" in plan.errors[0].message


def test_a_report_text_over_several_lines_is_accepted_in_a_text_column(personas, report, numbers) -> None:
    a, b, _c = numbers
    text = f'leerlingnummer;kolom;cijfer\n{a};R1;"Goed gewerkt.\nVolgende keer: ""netter""."\n{b};R1;Prima\n'
    plan = import_plan(text=text, groups=[personas.group])
    assert plan.errors == []
    assert (plan.lines, plan.rows, plan.students) == (4, 2, 2)
    assert plan.cells[0][2].text == 'Goed gewerkt.\nVolgende keer: "netter".'


def test_line_breaks_in_a_report_are_stored_as_one_kind(personas, report) -> None:
    n = personas.student.student_number
    for newline in ("\n", "\r\n", "\r"):
        text = f'leerlingnummer;kolom;cijfer{newline}{n};R1;"Eerste regel{newline}tweede regel"{newline}'
        plan = import_plan(text=text, groups=[personas.group])
        assert plan.errors == [] and plan.cells[0][2].text == "Eerste regel\ntweede regel"


def test_the_plan_counts_file_lines_records_and_students(personas, column, report, numbers) -> None:
    a, b, c = numbers
    text = f"leerlingnummer;kolom;cijfer\n{a};H1;7\n\n{b};H1;8\n{c};H1;6\n{a};R1;Goed\n"
    plan = import_plan(text=text, groups=[personas.group])
    assert plan.errors == []
    assert (plan.lines, plan.rows, plan.students) == (6, 4, 3)


@pytest.mark.parametrize("size", [20_000, 200_000])
def test_a_huge_field_is_refused_with_a_message(personas, report, numbers, size) -> None:
    a, b, _c = numbers
    text = f"leerlingnummer;kolom;cijfer\n{a};R1;{'x' * size}\n{b};R1;Prima\n"
    plan = import_plan(text=text, groups=[personas.group])  # 200,000 is over the csv module's own limit: no 500
    assert [(e.line, e.field) for e in plan.errors][:1] == [(2, "cijfer" if size < 131_072 else "")]
    assert "te lang" in plan.errors[0].message


def test_more_fields_than_the_header_is_an_error_never_a_silent_truncation(personas, column) -> None:
    n = personas.student.student_number
    # An unquoted decimal comma in a comma-separated file: "7" and "5" land in two fields.
    plan = import_plan(text=f"leerlingnummer,kolom,cijfer\n{n},H1,7,5\n", groups=[personas.group])
    assert [(e.line, e.field) for e in plan.errors] == [(2, "")]
    assert "4 velden" in plan.errors[0].message and '"7,5"' in plan.errors[0].message
    assert not plan.cells


def test_empty_extra_fields_lose_nothing_and_are_accepted(personas, column) -> None:
    n = personas.student.student_number
    plan = import_plan(text=f"leerlingnummer;kolom;cijfer\n{n};H1;7,5;;\n", groups=[personas.group])
    assert plan.errors == [] and plan.cells[0][2].value == Decimal("7.5")


def test_an_unquoted_decimal_comma_beside_an_extra_column_is_refused(personas, column) -> None:
    n = personas.student.student_number
    text = f"leerlingnummer,kolom,cijfer,opmerking\n{n},H1,7,5\n"
    plan = import_plan(text=text, groups=[personas.group])
    assert [(e.line, e.field) for e in plan.errors] == [(2, "cijfer")]
    assert '"7,5"' in plan.errors[0].message


def test_a_header_naming_a_field_twice_is_refused(personas, column) -> None:
    plan = import_plan(text="leerlingnummer;kolom;cijfer;grade\n1;H1;7;8\n", groups=[personas.group])
    assert [e.line for e in plan.errors] == [1] and "twee keer" in plan.errors[0].message


def test_full_width_digits_are_refused_in_the_import(personas, column) -> None:
    n = personas.student.student_number
    plan = import_plan(text=f"leerlingnummer;kolom;cijfer\n{n};H1;７,５\n", groups=[personas.group])
    assert [(e.line, e.field) for e in plan.errors] == [(2, "cijfer")]
    assert "gewone cijfers (0–9)" in plan.errors[0].message
    assert not plan.cells


def test_a_nul_character_is_refused_with_its_line(personas, column) -> None:
    n = personas.student.student_number
    plan = import_plan(text=f"leerlingnummer;kolom;cijfer\n{n};H1;7\x00\n", groups=[personas.group])
    assert [e.line for e in plan.errors] == [2] and "UTF-16" in plan.errors[0].message


# --- Encodings ------------------------------------------------------------------------------------------------------

TAB_TEXT = "leerlingnummer\tkolom\tcijfer\r\n{n}\tH1\t7,5\r\n{n}\tR1\tGoed gedaan, Zoë!\r\n"


@pytest.mark.parametrize(
    ("encode", "label"),
    [
        (lambda t: t.encode("utf-8"), "UTF-8"),
        (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "UTF-8"),
        (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "UTF-16"),  # Excel's "Unicode text"
        (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "UTF-16"),
        (lambda t: t.encode("cp1252"), "Windows-1252"),  # Excel's "CSV" on Dutch Windows
    ],
)
def test_utf8_utf16_and_cp1252_files_are_read(personas, column, report, encode, label) -> None:
    decoded = csv_decode(data=encode(TAB_TEXT.format(n=personas.student.student_number)))
    assert label in decoded.encoding
    plan = import_plan(text=decoded.text, groups=[personas.group])
    assert plan.errors == []
    assert sorted(str(c.value or c.text) for _col, _s, c in plan.cells) == ["7.5", "Goed gedaan, Zoë!"]


# --- Never anything but CsvFileError, never a write ---------------------------------------------------------------


def test_random_input_never_raises_and_never_stores(personas, column, report, numbers) -> None:
    # Records with a real student and column ("\n100123;H1;" then "7,5"), mixed with every character that has broken
    # a reader: quotes, line breaks of all kinds, other delimiters, non-ASCII digits, NUL, BOM, huge fields.
    junk = [";", ",", "\t", '"', '""', "\n", "\r\n", "\r", "7,5", "7.5", "7", "5", "８", "٧", " ", "x", "inh", "o"]
    junk += ["\x00", "\ufeff", "cijfer", "groep", "é", "€", "\u2028", "x" * 6000, *numbers]

    def text_with(delimiter: str) -> st.SearchStrategy[str]:
        d = delimiter
        starts = [f"\n{n}{d}{c}{d}" for n in numbers for c in ("H1", "R1")]
        header = st.sampled_from([f"leerlingnummer{d}kolom{d}cijfer\n", f"Leerlingnummer{d}Kolom{d}Cijfer\r\n", ""])
        body = st.lists(st.sampled_from(starts * 3 + junk), max_size=12)
        return st.builds(lambda h, parts: h + "".join(parts), header, body)

    texts = st.sampled_from([";", ",", "\t"]).flatmap(text_with)
    encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])
    inputs = st.one_of(
        st.binary(max_size=200),
        st.builds(lambda t, e: t.encode(e, errors="replace"), texts, encodings),
        st.builds(lambda t, junk: t.encode("utf-8") + junk, texts, st.binary(max_size=8)),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=inputs)
    def check(data: bytes) -> None:
        try:
            text = csv_decode(data=data).text
        except CsvFileError as err:
            assert err.message and err.line >= 1
            return
        plan = import_plan(text=text, groups=[personas.group])
        event("planned with errors" if plan.errors else f"planned clean, {len(plan.cells)} cells")
        assert all(e.line >= 1 and e.message for e in plan.errors)
        assert plan.rows <= plan.lines
        if plan.errors:
            with pytest.raises(ValueError):
                import_apply(plan=plan, by=None, at=AT, file_name="t.csv")
        assert not Result.objects.exists() and not ResultVersion.objects.exists()

    check()


# --- The preview's old and new values, all-or-nothing against changes since the preview, formulas ---------------


def test_the_plan_lists_every_written_result_with_the_stored_value_beside_it(personas, column, numbers) -> None:
    a, b, c = numbers
    first = f"leerlingnummer;kolom;cijfer\n{a};H1;6,0\n{b};H1;inh\n"
    import_apply(plan=import_plan(text=first, groups=[personas.group]), by=None, at=AT, file_name="t.csv")
    plan = import_plan(text=f"leerlingnummer;kolom;cijfer\n{a};H1;7,5\n{b};H1;inh\n{c};H1;8\n", groups=[personas.group])
    assert (plan.new, plan.changed, plan.unchanged) == (1, 1, 1)
    assert [(x.line, x.student_number, x.column_code, x.old, x.new) for x in plan.changes] == [
        (2, a, "H1", "6,0", "7,5"),
        (4, c, "H1", "", "8,0"),
    ]
    assert plan.changed_cells[0].student_name == personas.student.full_name
    assert not plan.changed_cells[0].is_new and plan.new_cells[0].is_new
    assert Result.objects.get(student=personas.student).value == Decimal("6.0")  # planning writes nothing


def test_a_stale_preview_writes_nothing(personas, column, numbers) -> None:
    from inzage.grades.imports import ImportStale

    a, b, _c = numbers
    text = f"leerlingnummer;kolom;cijfer\n{a};H1;7,5\n{b};H1;6\n"
    preview = import_plan(text=text, groups=[personas.group])
    assert preview.fingerprint == import_plan(text=text, groups=[personas.group]).fingerprint  # deterministic
    with pytest.raises(ImportStale) as refused:
        import_apply(plan=preview, by=None, at=AT, file_name="t.csv", fingerprint="0" * 32)
    assert "niets geïmporteerd" in refused.value.message
    assert not Result.objects.exists() and not ResultVersion.objects.exists()


def test_a_colleagues_change_since_the_preview_is_noticed_even_on_an_unchanged_line(personas, column, numbers) -> None:
    from inzage.grades.actions import result_change
    from inzage.grades.imports import ImportStale
    from inzage.grades.parsing import parse_cell

    a, b, _c = numbers
    import_apply(
        plan=import_plan(text=f"leerlingnummer;kolom;cijfer\n{a};H1;6\n", groups=[personas.group]),
        by=None,
        at=AT,
        file_name="t.csv",
    )
    text = f"leerlingnummer;kolom;cijfer\n{a};H1;6\n{b};H1;8\n"  # a's line is "unchanged" in the preview
    preview = import_plan(text=text, groups=[personas.group]).fingerprint
    stored = Result.objects.get(student=personas.student)
    result_change(result=stored, cell=parse_cell("9", result_type="number"), by=None, at=LATER, reason="Herteld")
    again = import_plan(text=text, groups=[personas.group])  # the confirm reads the file again: now a changes back
    assert [(x.old, x.new) for x in again.changed_cells] == [("9,0", "6,0")]
    with pytest.raises(ImportStale):
        import_apply(plan=again, by=None, at=LATER, file_name="t.csv", fingerprint=preview)
    assert Result.objects.get(student=personas.student).value == Decimal("9.0")
    assert Result.objects.count() == 1  # b's new result is not written either: all or nothing


def test_a_change_between_planning_and_the_lock_undoes_the_whole_file(personas, column, numbers) -> None:
    from inzage.grades.actions import column_retract, result_change
    from inzage.grades.imports import ImportStale
    from inzage.grades.parsing import parse_cell

    a, b, _c = numbers
    import_apply(
        plan=import_plan(text=f"leerlingnummer;kolom;cijfer\n{a};H1;6\n", groups=[personas.group]),
        by=None,
        at=AT,
        file_name="t.csv",
    )
    versions = ResultVersion.objects.count()
    plan = import_plan(text=f"leerlingnummer;kolom;cijfer\n{b};H1;8\n{a};H1;7\n", groups=[personas.group])
    stored = Result.objects.get(student=personas.student)
    result_change(result=stored, cell=parse_cell("9", result_type="number"), by=None, at=LATER, reason="Herteld")
    with pytest.raises(ImportStale):
        import_apply(plan=plan, by=None, at=LATER, file_name="t.csv", fingerprint=plan.fingerprint)
    assert Result.objects.count() == 1 and ResultVersion.objects.count() == versions + 1  # only the colleague's

    plan = import_plan(text=f"leerlingnummer;kolom;cijfer\n{b};H1;8\n", groups=[personas.group])
    column_retract(column=column, by=None, at=LATER, reason="Vervalt")
    with pytest.raises(ImportStale):
        import_apply(plan=plan, by=None, at=LATER, file_name="t.csv", fingerprint=plan.fingerprint)
    assert Result.objects.count() == 1


@pytest.mark.parametrize(
    ("line", "split"),
    [("{n},H1,7,5", "7,5"), ("{n},H1,7,0", "7,0"), ("{n},H1,10,0", "10,0"), ("{n},H1, 5,5 ", "5,5")],
)
def test_a_comma_decimal_in_a_comma_file_never_becomes_a_whole_number(personas, column, line, split) -> None:
    n = personas.student.student_number
    for header in ("leerlingnummer,kolom,cijfer", "leerlingnummer,kolom,cijfer,opmerking"):
        plan = import_plan(text=f"{header}\n{line.format(n=n)}\n", groups=[personas.group])
        assert [e.line for e in plan.errors] == [2] and not plan.cells and not plan.changes
        message = plan.errors[0].message
        assert f'"{split}"' in message and "aanhalingstekens" in message and ";" in message


def test_a_formula_in_a_report_is_stored_as_text_and_exported_harmless(personas, report, column, numbers) -> None:
    from inzage.grades.exports import results_csv
    from inzage.grades.queries import results_of_columns

    a, b, c = numbers
    text = (
        f'leerlingnummer;kolom;cijfer\n{a};R1;=cmd()\n{b};R1;"=HYPERLINK(""http://x"",""klik"")"\n'
        f"{c};R1;@SUM(A1)\n{a};H1;7\n"
    )
    import_apply(plan=import_plan(text=text, groups=[personas.group]), by=None, at=AT, file_name="t.csv")
    stored = {r.student.student_number: r.text for r in Result.objects.filter(column=report).select_related("student")}
    assert stored == {a: "=cmd()", b: '=HYPERLINK("http://x","klik")', c: "@SUM(A1)"}
    columns = [column, report]
    students = list(personas.group.students.order_by("pk"))
    exported = results_csv(columns=columns, students=students, results=results_of_columns(columns))
    rows = [line.split(";") for line in exported.splitlines()]
    assert rows[0] == ["leerlingnummer", "naam", "kolom", "cijfer"]
    cells = [row[3] for row in rows[1:]]
    assert "'=cmd()" in cells and "'@SUM(A1)" in cells and "7,0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    again = import_plan(text=exported, groups=[personas.group])  # the export imports again as what was stored
    assert again.errors == [] and (again.new, again.changed, again.unchanged) == (0, 0, 4)


def test_a_formula_in_a_number_column_is_refused() -> None:
    from inzage.grades.parsing import CellError, parse_cell

    with pytest.raises(CellError):
        parse_cell("=1+1", result_type="number")
