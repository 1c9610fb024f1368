"""Database triggers that refuse UPDATE and DELETE of history rows, below the application.

PostgreSQL: a trigger function raising on UPDATE and DELETE of every append-only table. TRUNCATE (used by test
database flushes) is a separate statement and is not affected.
SQLite: triggers on UPDATE only. Django's test flush empties SQLite tables with DELETE, so a DELETE trigger there would
break every transactional test; deletes are refused by the application layer (models and querysets) and by the
PROTECT foreign keys instead.
"""

from django.db import migrations

TABLES = [
    "grades_resultversion",
    "grades_columnversion",
    "grades_programmechange",
    "grades_periodreport",
    "grades_periodreportstudent",
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION grades_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'inzage: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION grades_refuse_history_change();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'inzage: {table} rows are append-only'); END;"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS grades_refuse_history_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("grades", "0003_history_programmes_reports")]

    operations = [migrations.RunPython(forwards, backwards)]
