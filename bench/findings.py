"""Fixes measured on the national data set, without changing it.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python -m bench.findings

Each experiment times statements taken from the pages (EXPLAIN ANALYZE execution time, median
of 5) without the fix and with it, inside a transaction that is rolled back: PostgreSQL's DDL
is transactional, so the data set is left exactly as it was. A fix already applied by a
migration is timed by dropping its index for the "without" figure (then rolled back to a
savepoint); a rewritten statement is timed in its old and its new form. Prints a Markdown table
for docs/benchmarks.md ("Findings").
"""

# ruff: noqa: S608  (statements built from an integer id read from the database, no input)
from __future__ import annotations

import re
import statistics
import sys

from .common import setup_django

ACTIVE = "('open', 'in_progress', 'pending_approval', 'answered')"


def _inbox_page(entity_id: int) -> str:
    return f"""SELECT c.id, c.public_id, c.status, c.urgency, c.first_response_due,
       CASE WHEN c.urgency = 'high' THEN 0 WHEN c.urgency = 'low' THEN 2 ELSE 1 END AS rank,
       (SELECT SUBSTRING(u0.text, 1, 280) FROM monitoring_mention u0
         WHERE u0.case_id = c.id AND NOT u0.is_own ORDER BY u0.created_at DESC, u0.id DESC
         LIMIT 1) AS snippet, ch.handle, a.handle, a.name, u.email
  FROM monitoring_case c LEFT JOIN channels_app_channel ch ON c.channel_id = ch.id
  JOIN monitoring_author a ON c.author_id = a.id LEFT JOIN strategy_user u ON c.assignee_id = u.id
 WHERE c.entity_id = {entity_id} AND c.status IN {ACTIVE}
 ORDER BY c.first_response_due, rank, c.opened_at, c.id LIMIT 25"""


def _fts(entity_id: int) -> str:
    return (f"SELECT u0.case_id FROM monitoring_mention u0 WHERE u0.case_id IS NOT NULL AND "
            f"u0.entity_id = {entity_id} AND to_tsvector('spanish'::regconfig, "
            "COALESCE(u0.text, '')) @@ websearch_to_tsquery('spanish'::regconfig, 'agua')")


def _authors(entity_id: int) -> str:
    return (f"SELECT a.id FROM monitoring_author a WHERE a.entity_id = {entity_id} "
            "AND (upper(a.handle) = upper('agua') OR upper(a.name) LIKE upper('%agua%'))")


def _search_or(entity_id: int) -> str:
    """inbox_selectors.search_cases before issue #10: text OR author, in one condition."""
    return f"""SELECT c.id FROM monitoring_case c
 WHERE c.entity_id = {entity_id} AND (c.id IN ({_fts(entity_id)})
       OR c.author_id IN ({_authors(entity_id)}))
 ORDER BY 1 DESC LIMIT 2000"""


def _search_union(entity_id: int) -> str:
    """inbox_selectors.search_cases now: the cases matching by text UNION those by author."""
    return f"""(SELECT c.id FROM monitoring_case c
  WHERE c.entity_id = {entity_id} AND c.id IN ({_fts(entity_id)}))
 UNION (SELECT c.id FROM monitoring_case c
  WHERE c.entity_id = {entity_id} AND c.author_id IN ({_authors(entity_id)}))
 ORDER BY 1 DESC LIMIT 2000"""


def _marker_max(entity_id: int) -> str:
    """newest_case_marker before issue #10: the newest activity time (to the second)."""
    return (f"SELECT count(id), max(id), max(last_activity_at) FROM monitoring_case "
            f"WHERE entity_id = {entity_id} AND status IN {ACTIVE}")


def _marker_sum(entity_id: int) -> str:
    """newest_case_marker now: the sum of the activity times (to the microsecond)."""
    return (f"SELECT count(id), max(id), sum(last_activity_at - "
            f"'2026-01-01T00:00:00+00:00'::timestamptz) FROM monitoring_case "
            f"WHERE entity_id = {entity_id} AND status IN {ACTIVE}")


# (title, statements without the fix, statements with it, DDL that removes an applied fix for
#  the "without" figure, DDL that adds a proposed fix for the "with" figure, the fix)
EXPERIMENTS = [
    ("Inbox page query (25 rows of the largest entity's active cases by deadline)",
     lambda e: [_inbox_page(e)], lambda e: [_inbox_page(e)],
     ["DROP INDEX IF EXISTS monitoring_case_active_due_idx"], [],
     "partial index `(entity_id, first_response_due) WHERE status IN (active)` (migration "
     "0004, applied)"),
    ("Inbox marker (`newest_case_marker`: every cached page and every 10 s poll of every open "
     "inbox)",
     lambda e: [_marker_sum(e)], lambda e: [_marker_sum(e)],
     ["DROP INDEX IF EXISTS monitoring_case_marker_idx"], [],
     "covering partial index `(entity_id) INCLUDE (id, last_activity_at) WHERE status IN "
     "(active)`, index-only scan (migration 0005, applied)"),
    ("Inbox marker: newest activity time to the second → sum of the activity times to the "
     "microsecond",
     lambda e: [_marker_max(e)], lambda e: [_marker_sum(e)], [], [],
     "the price of a marker that sees every change (two in the same second, a transaction "
     "that commits after a later one, a case stamped in the future)"),
    ("Inbox search \"agua\": text OR author in one condition → UNION of the two sets",
     lambda e: [_search_or(e)], lambda e: [_search_union(e)], [], [],
     "UNION (`inbox_selectors.search_cases`): over the OR, PostgreSQL walks the case table "
     "backwards by id testing every row"),
    ("Inbox search \"agua\" (UNION form), author part",
     lambda e: [_search_union(e)], lambda e: [_search_union(e)],
     ["DROP INDEX IF EXISTS monitoring_author_name_trgm_idx",
      "DROP INDEX IF EXISTS monitoring_author_handle_upper_idx"], [],
     "trigram GIN index on `upper(name)`, B-tree on `(entity_id, upper(handle))` (migration "
     "0005, applied)"),
]


def _time(cursor, statements: list[str], repeat: int = 5) -> float:
    totals = []
    for _ in range(repeat):
        total = 0.0
        for sql in statements:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            plan = "\n".join(r[0] for r in cursor.fetchall())
            total += float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
        totals.append(total)
    return statistics.median(totals)


def run(*, log=print) -> list[dict]:
    from django.db import connection, transaction

    from strategy.models import Entity

    entity_id = Entity.objects.get(slug="bench-1").pk
    rows = []
    for title, without, with_fix, remove, add, fix in EXPERIMENTS:
        with transaction.atomic(), connection.cursor() as cursor:
            applied = transaction.savepoint()
            for statement in remove:
                cursor.execute(statement)
            was = _time(cursor, without(entity_id))
            transaction.savepoint_rollback(applied)
            for statement in add:
                cursor.execute(statement)
            now = _time(cursor, with_fix(entity_id))
            transaction.set_rollback(True)
        rows.append({"title": title, "before_ms": was, "after_ms": now, "fix": fix})
        log(f"findings: {title}: {was:.1f} ms → {now:.1f} ms with {fix}")
    return rows


def main() -> int:
    setup_django()
    rows = run()
    print("\n| statement(s) | without the fix ms | with the fix ms | fix |\n|---|---:|---:|---|")
    for r in rows:
        print(f"| {r['title']} | {r['before_ms']:.1f} | {r['after_ms']:.1f} | {r['fix']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
