"""The national-scale data set of `make bench`, built with COPY straight into the tables.

20 entities of very different sizes (weights 1/rank^0.7: the largest, a capital's mayor's
office, gets ~15 % of everything), 6 channels each (120), authors skewed (a few citizens
write a lot), 1,000,000 mentions over 12 months with a daytime curve, 100,000 open cases
(open, in progress, awaiting approval, answered) plus 50,000 closed ones, each case with
its 1-3 mentions, Spanish texts from a few hundred templates. `scale` multiplies the mentions
and cases (entities and channels stay). A marker table `bench_dataset` records what was built
so a re-run reuses it; `rebuild=True` drops the schema and starts again.

Rows are written with COPY (psycopg2 copy_expert). Columns the bench does not set get the
model field's default, so a field added later by the app does not break the build (a new
NOT NULL field without a default stops it with a clear message).
"""

from __future__ import annotations

import io
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

FULL_MENTIONS = 1_000_000
FULL_OPEN_CASES = 100_000
FULL_CLOSED_CASES = 50_000
ENTITIES = 20
PLATFORMS = [("x", 35), ("facebook", 30), ("instagram", 20), ("youtube", 5), ("mastodon", 5),
             ("bluesky", 5)]
PASSWORD = "bench-password-123"  # noqa: S105  (loopback benchmark users)
MARKER_DDL = """CREATE TABLE IF NOT EXISTS bench_dataset (
    scale double precision NOT NULL, mentions integer NOT NULL, open_cases integer NOT NULL,
    built_at timestamptz NOT NULL, seconds double precision NOT NULL)"""

# --------------------------------------------------------------------------- texts

SUBJECTS = [
    "el hueco de la calle {n}", "la luz del parque de {b}", "el agua en el barrio {b}",
    "la basura de la carrera {n}", "el puesto de salud de {b}", "el semáforo de la calle {n}",
    "la PQRS que radiqué el mes pasado", "el impuesto predial", "la cita en el SISBEN",
    "el alumbrado de {b}", "el colegio de {b}", "el transporte hacia {b}",
    "el andén de la carrera {n}", "el ruido de las obras en {b}", "el árbol caído en {b}",
    "la inseguridad en {b}", "el subsidio de vivienda", "la vacunación en {b}",
    "el acueducto de la vereda {b}", "la licencia de construcción", "el paradero de la {n}",
    "la ciclovía de {b}", "el comedor comunitario de {b}", "la matrícula escolar",
    "el pago de la multa de tránsito",
]
BARRIOS = ["La Esperanza", "El Prado", "San José", "Villa Nueva", "Las Palmas", "El Centro",
           "Kennedy", "Bosa", "Suba", "Manrique", "Aranjuez", "Siloé", "El Poblado", "Chapinero",
           "La Candelaria", "Usme", "Ciudad Bolívar", "Belén", "Robledo", "Castilla"]
OPENERS = {
    "complaint": ["{s} sigue igual, nadie responde", "Qué vergüenza, {s} lleva meses así",
                  "URGENTE: {s} es un peligro, ya hubo un accidente",
                  "{s} otra vez sin solución!!", "pésimo servicio, {s} no lo arreglan nunca",
                  "Llevamos semanas con {s} y la alcaldía no hace nada",
                  "Queja formal por {s}, exijo respuesta", "Es el colmo, {s} empeora cada día",
                  "Denuncio que {s} está abandonado", "Nadie da la cara por {s}"],
    "question": ["¿Hasta cuándo hay plazo para {s}?", "Buenas, ¿a qué hora atienden por {s}?",
                 "¿Alguien sabe qué requisitos piden para {s}?", "¿Dónde reclamo por {s}?",
                 "¿Cuándo arreglan {s}?", "Hola, ¿qué pasó con {s}?",
                 "¿Me pueden informar sobre {s}?", "¿A quién le escribo por {s}?"],
    "praise": ["Gracias alcaldía, {s} quedó muy bien", "Excelente atención con {s}",
               "Muy buen trabajo con {s}, así sí", "Felicitaciones al equipo por {s}",
               "Por fin solucionaron {s}, gracias"],
    "other": ["Compra seguidores baratos en www.seguidores.biz", "jajaja buen día a todos",
              "Vean el partido de hoy", "Síganme y los sigo", "Alguien vio {s} en las noticias?",
              "Hoy hay feria en {b}", "Buenos días Colombia"],
}
TEXTS_PER_LABEL = 3000


