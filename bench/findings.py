"""Proposed fixes measured on the national data set, without changing it.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python -m bench.findings

Each experiment times statements taken from the pages (EXPLAIN ANALYZE execution time, median
of 5) as they are, then with the proposed index or the rewritten statement, inside a
transaction that is rolled back: PostgreSQL's DDL is transactional, so the data set is left
exactly as it was. Prints a Markdown table for docs/benchmarks.md ("Findings").
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


def _search(entity_id: int, scoped: bool) -> str:
    fts = (f"SELECT u0.case_id FROM monitoring_mention u0 WHERE u0.case_id IS NOT NULL AND "
           f"u0.entity_id = {entity_id} AND to_tsvector('spanish'::regconfig, "
           "COALESCE(u0.text, '')) @@ websearch_to_tsquery('spanish'::regconfig, 'agua')")
    if not scoped:
        return f"""SELECT c.id FROM monitoring_case c JOIN monitoring_author a ON c.author_id = a.id
 WHERE c.entity_id = {entity_id} AND (c.id IN ({fts}) OR upper(a.handle) = upper('agua')
       OR upper(a.name) LIKE upper('%agua%')) ORDER BY 1 DESC LIMIT 2000"""
    return f"""SELECT c.id FROM monitoring_case c
 WHERE c.entity_id = {entity_id} AND (c.id IN ({fts}) OR c.author_id IN (
       SELECT a.id FROM monitoring_author a WHERE a.entity_id = {entity_id}
          AND (upper(a.handle) = upper('agua') OR upper(a.name) LIKE upper('%agua%'))))
 ORDER BY 1 DESC LIMIT 2000"""


def _marker(entity_id: int) -> str:
    return (f"SELECT count(id), max(id), max(last_activity_at) FROM monitoring_case "
            f"WHERE entity_id = {entity_id} AND status IN {ACTIVE}")


EXPERIMENTS = [
    ("Inbox page query (25 rows of the largest entity's active cases by deadline)",
     lambda e: [_inbox_page(e)], lambda e: [_inbox_page(e)],
     ["CREATE INDEX bench_case_active_due ON monitoring_case (entity_id, first_response_due) "
      f"WHERE status IN {ACTIVE}"],
     "partial index `(entity_id, first_response_due) WHERE status IN (active)`"),
    ("Inbox marker (`newest_case_marker`: every page and every 10 s poll of every open inbox)",
     lambda e: [_marker(e)], lambda e: [_marker(e)],
     ["CREATE INDEX bench_case_active_marker ON monitoring_case (entity_id) "
      f"INCLUDE (id, last_activity_at) WHERE status IN {ACTIVE}"],
     "covering partial index `(entity_id) INCLUDE (id, last_activity_at) WHERE status IN "
     "(active)` (index-only scan)"),
    ("Inbox search \"agua\": author condition as an OR over a join of all authors → "
     "a subquery scoped to the entity (the second form is in inbox_selectors since 07:20 UTC)",
     lambda e: [_search(e, False)], lambda e: [_search(e, True)], [],
     "author condition as a subquery scoped to the entity"),
    ("Inbox search \"agua\" (scoped form), plus a full-text index of case mentions only",
     lambda e: [_search(e, True)], lambda e: [_search(e, True)],
     ["CREATE INDEX bench_mention_case_fts ON monitoring_mention USING gin "
      "(to_tsvector('spanish'::regconfig, COALESCE(text, ''))) WHERE case_id IS NOT NULL"],
     "partial GIN index `WHERE case_id IS NOT NULL` (the inbox searches only mentions that "
     "belong to a case)"),
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
    for title, before, after, ddl, fix in EXPERIMENTS:
        with transaction.atomic(), connection.cursor() as cursor:
            was = _time(cursor, before(entity_id))
            for statement in ddl:
                cursor.execute(statement)
            now = _time(cursor, after(entity_id))
            transaction.set_rollback(True)
        rows.append({"title": title, "before_ms": was, "after_ms": now, "fix": fix})
        log(f"findings: {title}: {was:.1f} ms → {now:.1f} ms with {fix}")
    return rows


def main() -> int:
    setup_django()
    rows = run()
    print("\n| statement(s) | now ms | with the fix ms | fix |\n|---|---:|---:|---|")
    for r in rows:
        print(f"| {r['title']} | {r['before_ms']:.1f} | {r['after_ms']:.1f} | {r['fix']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
