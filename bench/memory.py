"""A worker's memory while it ingests mentions through the real pipeline, in one process.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python -m bench.memory --mentions 100000 [--batch 100]

Runs both stages of ingestion on pages of `--batch` new mentions for a dedicated entity
(`bench-ingesta`, kept apart from the inbox figures): stage 1
(`monitoring.services.mentions_store`, the poll task's part, each page committed), then
stage 2 (`mentions_triage` on the page's new mentions, as the `triage_mentions` task it
enqueues would; the task itself is not sent). It samples the process's resident memory
(VmRSS of /proc/self/status) twenty times and prints one JSON line per sample and a final
JSON summary (with the seconds spent in each stage). Growth is measured from the sample
after the first 10 % (classifier loaded, caches warm) to the last one.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from datetime import timedelta

from .common import setup_django


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pages(count: int, batch: int, run: str, seed: int = 3):
    """Pages of new mentions as an X poll returns them (lazily: nothing kept in memory)."""
    from django.utils import timezone

    from channels_app.platforms.base import AuthorData, NormalizedMention

    from .dataset import _texts

    rng = random.Random(seed)
    texts = _texts(rng)
    labels = ["complaint"] * 35 + ["question"] * 25 + ["praise"] * 15 + ["other"] * 25
    start = timezone.now() - timedelta(days=1)
    authors = 20_000
    for first in range(0, count, batch):
        page = []
        for i in range(first, min(count, first + batch)):
            k = int(authors * rng.random() ** 2.5)
            external_id = f"{run}{i:08d}"
            reply = rng.random() < 0.2 and i > 0
            parent = f"{run}{rng.randrange(max(1, i)):08d}" if reply else ""
            page.append(NormalizedMention(
                platform="x", external_id=external_id,
                author=AuthorData(external_id=f"m{k}", handle=f"vecina_{k}", name=f"Vecina {k}",
                                  followers=k % 3000),
                text=texts[rng.choice(labels)][rng.randrange(len(texts["other"]))],
                created_at=start + timedelta(milliseconds=i * 50),
                url=f"https://x.com/i/status/{external_id}", in_reply_to_external_id=parent,
                thread_external_id=parent or external_id,
                raw={"id": external_id, "author_id": f"m{k}"}))
        yield page


def analyze_grown_tables() -> None:
    """Refresh the planner's statistics as autovacuum would on a production server. Without
    them (autovacuum off, as on the bench machine) the planner keeps believing the new
    entity holds no mentions and scans all of them for each page's id lookup: the rate fell
    from 617 to 215 mentions/s between 0 and 500,000 in the run of 2026-11-30 10:31."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("monitoring_mention", "monitoring_case", "monitoring_author"):
            cursor.execute(f"ANALYZE {table}")


def ingest_entity():
    from channels_app.models import Channel
    from strategy.models import Entity
    from strategy.validators import nit_check_digit

    base = "899100000"
    entity, _ = Entity.objects.get_or_create(slug="bench-ingesta", defaults={
        "name": "Entidad de prueba de ingesta", "kind": "publica",
        "nit": f"{base}-{nit_check_digit(base)}"})
    channel, _ = Channel.objects.get_or_create(entity=entity, platform="x", defaults={
        "handle": "ingesta_bench", "account_id": "1"})
    return entity, channel


def run(*, mentions: int, batch: int, out=print) -> dict:
    from django.db import transaction

    from monitoring.services import mentions_store, mentions_triage

    from .ingest import triage_not_enqueued

    entity, channel = ingest_entity()
    run_id = str(int(time.time()))[-7:]
    samples = []
    every = max(1, mentions // batch // 20)
    started = time.perf_counter()
    done = created = cases = 0
    store_s = triage_s = 0.0
    # Triage runs inline below; the task stage 1 enqueues at each commit is dropped.
    with triage_not_enqueued():
        for n, page in enumerate(pages(mentions, batch, run_id), start=1):
            t0 = time.perf_counter()
            with transaction.atomic():
                result = mentions_store(entity=entity, channel=channel, mentions=page,
                                        source="poll")
            t1 = time.perf_counter()
            triage = mentions_triage(mention_ids=result.triage_ids)
            store_s += t1 - t0
            triage_s += time.perf_counter() - t1
            done += len(page)
            created += result.created
            cases += triage.cases_opened
            if n % every == 0 or done == mentions:
                analyze_grown_tables()
                gc.collect()
                sample = {"mentions": done, "rss_mb": round(rss_mb(), 1),
                          "seconds": round(time.perf_counter() - started, 1)}
                samples.append(sample)
                out(json.dumps(sample))
    warm = next((s for s in samples if s["mentions"] >= mentions * 0.1), samples[0])
    last = samples[-1]
    summary = {"summary": True, "mentions": done, "created": created, "cases": cases,
               "batch": batch, "seconds": last["seconds"],
               "rate": done / last["seconds"] if last["seconds"] else 0.0,
               "store_s": round(store_s, 1), "triage_s": round(triage_s, 1),
               "store_rate": done / store_s if store_s else 0.0,
               "triage_rate": done / triage_s if triage_s else 0.0,
               "rss_start_mb": samples[0]["rss_mb"], "rss_warm_mb": warm["rss_mb"],
               "rss_end_mb": last["rss_mb"], "rss_max_mb": max(s["rss_mb"] for s in samples),
               "growth_mb": round(last["rss_mb"] - warm["rss_mb"], 1), "samples": samples}
    out(json.dumps(summary))
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    setup_django()
    run(mentions=args.mentions, batch=args.batch, out=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