def _texts(rng: random.Random) -> dict[str, list[str]]:
    """A few hundred templates (opener × subject), filled with places and numbers."""
    out = {}
    for label, openers in OPENERS.items():
        templates = [o.replace("{s}", s) for o in openers for s in SUBJECTS]
        out[label] = [rng.choice(templates).format(n=rng.randint(1, 180), b=rng.choice(BARRIOS))
                      for _ in range(TEXTS_PER_LABEL)]
    return out


# --------------------------------------------------------------------------- COPY


def _escape(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    return text


class CopyTable:
    """Rows of one model in COPY text format; unset columns get the field's default."""

    def __init__(self, model, given: list[str]):
        import json

        from django.db import models
        from django.utils import timezone

        self.table = model._meta.db_table
        self.columns, plan = [], []
        now = timezone.now()
        for f in model._meta.concrete_fields:
            self.columns.append(f.column)
            if f.attname in given:
                plan.append(("given", given.index(f.attname)))
            elif f.has_default() and f.default is uuid.uuid4:
                plan.append(("uuid", None))
            elif f.has_default():
                value = f.get_default()
                if isinstance(f, models.JSONField):
                    value = json.dumps(value)
                elif callable(f.default) and isinstance(f, models.DateTimeField):
                    value = now
                plan.append(("const", _escape(value)))
            elif getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                plan.append(("const", _escape(now)))
            elif f.null:
                plan.append(("const", "\\N"))
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                plan.append(("const", ""))
            else:
                raise RuntimeError(f"bench/dataset.py: {self.table}.{f.column} has no default; "
                                   "add it to the bench's rows.")
        self.plan = plan
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, values) -> None:
        parts = []
        for kind, arg in self.plan:
            if kind == "given":
                parts.append(_escape(values[arg]))
            elif kind == "uuid":
                parts.append(str(uuid.uuid4()))
            else:
                parts.append(arg)
        self.buffer.write("\t".join(parts))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        self.buffer.seek(0)
        cursor.copy_expert(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN",
                           self.buffer)
        self.buffer = io.StringIO()
        self.rows = 0


# --------------------------------------------------------------------------- the build


@dataclass
class Dataset:
    scale: float
    mentions: int
    open_cases: int
    seconds: float
    reused: bool


def _weights(n: int) -> list[float]:
    raw = [1 / (i + 1) ** 0.7 for i in range(n)]
    total = sum(raw)
    return [w / total for w in raw]


def _split(total: int, weights: list[float]) -> list[int]:
    parts = [int(total * w) for w in weights]
    parts[0] += total - sum(parts)
    return parts


def existing(scale: float) -> Dataset | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_dataset')")
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT scale, mentions, open_cases, seconds FROM bench_dataset")
        row = cursor.fetchone()
    if row is None or abs(row[0] - scale) > 1e-9:
        return None
    return Dataset(scale=row[0], mentions=row[1], open_cases=row[2], seconds=row[3],
                   reused=True)


def drop_schema() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def ensure(*, scale: float, rebuild: bool, log=print) -> Dataset:
    """Migrate, then reuse the data set of this scale or build it."""
    from django.core.management import call_command

    if rebuild or existing(scale) is None:
        log("dataset: dropping the schema and migrating")
        drop_schema()
        call_command("migrate", verbosity=0, interactive=False)
        sync_schema(log=log)
        return build(scale=scale, log=log)
    from django.db import DatabaseError

    try:
        call_command("migrate", verbosity=0, interactive=False)
    except DatabaseError as exc:
        # A new migration creates what the bench had created from the models: drop those
        # (they hold no bench data but rollups), migrate again; rebuild only if that fails.
        log(f"dataset: migrating the kept data set failed ({exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}); dropping what the bench created and retrying")
        try:
            _forget_synced(log=log)
            call_command("migrate", verbosity=0, interactive=False)
        except DatabaseError as again:
            log(f"dataset: still failing ({str(again).splitlines()[0]}); rebuilding")
            return ensure(scale=scale, rebuild=True, log=log)
    sync_schema(log=log)
    _ensure_rollups(log=log)
    found = existing(scale)
    log(f"dataset: reusing {found.mentions:,} mentions, {found.open_cases:,} open cases")
    return found


SYNCED_DDL = "CREATE TABLE IF NOT EXISTS bench_synced (kind text NOT NULL, name text NOT NULL)"


