"""Ingestion throughput: normalise, deduplicate, classify and store, vs a raw bulk insert.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.ingest \
        [--mentions 5000] [--batch 100] [--write]

Creates a throwaway test database (test_<name>), migrates it, and in the same run measures:
1. raw: `Mention.objects.bulk_create` of the same rows (authors already there, labels given),
   chunks of 500 — the floor any ingestion path pays;
2. pipeline: `monitoring.services.mention_ingest_batch` on pages of `--batch` normalised
   mentions as a poll delivers them (dedupe against the table, author upsert, classification,
   thread links, troll flags, cases with SLA/legal deadlines/escalation and their audit rows);
3. the same pages delivered again (every mention a duplicate: the cost of a repeated page).
`--write` replaces the "Ingestion" section of docs/benchmarks.md with the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUBJECTS = ["el hueco de la calle {n}", "la luz del parque {n}", "el agua en el barrio {b}",
            "la basura de la carrera {n}", "el puesto de salud de {b}", "el semáforo de la {n}",
            "la PQRS que radiqué el mes pasado", "el impuesto predial", "la cita en el SISBEN"]
BARRIOS = ["La Esperanza", "El Prado", "San José", "Villa Nueva", "Las Palmas", "El Centro"]
COMPLAINTS = ["{s} sigue igual, nadie responde 😡", "Qué vergüenza, {s} lleva meses así",
              "URGENTE: {s} es un peligro, ya hubo un accidente", "{s} otra vez sin solución!!",
              "pesimo servicio, {s} no lo arreglan nunca"]
QUESTIONS = ["¿Hasta cuándo hay plazo para {s}?", "Buenas, a qué hora atienden por {s}?",
             "Alguien sabe qué requisitos piden para {s}?", "¿Dónde reclamo por {s}?"]
PRAISE = ["Gracias alcaldía, {s} quedó muy bien 👏", "Excelente atención con {s}, felicitaciones",
          "Muy buen trabajo con {s}, así sí"]
OTHER = ["Compra seguidores baratos en www.seguidores.biz", "jajaja buen día a todos",
         "Vean el partido de hoy", "Siganme y los sigo 🔥🔥"]


def make_mentions(count: int, seed: int = 7):
    from channels_app.platforms.base import AuthorData, NormalizedMention

    rng = random.Random(seed)
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    authors = [AuthorData(external_id=str(10_000 + i), handle=f"vecino_{i}",
                          name=f"Vecino {i}", followers=rng.randint(0, 5000),
                          account_created_at=start - timedelta(days=rng.randint(1, 3000)))
               for i in range(max(count // 4, 1))]
    items = []
    for i in range(count):
        kind = rng.choices([COMPLAINTS, QUESTIONS, PRAISE, OTHER], weights=[45, 25, 15, 15])[0]
        subject = rng.choice(SUBJECTS).format(n=rng.randint(1, 120), b=rng.choice(BARRIOS))
        text = rng.choice(kind).format(s=subject)
        external_id = str(1_800_000_000 + i)
        reply_to = items[rng.randrange(len(items))].external_id if items and rng.random() < .2 \
            else ""
        items.append(NormalizedMention(
            platform="x", external_id=external_id, author=rng.choice(authors), text=text,
            created_at=start + timedelta(seconds=i * 7), url=f"https://x.com/i/status/{i}",
            in_reply_to_external_id=reply_to, thread_external_id=reply_to or external_id,
            raw={"id": external_id, "text": text, "author_id": "x"}))
    return items


def make_entity(slug: str):
    from strategy.models import Entity
    from strategy.validators import nit_check_digit

    base = str(890_000_000 + random.randint(0, 99_999))  # noqa: S311
    return Entity.objects.create(name=f"Bench {slug}", nit=f"{base}-{nit_check_digit(base)}",
                                 kind="publica", slug=slug)


def bench_raw(items) -> float:
    """bulk_create of the same rows, labels precomputed, authors created beforehand."""
    from monitoring.models import Author, Mention

    entity = make_entity("bench-raw")
    authors = {}
    for item in items:
        authors.setdefault(item.author.external_id, Author(
            entity=entity, platform="x", external_id=item.author.external_id,
            handle=item.author.handle, name=item.author.name, followers=item.author.followers))
    Author.objects.bulk_create(list(authors.values()))
    by_id = dict(Author.objects.filter(entity=entity).values_list("external_id", "pk"))
    rows = [Mention(entity=entity, platform="x", external_id=i.external_id,
                    author_id=by_id[i.author.external_id], text=i.text, url=i.url,
                    created_at=i.created_at, in_reply_to_external_id=i.in_reply_to_external_id,
                    thread_key=i.thread_external_id, source="poll", raw=i.raw, label="other")
            for i in items]
    started = time.perf_counter()
    for chunk in range(0, len(rows), 500):
        Mention.objects.bulk_create(rows[chunk:chunk + 500])
    return time.perf_counter() - started


def bench_pipeline(items, batch: int) -> tuple[float, float, dict]:
    from django.db import transaction

    from monitoring.models import Case, Mention
    from monitoring.services import mention_ingest_batch
    from tests.monitoring.factories import ChannelFactory

    entity = make_entity("bench-pipeline")
    channel = ChannelFactory(entity=entity, handle="alcaldia_bench", account_id="1")
    pages = [items[i:i + batch] for i in range(0, len(items), batch)]
    started = time.perf_counter()
    for page in pages:
        with transaction.atomic():
            mention_ingest_batch(entity=entity, channel=channel, mentions=page, source="poll")
    first = time.perf_counter() - started
    started = time.perf_counter()
    for page in pages:
        with transaction.atomic():
            mention_ingest_batch(entity=entity, channel=channel, mentions=page, source="poll")
    repeat = time.perf_counter() - started
    stats = {"mentions": Mention.objects.filter(entity=entity).count(),
             "cases": Case.objects.filter(entity=entity).count()}
    return first, repeat, stats


def bench_classifier(items) -> float:
    from monitoring.classifier import classify_batch

    texts = [i.text for i in items]
    classify_batch(texts[:10])  # load / train once, outside the timing
    started = time.perf_counter()
    classify_batch(texts)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    from bench.common import replace_section

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL server: the figures are for PostgreSQL.")
        return 2
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        items = make_mentions(args.mentions)
        classify_seconds = bench_classifier(items)
        raw = bench_raw(items)
        pipeline, repeat, stats = bench_pipeline(items, args.batch)
        version = _pg_version()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    n = len(items)
    rate_raw, rate_pipe, rate_repeat = n / raw, n / pipeline, n / repeat
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    cases = stats["cases"]
    markdown = f"""Measured by `bench/ingest.py` ({n} synthetic Spanish mentions, {cases} cases
opened, pages of {args.batch} as a poll delivers them; one process, one PostgreSQL
{version} on the same machine, {platform.processor() or platform.machine()},
Python {platform.python_version()}). Each figure comes from the same run.

