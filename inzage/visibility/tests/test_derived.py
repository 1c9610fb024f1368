"""Derived values never leak: a hidden result changes no average a guardian sees."""

from __future__ import annotations

from decimal import Decimal

from inzage.visibility.derived import visible_averages
from inzage.visibility.policy import viewer_for
from inzage.visibility.tests.conftest import local, set_policy


def test_a_hidden_result_changes_no_average_a_guardian_sees(personas, result_factory) -> None:
    set_policy(personas.school, 'format = 1\n[student_first]\nschool_days = 2\nkinds = ["grades"]\n')
    result_factory(release_at=local(2025, 11, 3, 9), entered_at=local(2025, 11, 3, 9), value="8.0")
    result_factory(release_at=local(2025, 11, 3, 9), entered_at=local(2025, 11, 3, 9), value="6.0")
    result_factory(release_at=local(2025, 11, 20, 9), entered_at=local(2025, 11, 20, 9), value="1.0")  # student-first
    result_factory(release_at=None, entered_at=local(2025, 11, 20, 9), value="2.0")  # held back
    at = local(2025, 11, 20, 12)
    guardian = visible_averages(viewer=viewer_for(personas.user("parent")), student=personas.student, at=at)
    assert [(a.subject, a.average, a.counted) for a in guardian] == [("wi", Decimal("7.0"), 2)]
    student = visible_averages(viewer=viewer_for(personas.user("student")), student=personas.student, at=at)
    assert [(a.average, a.counted) for a in student] == [(Decimal("5.0"), 3)]
    teacher = visible_averages(viewer=viewer_for(personas.user("teacher")), student=personas.student, at=at)
    assert [(a.average, a.counted) for a in teacher] == [(Decimal("4.3"), 4)]


def test_no_average_when_the_averages_kind_is_closed(personas, result_factory) -> None:
    set_policy(personas.school, 'format = 1\n[base]\nguardians = ["grades"]\n')
    result_factory(release_at=local(2025, 11, 3, 9), entered_at=local(2025, 11, 3, 9), value="8.0")
    at = local(2025, 11, 20, 12)
    assert visible_averages(viewer=viewer_for(personas.user("parent")), student=personas.student, at=at) == []
    assert visible_averages(viewer=viewer_for(personas.user("other_parent")), student=personas.student, at=at) == []
