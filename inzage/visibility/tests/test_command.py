"""The `visibility` management command: explain as JSON, policy export/import round trip and error reporting."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from inzage.visibility.models import PolicyVersion
from inzage.visibility.policy.document import DEFAULT_POLICY, dump_policy, parse_policy, state_missing_sections
from inzage.visibility.tests.conftest import local, set_policy


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("visibility", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_explain_prints_one_object_per_item(personas, result_factory) -> None:
    set_policy(personas.school, 'format = 1\n[publication]\ntimes = ["17:00"]\n')
    shown = result_factory(release_at=local(2025, 11, 3, 9), entered_at=local(2025, 11, 3, 9))
    later = result_factory(release_at=local(2025, 11, 14, 18), entered_at=local(2025, 11, 14, 18))
    rows = json.loads(
        run(
            "explain",
            "--viewer",
            personas.user("parent").username,
            "--student",
            personas.student.student_number,
            "--at",
            "2025-11-15T10:00:00+01:00",
            "--json",
        )
    )
    by_id = {(r["kind"], r["id"]): r for r in rows}
    assert set(rows[0]) >= {"kind", "id", "subject", "visible", "reason", "rule", "visible_from"}
    assert by_id[("grades", shown.pk)]["visible"] is True
    hidden = by_id[("grades", later.pk)]
    assert (hidden["visible"], hidden["rule"]) == (False, "publication")
    assert hidden["visible_from"] == "2025-11-17T17:00:00+01:00"
    assert hidden["subject"] == "wi"
    assert by_id[("care_notes", None)]["visible"] is False
    # by the student's username, too; and the value of a grade is never printed
    text = run(
        "explain",
        "--viewer",
        personas.user("parent").username,
        "--student",
        personas.user("student").username,
        "--at",
        "2025-11-15T10:00",
        "--json",
    )
    assert "7.5" not in text and "7,5" not in text


def test_explain_refuses_unknown_people(personas) -> None:
    with pytest.raises(CommandError):
        run("explain", "--viewer", "nobody", "--student", personas.student.student_number, "--json")
    with pytest.raises(CommandError):
        run("explain", "--viewer", personas.user("parent").username, "--student", "999999999", "--json")


def test_policy_export_import_round_trip(personas, tmp_path) -> None:
    text = run("policy", "export")
    assert parse_policy(text) == parse_policy(text)
    changed = text.replace("school_days = 0", "school_days = 2")
    path = tmp_path / "beleid.toml"
    path.write_text(changed, encoding="utf-8")
    run("policy", "import", str(path), "--user", personas.user("admin").username)
    assert run("policy", "export") == changed
    version = PolicyVersion.objects.get(school=personas.school)
    assert (version.number, version.created_by) == (1, personas.user("admin"))


def test_policy_import_reports_errors_with_location_and_changes_nothing(personas, tmp_path) -> None:
    path = tmp_path / "fout.toml"
    path.write_text(
        'format = 1\n[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
        'start = 2025-02-01\nend = "2025-02-30"\n'
        '[[windows]]\naudience = "ouders"\neffect = "close"\nkinds = ["cijfers"]\nrange = "toetsweek-9"\n',
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("visibility", "policy", "import", str(path), stdout=io.StringIO(), stderr=err)
    assert 'windows[0].end: "2025-02-30" is not a date' in err.getvalue()
    assert 'windows[1].audience: "ouders" is not one of students, guardians' in err.getvalue()
    assert "windows[1].kinds: unknown data kind 'cijfers'" in err.getvalue()
    assert not PolicyVersion.objects.exists()


def test_an_unknown_calendar_range_is_an_error(personas, tmp_path) -> None:
    path = tmp_path / "fout.toml"
    path.write_text(
        state_missing_sections(
            'format = 1\n[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
            'range = "toetsweek-9"\n'
        ),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("visibility", "policy", "import", str(path), stdout=io.StringIO(), stderr=err)
    assert 'windows[0].range: "toetsweek-9" is geen kalenderperiode van deze school' in err.getvalue()


def import_errors(path) -> str:
    """Run an import that must fail; the lines it printed (stderr and the CommandError)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("visibility", "policy", "import", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue() + str(exc.value)


def test_import_refuses_a_file_without_format_or_sections(personas, tmp_path) -> None:
    path = tmp_path / "half.toml"
    path.write_text('[publication]\ntimes = ["17:00"]\n', encoding="utf-8")
    errors = import_errors(path)
    assert "format: ontbreekt" in errors
    for section in ("base", "student_first", "consent", "staff", "windows"):
        assert f"{section}: sectie ontbreekt" in errors
    assert "publication: sectie ontbreekt" not in errors
    path.write_text("", encoding="utf-8")
    assert "Het beleid is leeg" in import_errors(path)
    assert not PolicyVersion.objects.exists()


def test_import_refuses_unknown_classes_levels_and_years(personas, tmp_path) -> None:
    path = tmp_path / "typo.toml"
    window = 'audience = "guardians"\neffect = "close"\nkinds = ["grades"]\nstart = 2026-01-19\nend = 2026-01-23\n'
    path.write_text(
        state_missing_sections(
            f'format = 1\n[[windows]]\n{window}classes = ["ZZZ9", "H3A"]\n'
            f'[[windows]]\n{window}levels = ["hvo"]\n'
            f'[[windows]]\n{window}levels = ["havo"]\nyears = [3, 6]\n'
        ),
        encoding="utf-8",
    )
    errors = import_errors(path)
    assert 'windows[0].classes: onbekende klas "ZZZ9"' in errors
    classes_line = next(line for line in errors.splitlines() if "windows[0].classes" in line)
    assert '"H3A"' not in classes_line  # only the unknown class is named
    assert 'windows[1].levels: onbekend niveau "hvo" (niveaus van deze school: "havo")' in errors
    assert 'windows[2].years: leerjaar 6 bestaat niet bij "havo"' in errors
    assert not PolicyVersion.objects.exists()


def test_an_import_that_opens_data_prints_the_counts_and_needs_confirm(personas, tmp_path) -> None:
    set_policy(personas.school, "format = 1\n[base]\nguardians = []\n")
    path = tmp_path / "open.toml"
    path.write_text(dump_policy(DEFAULT_POLICY), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="--confirm"):
        call_command("visibility", "policy", "import", str(path), stdout=out, stderr=io.StringIO())
    # both parents with custody gain grades; the parent without custody gains nothing (the law keeps it closed)
    assert "2 ouders/verzorgers en 0 leerlingen gaan cijfers (eerder of vaker) zien" in out.getvalue()
    assert PolicyVersion.objects.count() == 1
    text = run("policy", "import", str(path), "--confirm")
    assert "2 ouders/verzorgers en 0 leerlingen gaan cijfers" in text
    assert PolicyVersion.objects.filter(activated_at__isnull=False).count() == 2


def test_an_unchanged_import_is_refused(personas, tmp_path) -> None:
    path = tmp_path / "same.toml"
    path.write_text(run("policy", "export"), encoding="utf-8")
    assert "gelijk aan het beleid dat nu geldt" in import_errors(path)
    assert not PolicyVersion.objects.exists()


def test_a_latin1_file_is_one_clear_error(personas, tmp_path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(("# beleid voor het Zwolse college, gewijzigd\n" + run("policy", "export")).encode("latin-1"))
    path.write_bytes(path.read_bytes().replace(b"Zwolse", "Zwolsé".encode("latin-1")))
    errors = import_errors(path)
    assert "is not UTF-8" in errors and "Traceback" not in errors
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize("at", ["9999-12-31T00:00", "0001-01-01T00:00"])
def test_explain_refuses_an_instant_out_of_range(personas, at) -> None:
    with pytest.raises(CommandError, match="outside 1900–2100"):
        run("explain", "--viewer", personas.user("parent").username, "--student", personas.student.student_number,
            "--at", at)  # fmt: skip


def test_export_to_an_unwritable_place_is_one_clear_error(personas, tmp_path) -> None:
    with pytest.raises(CommandError, match="No such file or directory"):
        run("policy", "export", "--output", str(tmp_path / "missing" / "beleid.toml"))
