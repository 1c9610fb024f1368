"""The `visibility` management command: explain as JSON, policy export/import round trip and error reporting."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from inzage.visibility.models import PolicyVersion
from inzage.visibility.policy.document import parse_policy
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
        'format = 1\n[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
        'range = "toetsweek-9"\n',
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("visibility", "policy", "import", str(path), stdout=io.StringIO(), stderr=err)
    assert 'windows[0].range: "toetsweek-9" is not a calendar range of this school' in err.getvalue()
