"""`make bench`: the national-scale benchmark, every figure beside its reference, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_bench REDIS_URL=redis://127.0.0.1:6379/11 \
        make bench                       # full scale: 1,000,000 mentions, 100,000 open cases
    .venv/bin/python -m bench.run --scale 0.05    # a quick run (50,000 mentions)
    .venv/bin/python -m bench.run --rebuild       # drop and rebuild the data set

The database named in DATABASE_URL belongs to the bench: its schema is dropped and rebuilt
when the data set is missing, of another scale, or `--rebuild` is given; otherwise the data
set is reused (a marker table records it). Phases, in order:
1. data set (bench/dataset.py, COPY);
2. server time and SQL queries of inbox, search, case view, dashboard (bench/web.py);
3. requests/s of the inbox under gunicorn beside a minimal view (bench/throughput.py);
4. webhook delivery → case visible in the inbox, with a real Celery worker (bench/latency.py);
5. ingestion throughput beside a raw bulk insert of the same rows: stage 1 (store), stage 2
   (triage), both (bench/ingest.py, the pipeline's own bench, run inside a transaction that
   is rolled back);
6. a worker's memory while ingesting through both stages (bench/memory.py, own process);
7. the proposed fixes (indexes, rewritten statements) timed against the statements as they
   are, in a rolled-back transaction (bench/findings.py).
Results go to var/bench/results-<scale>.json and, at full scale (or with --write), to the
"National scale" section of docs/benchmarks.md; other sections there are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from .common import ROOT, SETTINGS, machine_facts, replace_section, require_services, setup_django

PHASES = ("web", "throughput", "latency", "ingest", "memory", "findings")


def log(message: str) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{datetime.now(UTC):%H:%M:%S} load {load}] {message}", flush=True)


def phase_ingest(*, mentions: int, batch: int) -> dict:
    """The pipeline helper's bench/ingest.py functions, on the national data set, rolled back."""
    from django.db import transaction

    from . import ingest

    with transaction.atomic():
        items = ingest.make_mentions(mentions)
        classify = ingest.bench_classifier(items)
        stats = ingest.bench_stages(items, batch)
        raw = stats["raw_s"]  # best of a few runs, interleaved with stage 1's
        transaction.set_rollback(True)
    n = len(items)
    store, busy, triage = stats["store_s"], stats["busy_store_s"], stats["triage_s"]
    pipeline, repeat = stats["end_to_end_s"], stats["repeat_s"]
    # "ratio" is the aim's figure: stage 1 (ingestion) of a busy source, whose polls carry
    # several network pages, beside the raw insert in chunks of the same size. A quiet
    # source's single pages ("quiet_ratio") pay a commit per page. "pipeline" is both stages
    # in one process, as the single-stage pipeline was measured before.
    result = {"mentions": n, "batch": batch, "busy_batch": stats["busy_batch"],
              "raw_chunk": stats["raw_chunk"], "raw_s": raw, "store_s": store,
              "busy_store_s": busy, "triage_s": triage, "pipeline_s": pipeline,
              "repeat_s": repeat, "classify_s": classify, "raw_rate": n / raw,
              "store_rate": n / store, "busy_store_rate": n / busy,
              "triage_rate": n / triage, "pipeline_rate": n / pipeline,
              "repeat_rate": n / repeat, "classify_rate": n / classify,
              "raw_paged_rate": n / stats["raw_paged_s"], "cases": stats.get("cases"),
              "ratio": raw / busy, "quiet_ratio": raw / store}
    log(f"ingest: stage 1 {result['busy_store_rate']:.0f}/s (busy) and "
        f"{result['store_rate']:.0f}/s (quiet), raw insert {result['raw_rate']:.0f}/s "
        f"({result['ratio']:.0%}, {result['quiet_ratio']:.0%}); triage "
        f"{result['triage_rate']:.0f}/s per process; both stages "
        f"{result['pipeline_rate']:.0f}/s; classifier alone {result['classify_rate']:.0f}/s")
    return result


