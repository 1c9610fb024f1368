"""Transitions (for notifications) come from the engine; the policy example in docs/visibility.md is valid."""

from __future__ import annotations

import re
from pathlib import Path

from inzage.visibility.policy import item_from_result, viewer_for
from inzage.visibility.policy.document import dump_policy, parse_policy
from inzage.visibility.policy.transitions import transitions
from inzage.visibility.tests.conftest import local, set_policy


def test_transitions_list_when_each_viewer_sees_an_item(personas, result_factory) -> None:
    set_policy(personas.school, 'format = 1\n[publication]\ntimes = ["17:00"]\n[student_first]\nschool_days = 2\n')
    result = result_factory(release_at=local(2025, 11, 14, 10), entered_at=local(2025, 11, 14, 9))  # Friday
    items = [item_from_result(result)]
    start, end = local(2025, 11, 14, 8), local(2025, 11, 30)
    student = transitions(
        viewer=viewer_for(personas.user("student")), student_id=personas.student.pk, items=items, start=start, end=end
    )
    parent = transitions(
        viewer=viewer_for(personas.user("parent")), student_id=personas.student.pk, items=items, start=start, end=end
    )
    assert [t.at for t in student] == [local(2025, 11, 14, 17)]
    assert [t.at for t in parent] == [local(2025, 11, 18, 17)]  # two school days later, at 17:00
    other = transitions(
        viewer=viewer_for(personas.user("other_parent")),
        student_id=personas.student.pk,
        items=items,
        start=start,
        end=end,
    )
    assert other == []


def test_the_documented_policy_example_parses_and_round_trips() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "visibility.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert example is not None
    spec = parse_policy(example.group(1))
    assert spec.publication.times and spec.windows[1].classes == frozenset({"H3A"})
    assert parse_policy(dump_policy(spec)) == spec