| path | seconds | mentions per second |
|---|---:|---:|
| raw `bulk_create` of the same rows (floor) | {raw:.2f} | {rate_raw:,.0f} |
| pipeline: normalise, dedupe, classify, store, queue | {pipeline:.2f} | {rate_pipe:,.0f} |
| the same pages again (all duplicates) | {repeat:.2f} | {rate_repeat:,.0f} |
| classifier alone (`classify_batch`) | {classify_seconds:.2f} | {n / classify_seconds:,.0f} |

Pipeline / raw insert: **{rate_pipe / rate_raw:.0%}** of the raw rate (target: at least 50 %).
Load average of the machine during the run: {load}.

Why the pipeline stays below half the raw insert rate: classification alone takes
{classify_seconds / raw:.1f}× the time of the whole raw insert, so no storage strategy can
reach 50 % with the classifier in the loop; the rest is the queue, which the raw insert does
not do: {cases} cases ({cases / n:.0%} of the mentions in this synthetic stream, mostly
complaints and questions) with their first-response and legal deadlines, escalation rules
and an audit row each, plus the author upsert and thread links. What keeps it bounded:
every page costs the same fifteen or so queries whatever its size (one lookup of known ids,
authors in up to three, parents, troll-flag counts, one lookup of active cases, one INSERT of
cases with ON CONFLICT DO NOTHING, one INSERT of audit rows, one INSERT of mentions already
linked to their case, one reload); the protocol (SLA
row, escalation and approval rules) is read once per page, not once per mention; a repeated
page costs one query ("the same pages again").
"""
    print(markdown)
    if args.write:
        replace_section("Ingestion", markdown)
        print("docs/benchmarks.md updated.")
    return 0


def _pg_version() -> str:
    from django.db import connection

    try:
        return ".".join(str(p) for p in divmod(connection.pg_version, 10000))
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    sys.exit(main())
