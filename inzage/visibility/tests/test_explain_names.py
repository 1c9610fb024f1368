"""The explain page names kinds and rules for people, never by internal code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from inzage.visibility.policy.messages import RULE_NAMES, rule_name
from inzage.visibility.tests.conftest import local, make_result, set_policy

ENGINE = Path(__file__).resolve().parents[1] / "policy" / "engine.py"


def _literal_heads(node: ast.AST) -> set[str]:
    """The constant start of a string expression: "a", f"a{x}" → "a", x if c else y → both."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return {str(node.values[0].value)}
    if isinstance(node, ast.IfExp):
        return _literal_heads(node.body) | _literal_heads(node.orelse)
    return set()


def engine_rule_codes() -> set[str]:
    """Every rule code the engine writes into a decision: the third argument of each `_decision(...)` call (a
    variable `rule` is followed to its assignments)."""
    tree = ast.parse(ENGINE.read_text())
    codes: set[str] = set()
    assigned: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "rule" for t in node.targets):
            assigned |= _literal_heads(node.value)
        is_decision = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_decision"
        if is_decision and len(node.args) >= 3:  # type: ignore[attr-defined]
            arg = node.args[2]  # type: ignore[attr-defined]
            if isinstance(arg, ast.Name) and arg.id == "rule":
                continue
            heads = _literal_heads(arg)
            assert heads, ast.unparse(arg)  # a rule code the test cannot read: name it here
            codes |= heads
    return codes | assigned


def test_every_rule_the_engine_writes_has_a_name() -> None:
    codes = engine_rule_codes()
    assert {"base.guardians", "windows[", "staff.", "consent.", "override#"} <= codes, codes
    for code in codes:
        sample = {"windows[": "windows[2]", "staff.": "staff.mentor", "consent.": "consent.from_16"}.get(code, code)
        nl, en = rule_name(sample + ("1" if sample.endswith("#") else ""))
        assert nl != "overige regel" and "[" not in nl and "#" not in nl and "." not in nl, (code, nl)
        assert en != "other rule", code
    assert rule_name("windows[0]", "Toetsweek 2")[0] == "kalenderperiode ‘Toetsweek 2’"
    assert rule_name("windows[2]")[0] == "kalenderperiode 3"
    assert rule_name("staff.mentor")[0] == "rol mentor"
    assert rule_name("iets-nieuws")[0] == "overige regel"  # never the raw code
    assert set(RULE_NAMES) >= {"base.students", "base.guardians"}


@pytest.mark.parametrize(
    ("at", "expected"),
    [("2026-01-20T10:00", "kalenderperiode ‘Toetsweek 2’"), ("2026-02-20T10:00", "basisinstelling voor ouders")],
)
def test_the_explain_page_names_the_rule_and_the_kind(client, personas, at, expected) -> None:
    set_policy(
        personas.school,
        'format = 1\nwindows = []\n[[windows]]\nlabel = "Toetsweek 2"\naudience = "guardians"\neffect = "close"\n'
        'kinds = ["grades"]\nstart = 2026-01-19\nend = 2026-01-23\n'.replace("windows = []\n", ""),
    )
    make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=local(2025, 11, 14, 18),
        entered_at=local(2025, 11, 14, 18),
    )
    client.force_login(personas.user("mentor"))
    params = {"student": personas.student.student_number, "viewer": personas.user("parent").username, "at": at}
    body = client.get(reverse("visibility:explain"), params).content.decode()
    assert expected in body
    cells = re.findall(r"<td>([^<]*)</td>", body)
    assert "cijfers" in cells
    for code in ("windows[", "base.guardians", "base.students", "<code>", ">grades<", ">averages<"):
        assert code not in body, code
    with translation.override("en"):
        assert rule_name("base.guardians")[1] == "base setting for parents"
