"""Where notices come from: per followed kind, the engine's items of students that a person can be told about.

Each source takes many students at once (the planner and the sender work in batches of hundreds) and returns the
engine's `Item`s per student; whether and when an item is visible to a person is the engine's answer
(`inzage.visibility.policy.transitions`), never decided here. A package adding a kind adds a function here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from inzage.grades.models import Result
from inzage.visibility.policy.engine import Item, items_from_results


def grade_items(student_ids: Iterable[int]) -> dict[int, list[Item]]:
    """Every result of the students as the engine sees it (a resit carries its originals); one to four queries."""
    results = list(Result.objects.filter(student_id__in=list(student_ids)).select_related("column", "column__subject"))
    out: dict[int, list[Item]] = {}
    for it in items_from_results(results):
        if not it.retracted:
            out.setdefault(it.student_id, []).append(it)
    return out


SOURCES: dict[str, Callable[[Iterable[int]], dict[int, list[Item]]]] = {
    "grades": grade_items,
}
