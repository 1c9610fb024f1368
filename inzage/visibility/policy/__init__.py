"""The visibility policy: the one place that decides who sees which student data, when, and why.

Public API: `viewer_for`, `decide`, `filter_items`, `visible_results`, `context_for`, `Item`, `Decision`,
`ItemFields`, `RESULT_FIELDS`, `item_from_result`.
"""

from inzage.visibility.policy.engine import (
    RESULT_FIELDS,
    Context,
    Decision,
    Item,
    ItemFields,
    context_for,
    decide,
    filter_items,
    item_from_result,
    visible_results,
)
from inzage.visibility.policy.facts import Viewer, viewer_for

__all__ = [
    "RESULT_FIELDS",
    "Context",
    "Decision",
    "Item",
    "ItemFields",
    "Viewer",
    "context_for",
    "decide",
    "filter_items",
    "item_from_result",
    "viewer_for",
    "visible_results",
]