def _remember(kind: str, name: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SYNCED_DDL)
        cursor.execute("INSERT INTO bench_synced VALUES (%s, %s)", [kind, name])


def _forget_synced(*, log=print) -> None:
    """Drop the tables, columns and index sync_schema created (a migration now owns them)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SYNCED_DDL)
        cursor.execute("SELECT kind, name FROM bench_synced")
        rows = cursor.fetchall()
        qn = connection.ops.quote_name
        for kind, name in rows:
            if kind == "table":
                cursor.execute(f"DROP TABLE IF EXISTS {qn(name)} CASCADE")
            elif kind == "column":
                table, column = name.split(".", 1)
                cursor.execute(f"ALTER TABLE {qn(table)} DROP COLUMN IF EXISTS {qn(column)}")
            elif kind == "index":
                cursor.execute(f"DROP INDEX IF EXISTS {qn(name)}")
        cursor.execute("DELETE FROM bench_synced")
        # Django forgets the migrations of apps whose tables were dropped this way? No: they
        # were never applied (that is why sync_schema created the tables).
    log(f"dataset: dropped {len(rows)} objects created before their migration existed")


def _ensure_rollups(*, log=print) -> None:
    """Rebuild the dashboard's rollups when their table was (re)created empty."""
    from django.utils import timezone

    from strategy.models import Entity

    try:
        from monitoring.dashboard_models import DailyRollup
    except ImportError:
        return
    if DailyRollup.objects.exists():
        return
    started = time.perf_counter()
    _rollups(list(Entity.objects.filter(slug__regex=r"^bench-[0-9]+$")), timezone.now())
    log(f"dataset: rollups rebuilt in {time.perf_counter() - started:.0f} s")


def sync_schema(*, log=print) -> list[str]:
    """Create the tables, columns and search index that models declare but no migration
    has created yet (the apps' migrations are written last); returns what was added.

    With every migration in place this does nothing.
    """
    from django.apps import apps
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector
    from django.db import connection

    added = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            table = model._meta.db_table
            if table not in tables:
                editor.create_model(model)
                added.append(table)
                _remember("table", table)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(
                    cursor, table)}
            for f in model._meta.local_concrete_fields:
                if f.column not in columns:
                    editor.add_field(model, f)
                    added.append(f"{table}.{f.column}")
                    _remember("column", f"{table}.{f.column}")
            # Indexes declared in Meta with no migration yet (an index fix being measured).
            with connection.cursor() as cursor:
                existing_indexes = set(connection.introspection.get_constraints(cursor, table))
            for index in model._meta.indexes:
                if index.name not in existing_indexes:
                    editor.add_index(model, index)
                    added.append(index.name)
                    _remember("index", index.name)
    from monitoring.models import Mention

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'monitoring_mention_fts_idx'")
        has_fts = cursor.fetchone() is not None
    if not has_fts:
        # The inbox's Spanish full-text index (same expression as inbox_selectors.search_cases).
        with connection.schema_editor() as editor:
            editor.add_index(Mention, GinIndex(SearchVector("text", config="spanish"),
                                               name="monitoring_mention_fts_idx"))
        added.append("monitoring_mention_fts_idx")
        _remember("index", "monitoring_mention_fts_idx")
    if added:
        log("dataset: created what no migration has yet: " + ", ".join(added))
    return added