def phase_memory(*, mentions: int, batch: int) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS)
    proc = subprocess.Popen([sys.executable, "-m", "bench.memory", "--mentions", str(mentions),
                             "--batch", str(batch)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    summary = None
    for line in proc.stdout:
        data = json.loads(line)
        if data.get("summary"):
            summary = data
        else:
            log(f"memory: {data['mentions']:,} mentions, RSS {data['rss_mb']} MB, "
                f"{data['seconds']} s")
    if proc.wait() != 0 or summary is None:
        raise RuntimeError("bench.memory failed")
    log(f"memory: RSS {summary['rss_warm_mb']} MB after 10 % → {summary['rss_end_mb']} MB at "
        f"the end ({summary['growth_mb']:+} MB), {summary['rate']:.0f} mentions/s")
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of 1,000,000 mentions / 100,000 open cases (default 1)")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    parser.add_argument("--runs", type=int, default=40, help="requests per page (in-process)")
    parser.add_argument("--deliveries", type=int, default=40, help="webhook deliveries timed")
    parser.add_argument("--rps-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn sync workers (default: one per CPU)")
    parser.add_argument("--ingest-mentions", type=int, default=None,
                        help="mentions for the throughput figure (default 10,000 × scale, "
                             "at least 2,000)")
    parser.add_argument("--memory-mentions", type=int, default=None,
                        help="mentions ingested by the memory phase (default 1,000,000 × "
                             "scale, at least 5,000: about 40 minutes at full scale)")
    parser.add_argument("--batch", type=int, default=100, help="mentions per ingested page")
    parser.add_argument("--only", default=",".join(PHASES),
                        help=f"comma-separated phases to run after the data set ({PHASES})")
    parser.add_argument("--write", action="store_true",
                        help="write docs/benchmarks.md even below full scale")
    parser.add_argument("--no-write", action="store_true", help="never write docs")
    args = parser.parse_args(argv)

    problem = require_services()
    if problem:
        print(f"make bench: {problem}", file=sys.stderr)
        return 2
    setup_django()
    from django.db import connection

    from . import dataset, latency, throughput, web

    if connection.vendor != "postgresql":
        print("make bench: DATABASE_URL is not PostgreSQL.", file=sys.stderr)
        return 2
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    results: dict = {"scale": args.scale, "started": datetime.now(UTC).isoformat(),
                     "machine": machine_facts(), "load": {"start": os.getloadavg()}}
    log(f"machine: {results['machine']}")
    data = dataset.ensure(scale=args.scale, rebuild=args.rebuild, log=log)
    results["dataset"] = data.__dict__
    results["counts"] = _counts()
    results["load"]["dataset"] = os.getloadavg()
    if "web" in phases:
        results["web"] = web.measure(runs=args.runs, log=log)
        results["load"]["web"] = os.getloadavg()
    if "throughput" in phases:
        results["throughput"] = throughput.measure(
            seconds=args.rps_seconds, connections=args.connections, workers=args.workers,
            log=log)
        results["load"]["throughput"] = os.getloadavg()
    if "latency" in phases:
        results["latency"] = latency.measure(deliveries=args.deliveries, log=log)
        results["load"]["latency"] = os.getloadavg()
    if "ingest" in phases:
        n = args.ingest_mentions or max(2_000, int(10_000 * args.scale))
        results["ingest"] = phase_ingest(mentions=n, batch=args.batch)
        results["load"]["ingest"] = os.getloadavg()
    if "memory" in phases:
        n = args.memory_mentions or max(5_000, int(1_000_000 * args.scale))
        results["memory"] = phase_memory(mentions=n, batch=args.batch)
        results["load"]["memory"] = os.getloadavg()
    if "findings" in phases:
        from . import findings

        results["findings"] = findings.run(log=log)
        results["load"]["findings"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started
    out = ROOT / "var" / "bench" / f"results-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    _carry_over(results, out, skipped=[p for p in PHASES if p not in phases])
    out.write_text(json.dumps(results, indent=2, default=str))
    markdown = render(results, argv if argv is not None else sys.argv[1:])
    print(markdown)
    if not args.no_write and (args.write or args.scale >= 1.0):
        replace_section("National scale (`make bench`)", markdown)
        log("docs/benchmarks.md: section \"National scale\" written")
    log(f"done in {results['seconds']:.0f} s; results in {out.relative_to(ROOT)}")
    return 0


def _carry_over(results: dict, path, *, skipped: list[str]) -> None:
    """Phases not run this time keep the figures of the previous run of this scale."""
    if not skipped or not path.exists():
        return
    previous = json.loads(path.read_text())
    origins = previous.get("carried", {})
    carried = {}
    for phase in skipped:
        if phase in previous:
            results[phase] = previous[phase]
            carried[phase] = origins.get(phase, previous["started"])
    if carried:
        results["carried"] = carried


def _counts() -> dict:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in ("strategy_entity", "channels_app_channel", "monitoring_author",
                      "monitoring_mention", "monitoring_case"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM monitoring_case WHERE status <> 'closed'")
        counts["active_cases"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('monitoring_mention'))")
        counts["mention_table_size"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["database_size"] = cursor.fetchone()[0]
    return counts


def _ok(value, aim, *, lower_is_better=True) -> str:
    if value is None:
        return "—"
    good = value < aim if lower_is_better else value >= aim
    return "yes" if good else "**no**"


def render(r: dict, argv) -> str:
    m, c = r["machine"], r["counts"]
    loads = "; ".join(f"{k} {v[0]:.1f}" for k, v in r["load"].items())
    lines = [
        f"Run of {r['started'][:16].replace('T', ' ')} UTC: `make bench` "
        f"(`python -m bench.run{''.join(' ' + a for a in argv)}`), scale {r['scale']:g}.",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']:.0f} GB RAM, PostgreSQL "
        f"{m['postgresql']} (shared_buffers {m['shared_buffers']}) and Redis {m['redis']} on the "
        f"same machine, Python {m['python']}, Django {m['django']}, Linux {m['kernel']}. "
        f"Load average (1 min) when each phase ended: {loads}. The machine was shared with "
        "other work during the run, so the figures are pessimistic.",
        "",
        f"Data set: {c['strategy_entity']} entities, {c['channels_app_channel']} channels, "
        f"{c['monitoring_author']:,} authors, {c['monitoring_mention']:,} mentions over 12 "
        f"months, {c['monitoring_case']:,} cases of which {c['active_cases']:,} active "
        f"(the mention table is {c['mention_table_size']}, the database "
        f"{c['database_size']}). "
        + ("Reused from an earlier run." if r["dataset"]["reused"] else
           f"Built in {r['dataset']['seconds']:.0f} s (COPY, then the dashboard's rollups)."),
        "",
        "| figure | measured | aim | met |",
        "|---|---:|---:|---|",
    ]
    if "ingest" in r:
        i = r["ingest"]
        lines.append(f"| ingestion (stage 1), one process / raw bulk insert: busy source "
                     f"(polls of {i['busy_batch']}) | {i['busy_store_rate']:,.0f} / "
                     f"{i['raw_rate']:,.0f} mentions/s = {i['ratio']:.0%} | ≥ 50 % | "
                     f"{_ok(i['ratio'], .5, lower_is_better=False)} |")
        lines.append(f"| the same, quiet source (pages of {i['batch']}, one commit each) | "
                     f"{i['store_rate']:,.0f} / {i['raw_rate']:,.0f} mentions/s = "
                     f"{i['quiet_ratio']:.0%} | (≥ 50 %) | "
                     f"{_ok(i['quiet_ratio'], .5, lower_is_better=False)} |")
    if "latency" in r:
        la = r["latency"]
        lines.append(f"| webhook → case visible in the inbox, p50 / p95 | {la['p50']:,.0f} / "
                     f"{la['p95']:,.0f} ms | p95 < 2,000 ms | {_ok(la['p95'], 2000)} |")
    for w in r.get("web", []):
        lines.append(f"| {w['label']}, p50 / p95 (SQL queries) | {w['p50']:.0f} / "
                     f"{w['p95']:.0f} ms ({w['queries']}) | p95 < {w['aim']} ms | "
                     f"{_ok(w['p95'], w['aim'])} |")
    if "throughput" in r:
        t = r["throughput"]
        lines.append(f"| inbox under gunicorn / minimal view, requests/s (queue unchanged: "
                     f"the page cache serves it) | "
                     f"{t['inbox']['rps']:,.1f} / {t['minimal']['rps']:,.1f} = "
                     f"{t['ratio']:.0%} | ≥ 40 % | {_ok(t['ratio'], .4, lower_is_better=False)} |")
        if "inbox_cold" in t:
            lines.append(
                f"| the same inbox built on every request (page cache off, as right after a "
                f"change) / minimal view | {t['inbox_cold']['rps']:,.1f} / "
                f"{t['minimal']['rps']:,.1f} = {t['ratio_cold']:.0%} | — | — |")
            lines.append(
                f"| the inbox's 10 s poll, queue unchanged (204) / minimal view | "
                f"{t['poll']['rps']:,.1f} / {t['minimal']['rps']:,.1f} = "
                f"{t['ratio_poll']:.0%} | — | — |")
    if "memory" in r:
        mem = r["memory"]
        lines.append(f"| worker RSS while ingesting {mem['mentions']:,} mentions, after 10 % → "
                     f"end | {mem['rss_warm_mb']:.0f} → {mem['rss_end_mb']:.0f} MB "
                     f"({mem['growth_mb']:+.1f} MB) | no growth | "
                     f"{_ok(mem['growth_mb'], 0.05 * mem['rss_warm_mb'] + 5)} |")
    lines.append("")
    if "web" in r:
        lines += ["Server time in-process (Django test client: middleware, session, tenant "
                  f"gate, selectors, template), {r['web'][0]['n']} requests per page after 3 "
                  "warm-up requests, as a member of the largest entity "
                  f"({c['monitoring_mention'] and 'bench-1'}):", "",
                  "| page | p50 ms | p95 ms | max ms | SQL queries | SQL time p50 ms | "
                  "slowest statement ms |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {w['label']} | {w['p50']:.1f} | {w['p95']:.1f} | {w['max']:.1f} | "
                  + (f"{w['queries_min']}–{w['queries']}" if w["queries_min"] != w["queries"]
                     else f"{w['queries']}")
                  + f" | {w['sql_p50']:.1f} | {w['slowest_ms']:.1f} |" for w in r["web"]]
        lines += ["", "The plan of each page's slowest statement (EXPLAIN ANALYZE) is saved in "
                  "`var/bench/explain-<page>.txt` by the run.", ""]
    if "throughput" in r:
        t = r["throughput"]
        lines += [f"Requests per second: gunicorn with {t['workers']} sync workers "
                  f"(`config.wsgi`, bench.settings), {t['connections']} concurrent "
                  f"connections from {t['inbox']['tool']} on loopback for {t['seconds']} s "
                  "each, logged in as the community manager (the same session and CSRF "
                  "cookies for every URL, as a browser holds them). Minimal view: "
                  f"{t['minimal']['rps']:,.1f} requests/s (p50 {t['minimal']['p50']} ms); "
                  f"inbox first page: {t['inbox']['rps']:,.1f} requests/s (p50 "
                  f"{t['inbox']['p50']} ms)"
                  + (f"; the same page with the page cache off: "
                     f"{t['inbox_cold']['rps']:,.1f} requests/s (p50 {t['inbox_cold']['p50']} "
                     f"ms); the unchanged poll: {t['poll']['rps']:,.1f} requests/s (p50 "
                     f"{t['poll']['p50']} ms)" if "inbox_cold" in t else "")
                  + f"; errors (4xx/5xx): {t['minimal']['errors']} / {t['inbox']['errors']}"
                  + (f" / {t['inbox_cold']['errors']} / {t['poll']['errors']}"
                     if "inbox_cold" in t else "")
                  + "."
                  + (f" Server CPU per request (gunicorn, PostgreSQL, Redis; steadier than "
                     f"requests/s on a shared machine): minimal view "
                     f"{t['minimal']['cpu_ms']:.1f} ms, inbox {t['inbox']['cpu_ms']:.1f} ms "
                     f"({t['cpu_ratio']:.0%} of the minimal view's rate), page cache off "
                     f"{t['inbox_cold']['cpu_ms']:.1f} ms ({t['cpu_ratio_cold']:.0%}), poll "
                     f"{t['poll']['cpu_ms']:.1f} ms ({t['cpu_ratio_poll']:.0%})."
                     if "cpu_ratio" in t else ""), ""]
    if "latency" in r:
        la = r["latency"]
        lines += [f"Webhook latency: {la['n']} signed Meta deliveries (after 2 warm-up ones), "
                  "one at a time, posted to `/webhooks/meta/`; a real Celery worker (solo pool, "
                  "queues celery and ingest) on Redis; the clock stops when `visible_cases` "
                  f"returns the case (polled every 5 ms). p50 {la['p50']:.0f} ms, p95 "
                  f"{la['p95']:.0f} ms, max {la['max']:.0f} ms; {la['lost']} never visible.", ""]
    if "ingest" in r:
        i = r["ingest"]
        lines += [f"Ingestion: `bench/ingest.py`'s functions on the national data set "
                  f"({i['mentions']:,} synthetic mentions, inside one transaction rolled back "
                  "at the end so the data set does not grow): raw `bulk_create` in chunks of "
                  f"{i['raw_chunk']} {i['raw_s']:.1f} s ({i['raw_rate']:,.0f}/s; in pages of "
                  f"{i['batch']}: {i['raw_paged_rate']:,.0f}/s); stage 1, ingestion (store, "
                  f"awaiting triage) on polls of {i['busy_batch']} {i['busy_store_s']:.1f} s "
                  f"({i['busy_store_rate']:,.0f}/s) and on pages of {i['batch']} "
                  f"{i['store_s']:.1f} s ({i['store_rate']:,.0f}/s); stage 2, triage in one "
                  f"process (classify, flag, open or join cases) {i['triage_s']:.1f} s "
                  f"({i['triage_rate']:,.0f}/s, {i['cases']} cases opened; it scales out with "
                  f"the ingest queue's workers); both stages in one process "
                  f"{i['pipeline_s']:.1f} s ({i['pipeline_rate']:,.0f}/s); the same pages "
                  f"again {i['repeat_s']:.1f} s ({i['repeat_rate']:,.0f}/s); the classifier "
                  f"alone {i['classify_s']:.1f} s ({i['classify_rate']:,.0f}/s).", ""]
    if "memory" in r:
        mem = r["memory"]
        samples = ", ".join(f"{s['mentions']:,}: {s['rss_mb']:.0f}"
                            for s in mem["samples"][:: max(1, len(mem["samples"]) // 10)])
        stages = (f" (stage 1 {mem['store_rate']:,.0f}/s, triage {mem['triage_rate']:,.0f}/s)"
                  if "store_rate" in mem else "")
        lines += [f"Worker memory: `python -m bench.memory --mentions {mem['mentions']} "
                  f"--batch {mem['batch']}` in its own process, each page committed; "
                  f"{mem['created']:,} mentions stored, {mem['cases']:,} cases opened, "
                  f"{mem['rate']:,.0f} mentions/s{stages}. RSS (MB) by mentions ingested: "
                  f"{samples}; maximum {mem['rss_max_mb']:.0f} MB.", ""]
    if r.get("findings"):
        lines += ["Fixes timed in the same run (`bench/findings.py`: EXPLAIN ANALYZE "
                  "execution time, median of 5, without and with the fix, in a transaction "
                  "rolled back; an applied index is dropped for the \"without\" figure); see "
                  "\"Findings\":", "",
                  "| statement(s) | without the fix ms | with the fix ms | fix |",
                  "|---|---:|---:|---|"]
        lines += [f"| {f['title']} | {f['before_ms']:.1f} | {f['after_ms']:.1f} | {f['fix']} |"
                  for f in r["findings"]]
        lines.append("")
    if r.get("carried"):
        lines += ["Not run this time, figures carried over from an earlier run: " + ", ".join(
            f"{phase} ({when[:16].replace('T', ' ')} UTC)"
            for phase, when in r["carried"].items()) + ".", ""]
    lines.append(f"The whole run took {r['seconds'] / 60:.0f} minutes.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
