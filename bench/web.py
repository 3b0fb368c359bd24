"""Server time and SQL queries of the pages that matter, in-process (Django's test client).

Each request goes through the whole stack (middleware, session, tenant gate, selectors,
template) as a member of the largest entity; the query count comes from
CaptureQueriesContext. The slowest SQL statement of each page is run again under
EXPLAIN (ANALYZE, BUFFERS) and saved to var/bench/explain-<page>.txt for the findings.

The inbox rows are measured with the inbox's page cache off (the page as built: what a
request costs right after the queue changed), except the row that says it comes from the
cache (the same first page reloaded while the queue is unchanged).
"""

from __future__ import annotations

import time

from .common import ROOT, summary

EXPLAIN_DIR = ROOT / "var" / "bench"


def pages(entity, manager, officer) -> list[dict]:
    from django.urls import reverse

    from monitoring.inbox_selectors import InboxFilters, inbox_page

    slug = entity.slug
    inbox = reverse("monitoring:inbox", kwargs={"entity_slug": slug})
    top = inbox_page(manager, entity, InboxFilters(), page_size=20)["cases"]
    case_urls = [reverse("monitoring:case_detail", kwargs={
        "entity_slug": slug, "case_id": c.public_id}) for c in top]
    dashboard = reverse("monitoring:dashboard", kwargs={"entity_slug": slug})
    return [
        {"key": "inbox", "label": "Inbox, first page", "user": manager, "paths": [inbox],
         "aim": 100},
        {"key": "inbox_cached", "label": "Inbox, first page, queue unchanged (page cache)",
         "user": manager, "paths": [inbox], "aim": 100, "cache": True},
        {"key": "search", "label": "Inbox, filtered search (\"agua\", urgency high)",
         "user": manager, "paths": [inbox + "?q=agua&urgency=high"], "aim": 100},
        {"key": "case", "label": "Case view (20 different cases in turn)", "user": manager,
         "paths": case_urls, "aim": 100},
        {"key": "dashboard", "label": "Dashboard, default period", "user": officer,
         "paths": [dashboard], "aim": 300},
        {"key": "dashboard90", "label": "Dashboard, 90 days", "user": officer,
         "paths": [dashboard + "?periodo=90"], "aim": 300},
    ]


def measure(*, runs: int, log=print) -> list[dict]:
    from django.test.utils import override_settings

    from .dataset import bench_users

    manager, officer, entity = bench_users()
    results = []
    EXPLAIN_DIR.mkdir(parents=True, exist_ok=True)
    for page in pages(entity, manager, officer):
        # INBOX_PAGE_CACHE_SECONDS = 0: built on every request, unless the row is the cache's.
        with override_settings(INBOX_PAGE_CACHE_SECONDS=10 if page.get("cache") else 0):
            row = _measure_page(page, runs)
        results.append(row)
        log(f"web: {page['label']}: p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, "
            f"{row['queries']} queries, slowest statement {row['slowest_ms']:.1f} ms")
    return results


def _measure_page(page: dict, runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(page["user"])
    # Warm: templates, translations, connection; the CSRF cookie, then the cached page.
    for path in (page["paths"] * 3)[:3]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times, counts, sql_times, slowest = [], [], [], (0.0, "")
    for i in range(runs):
        path = page["paths"][i % len(page["paths"])]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(captured.captured_queries))
        sql_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        for q in captured.captured_queries:
            if float(q["time"]) * 1000 > slowest[0]:
                slowest = (float(q["time"]) * 1000, q["sql"])
    row = {**{k: page[k] for k in ("key", "label", "aim")}, **summary(times),
           "queries": max(counts), "queries_min": min(counts),
           "sql_p50": summary(sql_times)["p50"],
           "slowest_ms": slowest[0], "slowest_sql": slowest[1]}
    row["explain"] = explain(page["key"], slowest[1])
    return row


def explain(key: str, sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured SELECT, saved beside the other results."""
    from django.db import connection

    path = EXPLAIN_DIR / f"explain-{key}.txt"
    if not sql.lstrip().upper().startswith("SELECT"):
        path.write_text(sql + "\n\n(not a SELECT: not explained)\n")
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    path.write_text(sql + "\n\n" + plan + "\n")
    return plan
