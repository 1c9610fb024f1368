"""A URL converter for ISO dates: a malformed or impossible date (2025-02-31) is "not found", never a 500."""

from __future__ import annotations

import datetime as dt


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError: Django answers 404

    def to_url(self, value: dt.date) -> str:
        return value.isoformat()
