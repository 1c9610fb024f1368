"""The visibility policy: the one place that decides who sees which student data, when, and why.

Public API: `viewer_for`, `request_viewer`, `decide`, `filter_items`, `visible_results`, `context_for`, `Item`, `Decision`,
`ItemFields`, `LinkFields`, `RESULT_FIELDS`, `item_from_result`, `items_from_results`.
"""

from inzage.visibility.policy.engine import (
    RESULT_FIELDS,
    Context,
    Decision,
    Item,
    ItemFields,
    LinkFields,
    context_for,
    decide,
    filter_items,
    item_from_result,
    items_from_results,
    visible_results,
)
from inzage.visibility.policy.facts import Viewer, request_viewer, viewer_for

__all__ = [
    "RESULT_FIELDS",
    "Context",
    "Decision",
    "Item",
    "ItemFields",
    "LinkFields",
    "Viewer",
    "context_for",
    "decide",
    "filter_items",
    "item_from_result",
    "items_from_results",
    "request_viewer",
    "viewer_for",
    "visible_results",
]
