"""On PostgreSQL, a trigger makes the audit trail append-only for every client, not just Django."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION strategy_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER strategy_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON strategy_auditevent
    FOR EACH ROW EXECUTE FUNCTION strategy_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS strategy_auditevent_no_update_delete ON strategy_auditevent;
DROP FUNCTION IF EXISTS strategy_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
