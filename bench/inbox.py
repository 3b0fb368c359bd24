"""Inbox speed: first page, a filtered search and a case view at scale, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.inbox \
        [--mentions 1000000] [--cases 100000] [--entities 20] [--runs 40] [--write]

Creates a throwaway test database (test_<name>), migrates it (the inbox migration adds the
Spanish full-text GIN index on mentions), bulk-loads the data (authors, cases, mentions spread
over the entities), ANALYZEs, then requests each page `--runs` times through Django's test
client as a community manager of one entity and reports the SQL query count and p50/p95
server time. `--write` replaces the "Inbox" section of docs/benchmarks.md with the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = ["hueco", "agua", "luz", "basura", "semáforo", "impuesto", "salud", "parque", "vía",
         "alumbrado", "colegio", "transporte", "andén", "ruido", "árbol", "policía"]
BARRIOS = ["La Esperanza", "El Prado", "San José", "Villa Nueva", "Las Palmas", "El Centro"]
TEMPLATES = ["Llevamos días con el problema de {w} en {b}, nadie responde",
             "¿Cuándo arreglan {w} en el barrio {b}?", "URGENTE {w} en {b}, es un peligro",
             "Gracias por arreglar {w} en {b}", "pésimo servicio, {w} en {b} sigue igual"]


def load(*, mentions: int, cases: int, entities: int, seed: int = 11) -> dict:
    from django.db import connection
    from django.utils import timezone

    from channels_app.models import Channel
    from monitoring.models import Author, Case, Mention
    from strategy.choices import Role
    from strategy.models import Entity, Membership, User

    rng = random.Random(seed)
    now = timezone.now()
    ents = Entity.objects.bulk_create([
        Entity(name=f"Entidad {i}", nit=f"8000{i:05d}-1", kind="publica", sector="gobierno",
               slug=f"entidad-{i}") for i in range(entities)])
    channels = Channel.objects.bulk_create([
        Channel(entity=e, platform=p, handle=f"{p}{e.pk}", account_id=str(e.pk))
        for e in ents for p in ("x", "facebook", "mastodon")])
    by_entity = {e.pk: [c for c in channels if c.entity_id == e.pk] for e in ents}
    user = User.objects.create_user(email="gestor@bench.gov.co", password="x" * 12)
    Membership.objects.create(user=user, entity=ents[0], role=Role.COMMUNITY_MANAGER)
    authors_per_entity = max(1, mentions // entities // 4)
    authors = []
    for e in ents:
        authors += [Author(entity=e, platform="x", external_id=f"{e.pk}-{i}",
                           handle=f"vecino_{e.pk}_{i}", name=f"Vecino {i}",
                           followers=rng.randint(0, 5000))
                    for i in range(authors_per_entity)]
    Author.objects.bulk_create(authors, batch_size=10_000)
    authors_by_entity: dict[int, list[int]] = {}
    for pk, entity_id in Author.objects.values_list("pk", "entity_id"):
        authors_by_entity.setdefault(entity_id, []).append(pk)
    statuses = ["open"] * 5 + ["in_progress"] * 2 + ["answered"]
    case_rows = []
    for i in range(cases):
        e = ents[i % entities]
        case_rows.append(Case(
            entity=e, channel=rng.choice(by_entity[e.pk]),
            author_id=authors_by_entity[e.pk][i // entities % len(authors_by_entity[e.pk])],
            platform="x", thread_key=f"t{i}", status=rng.choice(statuses),
            category=rng.choice(["complaint", "question"]),
            pqrsd_type=rng.choice(["queja", "peticion", "reclamo", "none"]),
            urgency=rng.choice(["high", "normal", "normal", "low"]),
            first_response_due=now + timedelta(minutes=rng.randint(-600, 3000)),
            opened_at=now - timedelta(minutes=rng.randint(0, 5000)),
            author_flagged=rng.random() < .05))
    Case.objects.bulk_create(case_rows, batch_size=10_000)
    case_ids: dict[int, list[int]] = {}
    for pk, entity_id in Case.objects.values_list("pk", "entity_id"):
        case_ids.setdefault(entity_id, []).append(pk)
    batch = []
    for i in range(mentions):
        e = ents[i % entities]
        text = rng.choice(TEMPLATES).format(w=rng.choice(WORDS), b=rng.choice(BARRIOS))
        ids = case_ids.get(e.pk, [])
        case_id = ids[(i // entities) % len(ids)] if ids and rng.random() < .3 else None
        batch.append(Mention(
            entity=e, platform="x", external_id=str(i),
            author_id=rng.choice(authors_by_entity[e.pk]), text=text,
            created_at=now - timedelta(minutes=rng.randint(0, 50_000)), thread_key=f"m{i}",
            source="poll", label="complaint", case_id=case_id))
        if len(batch) == 20_000:
            Mention.objects.bulk_create(batch)
            batch = []
    if batch:
        Mention.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    case = Case.objects.filter(entity=ents[0]).order_by("first_response_due").first()
    return {"entity": ents[0], "user": user, "case": case}


def measure(client, path: str, runs: int) -> tuple[int, float, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches (templates, translations, connection)
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(.95 * (len(times) - 1))))]
    return queries, statistics.median(times), p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=20)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    from bench.common import replace_section

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    if connection.vendor != "postgresql":
        print("The inbox benchmark needs PostgreSQL (DATABASE_URL=postgres://…).")
        return 2
    # Not setup_test_environment(): its template instrumentation (a signal and a context copy
    # per template) would be timed too. The test client only needs its host allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        data = load(mentions=args.mentions, cases=args.cases, entities=args.entities)
        load_seconds = time.perf_counter() - started
        client = Client()
        client.force_login(data["user"])
        slug = data["entity"].slug
        inbox = reverse("monitoring:inbox", kwargs={"entity_slug": slug})
        pages = [
            ("First page of the inbox", inbox),
            ("Filtered search (\"agua\", urgency high, unassigned)",
             inbox + "?q=agua&urgency=high&unassigned=1"),
            ("Case view", reverse("monitoring:case_detail", kwargs={
                "entity_slug": slug, "case_id": data["case"].public_id})),
        ]
        rows = []
        for label, path in pages:
            queries, p50, p95 = measure(client, path, args.runs)
            rows.append((label, queries, p50, p95))
            print(f"{label}: {queries} queries, p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    markdown = "\n".join([
        f"`python -m bench.inbox --mentions {args.mentions} --cases {args.cases} "
        f"--entities {args.entities} --runs {args.runs}` on PostgreSQL "
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}); data loaded in {load_seconds:.0f} s. Server time through "
        "Django's test client without template instrumentation (middleware, tenant gate, "
        "queries, template), as a community "
        "manager of one entity. Query counts do not depend on the page size (guarded by "
        "tests/monitoring/test_inbox_views.py).",
        "",
        "| page | SQL queries | p50 (ms) | p95 (ms) |",
        "|---|---|---|---|",
        *[f"| {label} | {q} | {p50:.1f} | {p95:.1f} |" for label, q, p50, p95 in rows],
    ])
    print(markdown)
    if args.write:
        replace_section("Inbox", markdown)
        print("docs/benchmarks.md updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