def build(*, scale: float, log=print, seed: int = 10) -> Dataset:
    from django.db import connection, transaction
    from django.utils import timezone

    from channels_app.models import Channel
    from monitoring.models import Author, Case, Mention
    from strategy.choices import Role
    from strategy.models import Entity, Membership, User
    from strategy.validators import nit_check_digit

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    n_mentions = int(FULL_MENTIONS * scale)
    n_open = int(FULL_OPEN_CASES * scale)
    n_closed = int(FULL_CLOSED_CASES * scale)
    weights = _weights(ENTITIES)
    texts = _texts(rng)
    hours = [h for h in range(24) for _ in range(
        [1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 9, 8, 8, 9, 9, 8, 7, 7, 6, 5, 4, 3, 2][h])]

    entities = []
    for i in range(ENTITIES):
        base = str(899_000_000 + i)
        entities.append(Entity(name=f"Entidad de prueba {i + 1}", slug=f"bench-{i + 1}",
                               nit=f"{base}-{nit_check_digit(base)}", kind="publica"))
    entities = Entity.objects.bulk_create(entities)
    channels = Channel.objects.bulk_create([
        Channel(entity=e, platform=p, handle=f"entidad{i + 1}_{p}",
                account_id=f"{i + 1}{k:02d}000{i + 1}", name=f"Entidad {i + 1} en {p}")
        for i, e in enumerate(entities) for k, (p, _w) in enumerate(PLATFORMS)])
    users = {
        "manager": User.objects.create_user(email="gestor@bench.invalid", password=PASSWORD),
        "manager2": User.objects.create_user(email="gestor2@bench.invalid", password=PASSWORD),
        "officer": User.objects.create_user(email="comunicaciones@bench.invalid",
                                            password=PASSWORD),
    }
    Membership.objects.bulk_create([
        Membership(user=users["manager"], entity=entities[0], role=Role.COMMUNITY_MANAGER),
        Membership(user=users["manager2"], entity=entities[0], role=Role.COMMUNITY_MANAGER),
        Membership(user=users["officer"], entity=entities[0], role=Role.COMMUNICATIONS_OFFICER),
    ])
    assignees = [users["manager"].pk, users["manager2"].pk]

    authors = CopyTable(Author, ["id", "entity_id", "platform", "external_id", "handle", "name",
                                 "followers", "first_seen_at", "last_seen_at"])
    cases = CopyTable(Case, [
        "id", "entity_id", "channel_id", "author_id", "platform", "thread_key", "status",
        "category", "pqrsd_type", "urgency", "first_response_due", "legal_due", "assignee_id",
        "claimed_at", "opened_at", "last_activity_at", "first_response_at", "closed_at"])
    mentions = CopyTable(Mention, [
        "id", "entity_id", "channel_id", "platform", "external_id", "author_id", "text", "url",
        "created_at", "received_at", "thread_key", "source", "raw", "label", "pqrsd_type",
        "urgency", "sentiment", "confidence", "case_id"])
    author_id = case_id = mention_id = 0
    platform_names = [p for p, _ in PLATFORMS]
    platform_weights = [w for _, w in PLATFORMS]
    year = 365 * 86400

    def when(max_age_s: float, skew: float = 1.0) -> datetime:
        """A moment in the last `max_age_s` seconds, at a plausible hour of the day (UTC-5)."""
        age = max_age_s * rng.random() ** skew
        moment = now - timedelta(seconds=age)
        hour = hours[rng.randrange(len(hours))]
        return moment.replace(hour=(hour + 5) % 24, minute=rng.randrange(60))

    def mention_row(e, channel, author, text_label, created, *, case=None, thread=None,
                    pqrsd="none", urgency="normal"):
        nonlocal mention_id
        mention_id += 1
        text = texts[text_label][rng.randrange(TEXTS_PER_LABEL)]
        sentiment = {"complaint": -0.3 - 0.6 * rng.random(), "praise": 0.4 + 0.5 * rng.random()
                     }.get(text_label, -0.2 + 0.5 * rng.random())
        ext = f"b{mention_id}"
        mentions.add([mention_id, e.pk, channel.pk, channel.platform, ext, author, text,
                      f"https://redes.example/{channel.platform}/{ext}", created,
                      created + timedelta(seconds=rng.randint(2, 90)), thread or f"m{mention_id}",
                      "poll" if rng.random() < 0.7 else "webhook",
                      '{"id": "' + ext + '", "bench": true}', text_label, pqrsd, urgency,
                      round(sentiment, 3), round(0.55 + 0.4 * rng.random(), 3), case])

    with transaction.atomic(), connection.cursor() as cursor:
        for index, (e, e_mentions, e_open, e_closed) in enumerate(zip(
                entities, _split(n_mentions, weights), _split(n_open, weights),
                _split(n_closed, weights), strict=True)):
            e_channels = [c for c in channels if c.entity_id == e.pk]
            by_platform = {c.platform: c for c in e_channels}
            pools = {}
            for p, w in PLATFORMS:
                size = max(20, e_mentions * w // 100 // 6)
                pools[p] = (author_id + 1, size)
                for k in range(size):
                    author_id += 1
                    seen = now - timedelta(days=rng.randint(0, 365))
                    authors.add([author_id, e.pk, p, f"{p}-{e.pk}-{k}", f"vecino_{e.pk}_{k}",
                                 f"Vecino {k} de {rng.choice(BARRIOS)}",
                                 int(rng.paretovariate(1.2) * 50), seen, seen])
            authors.flush(cursor)

            def author_of(p, pools=pools):
                first, size = pools[p]
                return first + int(size * rng.random() ** 2.5)  # a few citizens write a lot

            written = 0
            for n_cases, active in ((e_open, True), (e_closed, False)):
                for _ in range(n_cases):
                    case_id += 1
                    p = rng.choices(platform_names, platform_weights)[0]
                    channel = by_platform[p]
                    author = author_of(p)
                    category = "complaint" if rng.random() < 0.6 else "question"
                    pqrsd = rng.choices(["none", "queja", "peticion", "reclamo", "denuncia"],
                                        [50, 20, 15, 10, 5])[0]
                    urgency = rng.choices(["high", "normal", "low"], [15, 70, 15])[0]
                    if active:
                        opened = when(30 * 86400, skew=2.0)
                        status = rng.choices(["open", "in_progress", "pending_approval",
                                              "answered"], [60, 20, 5, 15])[0]
                    else:
                        opened = when(year)
                        status = "closed"
                    due = opened + timedelta(hours={"high": 2, "normal": 8, "low": 24}[urgency])
                    legal = (opened + timedelta(days=15)).date() if pqrsd != "none" else None
                    assignee = claimed = None
                    if index == 0 and status in ("in_progress", "pending_approval"):
                        assignee = rng.choice(assignees)
                        claimed = opened + timedelta(minutes=rng.randint(1, 120))
                    answered = status in ("answered", "closed")
                    first_response = (opened + timedelta(minutes=rng.randint(5, 3000))
                                      if answered else None)
                    closed = (opened + timedelta(days=rng.randint(1, 20))
                              if status == "closed" else None)
                    thread = f"t{case_id}"
                    cases.add([case_id, e.pk, channel.pk, author, p, thread, status, category,
                               pqrsd, urgency, due, legal, assignee, claimed, opened,
                               first_response or opened, first_response, closed])
                    k = 1 + (rng.random() < 0.4) + (rng.random() < 0.15)
                    for j in range(k):
                        label = category if j == 0 else rng.choice([category, "other"])
                        mention_row(e, channel, author, label,
                                    opened + timedelta(minutes=30 * j), case=case_id,
                                    thread=thread, pqrsd=pqrsd if j == 0 else "none",
                                    urgency=urgency)
                        written += 1
                    if mentions.rows >= 50_000:
                        cases.flush(cursor)
                        mentions.flush(cursor)
            cases.flush(cursor)
            for _ in range(max(0, e_mentions - written)):
                p = rng.choices(platform_names, platform_weights)[0]
                label = rng.choices(["complaint", "question", "praise", "other"],
                                    [20, 15, 20, 45])[0]
                mention_row(e, by_platform[p], author_of(p), label, when(year, skew=0.8))
                if mentions.rows >= 50_000:
                    mentions.flush(cursor)
            mentions.flush(cursor)
            log(f"dataset: entity {index + 1}/{ENTITIES} written "
                f"({mention_id:,} mentions, {case_id:,} cases so far, "
                f"{time.perf_counter() - started:.0f} s)")
        for model in (Author, Case, Mention):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"(SELECT max(id) FROM {table}))")
    copied = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"dataset: {mention_id:,} mentions and {case_id:,} cases copied in {copied:.0f} s; "
        "building the daily rollups")
    rollup_started = time.perf_counter()
    _rollups(entities, now)
    log(f"dataset: rollups built in {time.perf_counter() - rollup_started:.0f} s")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(MARKER_DDL)
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute("INSERT INTO bench_dataset VALUES (%s, %s, %s, now(), %s)",
                       [scale, mention_id, n_open, seconds])
    return Dataset(scale=scale, mentions=mention_id, open_cases=n_open, seconds=seconds,
                   reused=False)


def _rollups(entities, now) -> None:
    """The dashboard's daily rollups for the year, as the nightly rebuild task writes them."""
    try:
        from monitoring import rollups
    except ImportError:  # the dashboard reads the raw mentions when rollups are absent
        return
    from django.utils import timezone

    today = timezone.localdate(now)
    for e in entities:
        rollups.rollup_recompute_range(entity_id=e.pk, start=today - timedelta(days=366),
                                       end=today)


def bench_users():
    """(community manager, communications officer, entity) of the largest entity."""
    from strategy.models import Entity, User

    return (User.objects.get(email="gestor@bench.invalid"),
            User.objects.get(email="comunicaciones@bench.invalid"),
            Entity.objects.get(slug="bench-1"))
