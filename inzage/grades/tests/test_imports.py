import datetime as dt
from decimal import Decimal

import pytest

from inzage.grades.imports import detect_delimiter, import_apply, import_plan
from inzage.grades.models import Result, ResultVersion
from inzage.grades.tests.conftest import AT

LATER = AT + dt.timedelta(days=1)


def test_delimiter_is_detected_from_the_header() -> None:
    assert detect_delimiter("leerlingnummer;kolom;cijfer") == ";"
    assert detect_delimiter("leerlingnummer,kolom,cijfer") == ","
    assert detect_delimiter("leerlingnummer\tkolom\tcijfer") == "\t"


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
