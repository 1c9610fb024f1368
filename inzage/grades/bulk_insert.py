"""Fast multi-row INSERTs for grade rows (results and their versions).

Django's bulk_create prepares every value of every object through the field machinery and the SQL compiler, which
costs ~50 µs per row: 10 s for a 100,000-row import before the database does anything. Here rows are plain tuples
in field order and only the few values the driver cannot take as they are get adapted (SQLite: datetimes, Decimals).
SQLite: multi-row INSERT ... RETURNING id (ids in row order, the guarantee Django's bulk_create relies on too).
PostgreSQL: COPY, with ids reserved from the table's sequence first (nextval, safe with concurrent writers).

No conflict handling here (COPY has no ON CONFLICT): a row that breaks a unique constraint fails the whole
statement, and with it the caller's transaction. Callers make that impossible: `results_save` locks the columns
and reads the stored results inside the same transaction before it inserts, so two saves of one column never both
insert a result for a cell or the same version number (see docs/grades.md, "Saving at the same time").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

ROWS_PER_STATEMENT = 2000


def insert_rows(
    model: type[models.Model], field_names: Sequence[str], rows: Sequence[tuple[Any, ...]], *, returning: bool = False
) -> list[int]:
    """Insert `rows` (tuples in `field_names` order, without the id) into `model`'s table; the new ids in row order
    when `returning`. Caller holds the transaction and has validated the values (no model validation here)."""
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)  # type: ignore[union-attr, arg-type]
    suffix = " RETURNING id" if returning else ""
    ids: list[int] = []
    if connection.vendor == "postgresql":
        return _copy_postgresql(model, fields, rows, returning=returning)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    adapt = _adapter(fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            sql = f"INSERT INTO {table} ({quoted}) VALUES {', '.join([one_row] * len(chunk))}"
            params: list[Any] = []
            for row in chunk:
                params.extend(adapt(row))
            cursor.execute(sql + suffix, params)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _copy_postgresql(
    model: type[models.Model], fields: list[Any], rows: Sequence[tuple[Any, ...]], *, returning: bool
) -> list[int]:
    """COPY the rows in; for ids, reserve them from the table's id sequence first (safe with concurrent writers)."""
    table = model._meta.db_table
    columns = [f.column for f in fields]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
            )
            ids = [r[0] for r in cursor.fetchall()]
            columns = ["id", *columns]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            if returning:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row))
            else:
                for row in rows:
                    copy.write_row(row)
    return ids


def _adapter(fields: list[Any]) -> Any:
    """SQLite's driver takes neither aware datetimes nor Decimals: adapt them as Django does."""
    datetimes = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
    decimals = [i for i, f in enumerate(fields) if isinstance(f, models.DecimalField)]
    seen: dict[dt.datetime, Any] = {}

    def adapt(row: tuple[Any, ...]) -> list[Any]:
        out = list(row)
        for i in datetimes:
            value = out[i]
            if value is not None:
                if value not in seen:
                    seen[value] = connection.ops.adapt_datetimefield_value(value)
                out[i] = seen[value]
        for i in decimals:
            if out[i] is not None:
                out[i] = str(out[i])
        return out

    return adapt
