# Indexes found by bench/findings.py on the national data set (docs/benchmarks.md, Findings).
#
# PostgreSQL only, as raw SQL like the full-text index of 0002: a covering index (INCLUDE) and
# trigram operator classes do not exist on SQLite, the embedded default of `make run`.
#
# 1. The inbox marker (newest_case_marker: count, max id, max last_activity_at of the active
#    cases), computed on every page and every poll of every open inbox: an index-only scan.
# 2. The inbox search's author condition (inbox_selectors.search_cases):
#    `UPPER(name) LIKE UPPER('%…%')` uses a trigram index instead of reading every author of
#    the entity, and `UPPER(handle) = UPPER(…)` a B-tree on the same expression, so the OR of
#    the two is a BitmapOr of index scans.

from django.db import migrations

ACTIVE = "('open', 'in_progress', 'pending_approval', 'answered')"
INDEXES = {
    "monitoring_case_marker_idx":
        "ON monitoring_case (entity_id) INCLUDE (id, last_activity_at) "
        f"WHERE status IN {ACTIVE}",
    "monitoring_author_name_trgm_idx":
        "ON monitoring_author USING gin (UPPER(name::text) gin_trgm_ops)",
    "monitoring_author_handle_upper_idx":
        "ON monitoring_author (entity_id, UPPER(handle::text))",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0004_case_active_due_index'),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
