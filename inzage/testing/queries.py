"""Query counts of a request without the access log's own write.

The suite writes each request's access-log rows at its end (conftest: `ACCESS_LOG_BUFFER_ROWS = 0`); production
batches them, one multi-row INSERT for many requests (inzage/access_log/buffer.py; its cost per page is the bench's
`access_log.*` figure). A page's query budget is about what the page reads, so tests of that budget leave the log's
INSERT, and the savepoint around it, out — and the access log's own tests assert the rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_LOG_INSERT = 'INSERT INTO "access_log_'


def page_queries(captured: Iterable[Mapping[str, Any]]) -> list[str]:
    """The SQL of `CaptureQueriesContext.captured_queries`, without access-log writes (and their savepoint or transaction)."""
    sql = [q["sql"] for q in captured]
    drop: set[int] = set()
    for i, text in enumerate(sql):
        if text.startswith(_LOG_INSERT):
            drop.add(i)
            if i > 0 and sql[i - 1].startswith(("SAVEPOINT", "BEGIN")):
                drop.add(i - 1)
            if i + 1 < len(sql) and sql[i + 1].startswith(("RELEASE SAVEPOINT", "COMMIT")):
                drop.add(i + 1)
    return [text for i, text in enumerate(sql) if i not in drop]
