"""Database triggers that refuse changes to care note versions, below the application (as grades' history does).

PostgreSQL: UPDATE and DELETE refused. SQLite: UPDATE only (Django's test flush empties SQLite tables with DELETE);
deletes are refused by the models, the querysets and the PROTECT foreign key there.
"""

from django.db import migrations

TABLE = "care_carenoteversion"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION care_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'inzage: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION care_refuse_history_change();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'inzage: {TABLE} rows are append-only'); END;"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
        schema_editor.execute("DROP FUNCTION IF EXISTS care_refuse_history_change();")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
