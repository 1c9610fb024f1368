"""Where notices come from: per followed kind, the engine's items of a student that a person can be told about.

Each source returns the engine's `Item`s; whether and when an item is visible to a person is the engine's answer
(`inzage.visibility.policy.transitions`), never decided here. A package adding a kind adds a function here.
"""

from __future__ import annotations

from collections.abc import Callable

from inzage.grades.models import Result
from inzage.visibility.policy.engine import Item, items_from_results


def grade_items(student_id: int) -> list[Item]:
    """Every result of the student as the engine sees it (a resit carries its originals)."""
    results = list(Result.objects.filter(student_id=student_id).select_related("column", "column__subject"))
    return [it for it in items_from_results(results) if not it.retracted]


SOURCES: dict[str, Callable[[int], list[Item]]] = {
    "grades": grade_items,
}
