"""The access log is append-only below the application.

PostgreSQL: a trigger refuses every UPDATE, and every DELETE except the retention purge's: a DELETE passes only for a
row older than the instant in the transaction-local setting `inzage.access_log_purge_before`, which
`access_log.actions.access_log_purge` sets with `set_config(..., true)` in its own transaction. So even the purge
cannot remove a recent row, and nothing else can remove any. TRUNCATE (the test database's flush) is a separate
statement and is not affected; a database role without TRUNCATE rights is the production-side complement.
SQLite: a trigger on UPDATE only (Django's test flush empties SQLite tables with DELETE, as for the grade history);
deletes are refused by the application (`AppendOnlyModel`).
"""

from django.db import migrations

TABLE = "access_log_accessread"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION access_log_guard() RETURNS trigger AS $$
DECLARE
    purge_before text := current_setting('inzage.access_log_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND purge_before IS NOT NULL AND purge_before <> ''
       AND OLD."at" < purge_before::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'inzage: the access log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION access_log_guard();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'inzage: the access log is append-only'); END;"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
        schema_editor.execute("DROP FUNCTION IF EXISTS access_log_guard();")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("access_log", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
