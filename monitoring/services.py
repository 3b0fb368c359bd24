"""Writes of the mention pipeline: ingestion, the queue, polling, webhooks, corrections.

Views, the API, admin actions and Celery tasks call these; nothing else writes these models.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import random
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels_app.choices import CONNECTED_PLATFORMS, ChannelStatus
from channels_app.models import Channel
from strategy.choices import Role
from strategy.integration_models import WebhookEvent
from strategy.integrations import webhook_emit_many
from strategy.models import AuditEvent, Entity
from strategy.services import audit_record

from . import deadlines
from .choices import (
    ACTIVE_CASE_STATUSES,
    QUEUED_CATEGORIES,
    URGENCY_RANK,
    CaseStatus,
    Category,
    DeliveryStatus,
    MentionSource,
    PollKind,
    PqrsdType,
    Urgency,
    WebhookSource,
)
from .events import case_webhook_payload
from .models import (
    Author,
    Case,
    ClassificationCorrection,
    ListeningQuery,
    Mention,
    PollState,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)

# Poll intervals of new schedules (editable afterwards in Django admin, Periodic tasks).
# One minute for a channel's own mentions: what citizens write must reach the inbox quickly,
# and X's mention timeline allows 450 calls per 15 minutes (one a minute is far below).
# Five minutes for listening queries: search quotas are smaller and nothing waits on them.
CHANNEL_POLL_SECONDS = getattr(settings, "MONITORING_CHANNEL_POLL_SECONDS", 60)
LISTENING_POLL_SECONDS = getattr(settings, "MONITORING_LISTENING_POLL_SECONDS", 300)
# A poll holds its source this long at most (above the task's hard time limit of 300 s).
POLL_LEASE = timedelta(seconds=330)
MAX_BACKOFF = timedelta(hours=1)
# Mentions are written in chunks of this size (one INSERT per chunk).
INGEST_CHUNK = 500

# Troll and fake-account heuristics: flags for a person to judge, never a reason to drop.
NEW_ACCOUNT_DAYS = 30
FLOOD_MENTIONS_PER_HOUR = 8
INSULT_MENTIONS_FOR_TROLL = 2
_INSULTS = re.compile(
    r"\b(idiotas?|imbeciles?|imbéciles?|estupid[oa]s?|estúpid[oa]s?|malparid[oa]s?|"
    r"gonorreas?|hijueputas?|hp|hdp|perr[oa]s hijueputas|payasos?|lambones?|"
    r"bruto?s?|inutiles|inútiles|mamertos?|parásitos|parasitos)\b",
    re.IGNORECASE,
)
_GENERATED_HANDLE = re.compile(r"^[a-z_]+\d{6,}$", re.IGNORECASE)


# --------------------------------------------------------------------------- ingestion
#
# Two stages (issue 10). Stage 1, ingestion (`mentions_store`, what polls and webhooks run):
# normalise, deduplicate, upsert authors, link threads and INSERT the mentions awaiting
# triage, in the caller's transaction; after the commit a `triage_mentions` task goes to the
# ingest queue. Stage 2, triage (`mentions_triage`): classify, flag authors, open or join
# cases and write each mention's classification and case back in one UPDATE per page.
# `mention_ingest_batch` runs both in one call, for callers that want the old synchronous
# behaviour; both stages are the same code either way.

# Mentions per triage task and per page of the sweeper: one classification pass, one
# UPDATE and the queue's fixed set of statements for each.
TRIAGE_PAGE = 500
# A mention awaiting triage this long lost its task (the enqueue failed after the commit, or
# the worker died): the sweeper triages it. Triage normally follows within a second.
TRIAGE_STRANDED_AFTER = timedelta(minutes=2)
# At most this many stranded mentions per sweep (a few seconds of work); the next sweep,
# a minute later, takes the rest.
TRIAGE_SWEEP_LIMIT = 5000


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    cases_opened: int = 0
    cases_joined: int = 0
    mention_ids: list[int] = field(default_factory=list)
    # The created mentions that await triage (all but the entity's own posts).
    triage_ids: list[int] = field(default_factory=list)

    def merge(self, other: IngestResult) -> None:
        self.created += other.created
        self.duplicates += other.duplicates
        self.cases_opened += other.cases_opened
        self.cases_joined += other.cases_joined
        self.mention_ids.extend(other.mention_ids)
        self.triage_ids.extend(other.triage_ids)


@dataclass
class TriageResult:
    triaged: int = 0
    cases_opened: int = 0
    cases_joined: int = 0

    def merge(self, other: TriageResult) -> None:
        self.triaged += other.triaged
        self.cases_opened += other.cases_opened
        self.cases_joined += other.cases_joined


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


def _classify_texts(texts: list[str], platform: str) -> list:
    """The classifier (monitoring.classifier, vectorised). Kept apart so tests can pin labels."""
    from monitoring.classifier import classify_batch

    return classify_batch(texts, platform=platform)


def _is_own(item, channel: Channel | None) -> bool:
    if channel is None:
        return False
    if channel.account_id and item.author.external_id == channel.account_id:
        return True
    handle = (item.author.handle or "").lstrip("@").lower()
    return bool(handle) and handle == channel.handle.lstrip("@").lower()


def _author_key(item) -> str:
    """The author's id on the network; a handle stands in when a payload omits the id."""
    author = item.author
    return (author.external_id or (f"@{author.handle}" if author.handle else "unknown"))[:200]


# What a network tells about an author, refreshed on every delivery that carries it.
AUTHOR_FIELDS = ("handle", "name", "followers", "account_created_at", "profile_url")


def _author_values(data) -> dict:
    return {
        "handle": (data.handle or "")[:200], "name": (data.name or "")[:300],
        "followers": data.followers if data.followers is None or data.followers >= 0
        else None,
        "account_created_at": _aware(data.account_created_at)
        if data.account_created_at else None,
        "profile_url": (data.profile_url or "")[:500],
    }


def _upsert_authors(entity, platform: str, items) -> dict[str, int]:
    """Create or refresh the authors of a batch in up to three queries; external_id → pk.

    Reads plain tuples, not model instances: most authors of a page are known and unchanged.
    """
    now = timezone.now()
    latest = {_author_key(item): item.author for item in items}
    existing = {row[0]: row for row in Author.objects.filter(
        entity=entity, platform=platform, external_id__in=list(latest),
    ).values_list("external_id", "pk", *AUTHOR_FIELDS, "last_seen_at")}
    to_create, to_update = [], []
    for external_id, data in latest.items():
        values = _author_values(data)
        row = existing.get(external_id)
        if row is None:
            to_create.append(Author(entity=entity, platform=platform, external_id=external_id,
                                    first_seen_at=now, last_seen_at=now, **values))
            continue
        known = dict(zip(AUTHOR_FIELDS, row[2:-1], strict=True))
        # Keep what we know when this delivery omits it (webhooks carry less than polls).
        news = {key: value for key, value in values.items() if value not in ("", None)}
        changed = any(known[key] != value for key, value in news.items())
        # last_seen_at is refreshed at most every ten minutes unless something changed:
        # a busy author does not cost an UPDATE per batch.
        if changed or (now - row[-1]) > timedelta(minutes=10):
            to_update.append(Author(pk=row[1], last_seen_at=now, **{**known, **news}))
    if to_update:
        _update_each(Author, to_update, [*AUTHOR_FIELDS, "last_seen_at"])
    ids = {external_id: row[1] for external_id, row in existing.items()}
    if to_create:
        # ON CONFLICT DO UPDATE returns the id of an author another worker created meanwhile
        # too (DO NOTHING would return none): one statement, no reload. (Measured: no slower
        # than a plain INSERT inside a savepoint.)
        Author.objects.bulk_create(to_create, update_conflicts=True,
                                   unique_fields=["entity", "platform", "external_id"],
                                   update_fields=["last_seen_at"])
        ids.update((a.external_id, a.pk) for a in to_create)
    return ids


def _update_each(model, rows: list, fields: list[str]) -> None:
    """UPDATE many rows, each with its own values, in one statement per batch.

    Django's bulk_update builds a CASE WHEN expression per row and field in Python: for a
    page of triaged mentions that cost more than classifying them (cProfile, 3,000 mentions:
    8.2 of 13.5 s). Here the values travel as a VALUES list joined on the primary key
    (PostgreSQL; SQLite since 3.33). PostgreSQL needs the VALUES typed (a NULL or a JSON text
    has no type of its own) except text, which it assigns to any character column, checking
    its length (a cast to varchar(n) would cut it silently); SQLite takes them as they are
    (its CAST would mangle dates).
    """
    if not rows:
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    names = [quote(f.column) for f in columns]
    if connection.vendor == "postgresql":
        row_sql = "(" + ", ".join(_typed_placeholder(f) for f in columns) + ")"
    else:
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    table = quote(meta.db_table)
    assignments = ", ".join(f"{n} = v.{n}" for n in names[1:])
    batch = max(1, (connection.features.max_query_params or 30_000) // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            params = [f.get_db_prep_save(getattr(row, f.attname), connection)
                      for row in chunk for f in columns]
            # Only quoted model names and placeholders are formatted in; values are params.
            values = ", ".join([row_sql] * len(chunk))
            sql = (f"WITH v ({', '.join(names)}) AS (VALUES {values}) "  # noqa: S608
                   f"UPDATE {table} SET {assignments} FROM v "
                   f"WHERE {table}.{names[0]} = v.{names[0]}")
            cursor.execute(sql, params)


def _typed_placeholder(field) -> str:
    if isinstance(field, models.CharField | models.TextField):
        return "%s"
    db_type = field.rel_db_type(connection) if field.primary_key else field.db_type(connection)
    return f"CAST(%s AS {db_type})"


def _thread_key(item, parents: dict[str, str]) -> str:
    if item.thread_external_id:
        return item.thread_external_id[:300]
    if item.in_reply_to_external_id:
        return parents.get(item.in_reply_to_external_id, item.in_reply_to_external_id)[:300]
    return item.external_id[:300]


def _strip_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    return value


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


_NUL_ITEM_FIELDS = ("external_id", "text", "url", "in_reply_to_external_id",
                    "thread_external_id")
_NUL_AUTHOR_FIELDS = ("external_id", "handle", "name", "profile_url")


def _without_nul(item):
    """PostgreSQL refuses U+0000 in text and jsonb: one such character from a network would
    fail the whole batch on every retry (a poison page). Drop it; keep everything else."""
    if not dataclasses.is_dataclass(item):
        return item
    author = item.author
    # Almost no item has one: look before copying (ingestion is timed per mention).
    if not _has_nul([item.raw, *(getattr(item, f) for f in _NUL_ITEM_FIELDS),
                     *(getattr(author, f, "") for f in _NUL_AUTHOR_FIELDS)]):
        return item
    if dataclasses.is_dataclass(author):
        author = dataclasses.replace(author, **{
            f: _strip_nul(getattr(author, f)) for f in _NUL_AUTHOR_FIELDS})
    return dataclasses.replace(item, author=author, raw=_strip_nul(item.raw), **{
        f: _strip_nul(getattr(item, f)) for f in _NUL_ITEM_FIELDS})


def mention_ingest_batch(*, entity, mentions: Sequence, source: str,
                         channel: Channel | None = None,
                         listening_query: ListeningQuery | None = None) -> IngestResult:
    """Both stages in one call: store the batch, then triage what was stored.

    For callers that want every mention classified and queued when the call returns (tests,
    benchmarks, a shell). Polls and webhooks call `mentions_store` and leave the triage to a
    task. Idempotent like each stage; runs in the caller's transaction when there is one.
    """
    with transaction.atomic(savepoint=False):
        result = _store(entity=entity, mentions=mentions, source=source, channel=channel,
                        listening_query=listening_query)
        triage = _triage(result.triage_ids)
    result.cases_opened, result.cases_joined = triage.cases_opened, triage.cases_joined
    return result


def mentions_store(*, entity, mentions: Sequence, source: str, channel: Channel | None = None,
                   listening_query: ListeningQuery | None = None) -> IngestResult:
    """Stage 1, ingestion: normalise, deduplicate and store a batch awaiting triage.

    Idempotent: mentions already stored for the entity are skipped (unique constraint on
    (entity, platform, external_id)), so a repeated page or delivery changes nothing.
    Runs in the caller's transaction when there is one (the poller advances its cursor in
    the same transaction). After the commit, `tasks.triage_mentions` is enqueued for the new
    mentions; if that enqueue is lost the sweeper triages them (TRIAGE_STRANDED_AFTER).
    """
    # No savepoint of its own inside the caller's transaction: a failure fails the caller's.
    with transaction.atomic(savepoint=False):
        result = _store(entity=entity, mentions=mentions, source=source, channel=channel,
                        listening_query=listening_query)
        _triage_after_commit(result.triage_ids)
    return result


def _triage_after_commit(mention_ids: list[int]) -> None:
    from . import tasks

    for start in range(0, len(mention_ids), TRIAGE_PAGE):
        page = mention_ids[start:start + TRIAGE_PAGE]
        # robust: the mentions are committed whatever happens here; a broker that refuses
        # the task must not turn a successful poll into a failed one (the sweeper catches up).
        transaction.on_commit(lambda page=page: tasks.triage_mentions.delay(page), robust=True)


def _store(*, entity, mentions: Sequence, source: str, channel: Channel | None,
           listening_query: ListeningQuery | None) -> IngestResult:
    result = IngestResult()
    by_platform: dict[str, dict[str, object]] = defaultdict(dict)
    for item in map(_without_nul, mentions):
        if not item.external_id:
            continue
        if item.external_id in by_platform[item.platform]:
            result.duplicates += 1
            continue
        by_platform[item.platform][item.external_id] = item
    for platform, items in by_platform.items():
        ordered = list(items.values())
        for start in range(0, len(ordered), INGEST_CHUNK):
            result.merge(_store_chunk(entity=entity, platform=platform,
                                      items=ordered[start:start + INGEST_CHUNK],
                                      source=source, channel=channel,
                                      listening_query=listening_query))
    return result


def _store_chunk(*, entity, platform, items, source, channel, listening_query) -> IngestResult:
    result = IngestResult()
    # One lookup for the page's ids (already stored: skip them) and its reply targets
    # (stored parents: their id and thread).
    reply_targets = {i.in_reply_to_external_id for i in items if i.in_reply_to_external_id}
    stored = {ext: (pk, thread) for ext, pk, thread in Mention.objects.filter(
        entity=entity, platform=platform,
        external_id__in=[i.external_id for i in items] + list(reply_targets),
    ).order_by().values_list("external_id", "pk", "thread_key")}
    fresh = [i for i in items if i.external_id not in stored]
    result.duplicates += len(items) - len(fresh)
    if not fresh:
        return result
    authors = _upsert_authors(entity, platform, fresh)
    # Thread of each stored parent, then of each new mention in order (a reply delivered
    # with its parent follows the parent's thread).
    threads = {ext: thread for ext, (_pk, thread) in stored.items()}
    for item in fresh:
        threads[item.external_id] = _thread_key(item, threads)

    now = timezone.now()
    rows = []
    for item in fresh:
        is_own = _is_own(item, channel)
        reply_to = (item.in_reply_to_external_id or "")[:200]
        rows.append(Mention(
            entity_id=entity.pk, channel_id=channel.pk if channel else None,
            listening_query_id=listening_query.pk if listening_query else None,
            platform=platform, external_id=item.external_id[:200],
            author_id=authors[_author_key(item)], text=item.text or "",
            url=(item.url or "")[:500], created_at=_aware(item.created_at), received_at=now,
            in_reply_to_external_id=reply_to,
            in_reply_to_id=stored[reply_to][0] if reply_to in stored else None,
            thread_key=threads[item.external_id], source=source, is_own=is_own,
            raw=item.raw if isinstance(item.raw, dict) else {},
            # The entity's own posts are kept for the thread, never classified or queued.
            label=Category.OTHER if is_own else "", needs_triage=not is_own,
        ))
    created = _insert_mentions(rows)
    # Replies whose parent came in this same batch get their link now that it has an id.
    by_external = {m.external_id: m.pk for m in created}
    linked = []
    for m in created:
        parent = by_external.get(m.in_reply_to_external_id)
        if m.in_reply_to_id is None and parent and parent != m.pk:
            m.in_reply_to_id = parent
            linked.append(m)
    _update_each(Mention, linked, ["in_reply_to"])
    result.mention_ids = [m.pk for m in created]
    result.triage_ids = [m.pk for m in created if m.needs_triage]
    result.created = len(created)
    result.duplicates += len(rows) - len(created)
    return result


def _insert_returning_ids(model, rows: list) -> bool:
    """INSERT rows in one statement that returns their ids; False if one broke a unique
    constraint (nothing inserted then). Cheaper than ON CONFLICT DO NOTHING, which returns no
    ids and needs a reload, when conflicts are rare races between workers."""
    try:
        with transaction.atomic():
            model.objects.bulk_create(rows)
    except IntegrityError:
        return False
    return True


def _insert_mentions(rows: list[Mention]) -> list[Mention]:
    """INSERT new mentions, returning the ones stored (with their ids).

    The page's ids were looked up just before, so a conflict means another worker stored
    some of them meanwhile (a webhook and a poll delivering the same comment). Then insert
    again skipping conflicts: a row another worker stored first stays theirs (and so does
    its triage); ours are the rows whose public_id we generated.
    """
    if _insert_returning_ids(Mention, rows):
        return rows
    Mention.objects.bulk_create(rows, ignore_conflicts=True)
    ids = dict(Mention.objects.filter(public_id__in=[r.public_id for r in rows])
               .values_list("public_id", "pk"))
    created = []
    for row in rows:
        if row.public_id in ids:
            row.pk = ids[row.public_id]
            created.append(row)
    return created


@transaction.atomic
def mentions_triage(*, mention_ids: Iterable[int]) -> TriageResult:
    """Stage 2, triage: classify stored mentions, flag their authors, open or join cases.

    Idempotent and safe with several workers on the same ids: only rows still awaiting
    triage are taken, locked with SKIP LOCKED (a row another worker holds is theirs), and
    each page is written back (classification, reasons, case, needs_triage = false) in one
    UPDATE, all in one transaction: a worker killed half-way leaves its rows awaiting triage
    for the next task or the sweeper. Cases open exactly as the pipeline always opened them
    (audit rows, `case.opened` webhooks, reopened cases).
    """
    return _triage(mention_ids)


def _triage(mention_ids: Iterable[int]) -> TriageResult:
    """`mentions_triage` in the caller's transaction (which must be one)."""
    result = TriageResult()
    ids = sorted(set(mention_ids))
    for start in range(0, len(ids), TRIAGE_PAGE):
        result.merge(_triage_page(ids[start:start + TRIAGE_PAGE]))
    return result


def _triage_page(ids: list[int]) -> TriageResult:
    result = TriageResult()
    # of=("self",): lock the mentions only, not their authors (another page may be triaging
    # another mention of the same author; skipping it would strand that mention).
    rows = list(Mention.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids, needs_triage=True).select_related("author")
                .defer("raw").order_by("pk"))
    if not rows:
        return result
    # One instance per author for the whole page, so that flags set for one mention are seen
    # by the author's other mentions (select_related builds one per row).
    authors: dict[int, Author] = {}
    for m in rows:
        m.author = authors.setdefault(m.author_id, m.author)
    _classify_rows(rows)
    entities = Entity.objects.in_bulk({m.entity_id for m in rows})
    channels = Channel.objects.in_bulk({m.channel_id for m in rows if m.channel_id})
    groups: dict[tuple[int, int | None], list[Mention]] = defaultdict(list)
    for m in rows:
        groups[(m.entity_id, m.channel_id)].append(m)
    for (entity_id, channel_id), group in groups.items():
        entity = entities[entity_id]
        flagged = _flag_authors(group)
        opened, joined = _queue(entity=entity, channel=channels.get(channel_id),
                                mentions=group, flagged=flagged)
        result.cases_opened += opened
        result.cases_joined += joined
    for m in rows:
        m.needs_triage = False
    _update_each(Mention, rows, TRIAGE_FIELDS)
    result.triaged = len(rows)
    return result


# What triage writes on each mention, in its one UPDATE per page.
TRIAGE_FIELDS = ["label", "pqrsd_type", "urgency", "sentiment", "confidence", "reasons", "case",
                 "needs_triage"]


def _classify_rows(rows: list[Mention]) -> None:
    by_platform: dict[str, list[Mention]] = defaultdict(list)
    for m in rows:
        by_platform[m.platform].append(m)
    for platform, group in by_platform.items():
        found = _classify_texts([m.text or "" for m in group], platform)
        for m, c in zip(group, found, strict=True):
            m.label = c.label
            m.pqrsd_type = c.pqrsd if c.pqrsd in PqrsdType.values else PqrsdType.NONE
            m.urgency = c.urgency if c.urgency in Urgency.values else Urgency.NORMAL
            m.sentiment = max(-1.0, min(1.0, float(c.sentiment)))
            m.confidence = max(0.0, min(1.0, float(c.confidence)))
            m.reasons = [str(r) for r in c.reasons]


def mentions_triage_stranded(*, older_than: timedelta = TRIAGE_STRANDED_AFTER,
                             limit: int = TRIAGE_SWEEP_LIMIT) -> int:
    """Triage mentions still awaiting it after `older_than`, oldest first, a page at a time.

    Their task was lost: the enqueue failed after the commit (broker down) or the worker died
    mid-triage (or their triage failed: it is retried here every sweep, and logged). Each
    page is its own transaction. Returns how many were triaged.
    """
    cutoff = timezone.now() - older_than
    done, failed = 0, set()
    while done < limit:
        ids = list(Mention.objects.filter(needs_triage=True, received_at__lt=cutoff)
                   .exclude(pk__in=failed).order_by("received_at")
                   .values_list("pk", flat=True)[:TRIAGE_PAGE])
        if not ids:
            break
        try:
            triaged = mentions_triage(mention_ids=ids).triaged
        except Exception:
            # One mention that always fails (a "poison" row) must not hold back every
            # stranded mention behind it: take this page one mention at a time.
            logger.exception("Triage of %d stranded mentions failed; one at a time", len(ids))
            triaged = 0
            for mention_id in ids:
                try:
                    triaged += mentions_triage(mention_ids=[mention_id]).triaged
                except Exception:
                    logger.exception("Triage of mention %s failed", mention_id)
                    failed.add(mention_id)
        if not triaged:
            break  # every one is locked by a live worker triaging it right now, or failed
        done += triaged
    return done


def _flag_authors(mentions: list[Mention]) -> set[int]:
    """Flag suspected trolls and fake accounts (with readable reasons). Returns flagged ids."""
    if not mentions:
        return set()
    now = timezone.now()
    authors = {m.author_id: m.author for m in mentions}
    insults = defaultdict(int)
    for m in mentions:
        if _INSULTS.search(m.text or ""):
            insults[m.author_id] += 1
    # Only authors not yet flagged as trolls are counted (the flag stays once set), by
    # author alone: an author belongs to one entity, and the entity's index would read all
    # its mentions of the last hour for every page (30 ms a page on a busy entity, against
    # 0.3 ms through the author index; bench/memory.py).
    open_authors = [a for a, author in authors.items() if not author.is_suspected_troll]
    # Stage 1 stored these mentions already: the table's count includes them.
    recent = defaultdict(int, Mention.objects.filter(
        author_id__in=open_authors, received_at__gte=now - timedelta(hours=1),
    ).values_list("author_id").annotate(n=Count("pk")).values_list("author_id", "n")
    ) if open_authors else defaultdict(int)
    past_insults = defaultdict(int)
    insult_authors = [a for a in open_authors if insults[a]]
    if insult_authors:
        for author_id, text in Mention.objects.filter(author_id__in=insult_authors).exclude(
                pk__in=[m.pk for m in mentions]).values_list("author_id", "text")[:2000]:
            if _INSULTS.search(text or ""):
                past_insults[author_id] += 1
    changed = []
    for author_id, author in authors.items():
        reasons = list(author.flag_reasons or [])
        troll, fake = author.is_suspected_troll, author.is_suspected_fake
        if not fake and author.account_created_at and (
                now - author.account_created_at) < timedelta(days=NEW_ACCOUNT_DAYS):
            fake = True
            reasons.append(_("Account created less than %(days)d days ago.")
                           % {"days": NEW_ACCOUNT_DAYS})
        if not fake and author.followers == 0 and _GENERATED_HANDLE.match(author.handle or ""):
            fake = True
            reasons.append(_("No followers and a handle that looks generated."))
        if not troll and insults[author_id] + past_insults[author_id] >= INSULT_MENTIONS_FOR_TROLL:
            troll = True
            reasons.append(_("Insults in %(count)d messages.")
                           % {"count": insults[author_id] + past_insults[author_id]})
        if not troll and recent.get(author_id, 0) >= FLOOD_MENTIONS_PER_HOUR:
            troll = True
            reasons.append(_("%(count)d messages in the last hour.")
                           % {"count": recent[author_id]})
        if (troll, fake) != (author.is_suspected_troll, author.is_suspected_fake):
            author.is_suspected_troll, author.is_suspected_fake = troll, fake
            author.flag_reasons = reasons
            changed.append(author)
    if changed:
        _update_each(Author, _with_stored_flags(changed), ["is_suspected_troll",
                                                           "is_suspected_fake", "flag_reasons"])
    return {a.pk for a in authors.values() if a.is_flagged}


def _with_stored_flags(changed: list[Author]) -> list[Author]:
    """Merge what another triage worker flagged since these authors were read.

    Two pages of the same author can be triaged at once; writing the flags as read would undo
    the other worker's (a fake account flag lost to a troll flag). The rows are locked in id
    order (no deadlock between two workers) and flags only accumulate here.
    """
    stored = {pk: (troll, fake, reasons) for pk, troll, fake, reasons in
              Author.objects.select_for_update().filter(pk__in=[a.pk for a in changed])
              .order_by("pk").values_list("pk", "is_suspected_troll", "is_suspected_fake",
                                          "flag_reasons")}
    for author in changed:
        troll, fake, reasons = stored[author.pk]
        author.is_suspected_troll = author.is_suspected_troll or troll
        author.is_suspected_fake = author.is_suspected_fake or fake
        author.flag_reasons = [*reasons, *(r for r in author.flag_reasons if r not in reasons)]
    return changed


def _max_urgency(a: str, b: str) -> str:
    return a if URGENCY_RANK.get(a, 1) <= URGENCY_RANK.get(b, 1) else b


def _queue(*, entity, channel, mentions: list[Mention], flagged: set[int]) -> tuple[int, int]:
    """Complaints and questions open a case or join the active one of the same author+thread.

    Other mentions (thanks, follow-ups) join an active case of their author and thread but
    never open one. Sets their `case` (the triage's UPDATE writes it). Batched: one
    query finds the active cases, one INSERT opens the new ones (if another worker opened
    one of them meanwhile, the one-active-case constraint refuses it: the others are
    inserted again with ON CONFLICT DO NOTHING and that one is joined), one INSERT writes
    their audit rows.
    """
    groups: dict[tuple[int, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[(m.author_id, m.thread_key)].append(m)
    if not groups:
        return 0, 0
    protocol = deadlines.ProtocolContext(entity)

    def active_cases(keys) -> dict[tuple[int, str], Case]:
        found = Case.objects.select_for_update().filter(
            entity=entity, status__in=ACTIVE_CASE_STATUSES,
            author_id__in={k[0] for k in keys}, thread_key__in={k[1] for k in keys})
        return {(c.author_id, c.thread_key): c for c in found if (c.author_id, c.thread_key)
                in keys}

    active = active_cases(set(groups))
    active.update(_reopen_recently_closed(
        entity, {key for key, group in groups.items() if key not in active
                 and any(m.label in QUEUED_CATEGORIES for m in group)}))
    to_open: dict[tuple[int, str], tuple[Case, dict]] = {}
    for key, group in groups.items():
        queued = [m for m in group if m.label in QUEUED_CATEGORIES]
        if key not in active and queued:
            to_open[key] = _case_build(entity=entity, channel=channel, mentions=queued,
                                       flagged=key[0] in flagged, protocol=protocol)
    opened_cases: dict[tuple[int, str], Case] = {}
    if to_open:
        built = {key: case for key, (case, _after) in to_open.items()}
        if _insert_returning_ids(Case, list(built.values())):
            opened_cases = built
        else:
            # Another worker opened a case for one of these meanwhile: open the others
            # (ON CONFLICT DO NOTHING on the one-active-case constraint) and join theirs.
            Case.objects.bulk_create(list(built.values()), ignore_conflicts=True)
            ours = {case.public_id for case in built.values()}
            for key, case in active_cases(set(to_open)).items():
                if case.public_id in ours:
                    opened_cases[key] = case
                else:
                    active[key] = case  # lost the race: join the winner's case
        AuditEvent.objects.bulk_create([
            AuditEvent(entity=entity, actor=None, action="case.open",
                       object_type=Case._meta.label_lower, object_id=str(built.public_id),
                       object_repr=str(built)[:300], after=after)
            for key, (built, after) in to_open.items() if key in opened_cases])
        webhook_emit_many(entity=entity, event=WebhookEvent.CASE_OPENED,
                          payloads=(case_webhook_payload(c, entity=entity)
                                    for c in opened_cases.values()))
    # Escalation rules may name channels: the joined cases' channels, in one query.
    joining = {active[key].channel_id for key in groups
               if key not in opened_cases and key in active}
    channel_ids = dict(Channel.objects.filter(pk__in=joining - {None}).values_list(
        "pk", "public_id")) if joining - {None} else {}
    joined: list[Case] = []
    changed: set[str] = set()
    for key, group in groups.items():
        if key in opened_cases:
            case = opened_cases[key]
        elif key in active:
            case = active[key]
            public_id = channel_ids.get(case.channel_id)
            changed |= _case_join(
                case=case, mentions=[m for m in group if m.label in QUEUED_CATEGORIES],
                flagged=key[0] in flagged, protocol=protocol,
                channel_public_id=str(public_id) if public_id else None)
            joined.append(case)
        else:
            continue
        for m in group:
            m.case = case
    # Every joined case is locked (FOR UPDATE above, or by the reopening): writing the union
    # of the changed fields for all of them in one UPDATE overwrites nobody's change.
    _update_each(Case, joined, sorted(changed))
    return len(opened_cases), len(joined)


# A citizen who writes again in the thread of a case closed within this window gets the
# same case back (with its history) rather than a new one.
REOPEN_WINDOW = timedelta(days=30)


def _reopen_recently_closed(entity, keys) -> dict[tuple[int, str], Case]:
    """Reopen the latest case closed with a resolution for each (author, thread) key.

    Cases closed as spam, troll, merged or transferred stay closed: a troll writing again
    opens a new, flagged case instead of reviving the old one.
    """
    if not keys:
        return {}
    from .inbox_choices import OutcomeKind
    from .inbox_services import case_reopen_on_new_mention

    closed = (Case.objects.filter(
        entity=entity, status=CaseStatus.CLOSED,
        closed_at__gte=timezone.now() - REOPEN_WINDOW,
        author_id__in={k[0] for k in keys}, thread_key__in={k[1] for k in keys})
        .exclude(outcomes__kind__in=[OutcomeKind.SPAM, OutcomeKind.TROLL, OutcomeKind.MERGED,
                                     OutcomeKind.TRANSFERRED])
        .order_by("-closed_at"))
    reopened: dict[tuple[int, str], Case] = {}
    for case in closed:
        key = (case.author_id, case.thread_key)
        if key in keys and key not in reopened:
            reopened[key] = case_reopen_on_new_mention(case=case) or case
    return reopened


def _primary(mentions: list[Mention]) -> Mention:
    """The mention that sets a case's category: a complaint before a question, then urgency."""
    return sorted(mentions, key=lambda m: (m.label != Category.COMPLAINT,
                                           URGENCY_RANK.get(m.urgency, 1), m.created_at))[0]


def _escalation_for(protocol, channel_public_id: str | None, mention: Mention, category: str,
                    pqrsd: str, urgency: str) -> deadlines.Escalation:
    return protocol.escalate(
        text=mention.text, category=category, pqrsd_type=pqrsd, urgency=urgency,
        author_followers=mention.author.followers, platform=mention.platform,
        channel_public_id=channel_public_id)


def _case_build(*, entity, channel, mentions: list[Mention], flagged: bool,
                protocol) -> tuple[Case, dict]:
    """An unsaved case for these mentions, with deadlines and escalation; and its audit data."""
    primary = _primary(mentions)
    urgency = primary.urgency
    for m in mentions:
        urgency = _max_urgency(urgency, m.urgency)
    pqrsd = next((m.pqrsd_type for m in [primary, *mentions]
                  if m.pqrsd_type != PqrsdType.NONE), PqrsdType.NONE)
    received = min(m.received_at for m in mentions)
    category = primary.label
    escalation = deadlines.Escalation()
    for m in mentions:
        e = _escalation_for(protocol, str(channel.public_id) if channel else None, m,
                            category, pqrsd, urgency)
        escalation.matches.extend(x for x in e.matches if x not in escalation.matches)
        escalation.is_crisis_candidate |= e.is_crisis_candidate
        escalation.approval_role = escalation.approval_role or e.approval_role
    case = Case(
        entity=entity, channel=channel, author=primary.author, platform=primary.platform,
        thread_key=primary.thread_key, status=CaseStatus.OPEN, category=category,
        pqrsd_type=pqrsd, urgency=urgency,
        first_response_due=protocol.first_response_due(
            platform=primary.platform, category=category, urgency=urgency,
            received_at=received),
        legal_due=protocol.legal_due(pqrsd_type=pqrsd, received_at=received),
        escalation_matches=escalation.matches, approval_role=escalation.approval_role,
        is_crisis_candidate=escalation.is_crisis_candidate, author_flagged=flagged,
        opened_at=received, last_activity_at=received,
    )
    after = {
        "category": category, "pqrsd_type": pqrsd, "urgency": urgency,
        "first_response_due": case.first_response_due.isoformat(),
        "legal_due": case.legal_due.isoformat() if case.legal_due else None,
        "mentions": [m.external_id for m in mentions],
        "escalation_rules": [m.get("rule") for m in escalation.matches],
        "author_flagged": flagged,
    }
    return case, after


def _case_join(*, case: Case, mentions: list[Mention], flagged: bool, protocol,
               channel_public_id: str | None) -> set[str]:
    """Update a locked active case for mentions joining it; the fields changed (the caller
    writes every joined case of the page in one UPDATE)."""
    now = timezone.now()
    fields = {"last_activity_at", "author_flagged"}
    case.last_activity_at = now
    case.author_flagged = case.author_flagged or flagged
    if mentions:
        if case.status == CaseStatus.ANSWERED:
            # The citizen wrote again after our answer: the case needs attention again.
            case.status = CaseStatus.OPEN
            fields.add("status")
        if case.category != Category.COMPLAINT and any(
                m.label == Category.COMPLAINT for m in mentions):
            case.category = Category.COMPLAINT
            fields.add("category")
        urgency = case.urgency
        for m in mentions:
            urgency = _max_urgency(urgency, m.urgency)
        if urgency != case.urgency:
            case.urgency = urgency
            due = protocol.first_response_due(
                platform=case.platform, category=case.category, urgency=urgency,
                received_at=min(m.received_at for m in mentions))
            if case.first_response_at is None and due < case.first_response_due:
                case.first_response_due = due
                fields.add("first_response_due")
            fields.add("urgency")
        if case.pqrsd_type == PqrsdType.NONE:
            pqrsd = next((m.pqrsd_type for m in mentions if m.pqrsd_type != PqrsdType.NONE),
                         PqrsdType.NONE)
            if pqrsd != PqrsdType.NONE:
                case.pqrsd_type = pqrsd
                case.legal_due = protocol.legal_due(
                    pqrsd_type=pqrsd, received_at=min(m.received_at for m in mentions))
                fields |= {"pqrsd_type", "legal_due"}
        for m in mentions:
            e = _escalation_for(protocol, channel_public_id, m, case.category, case.pqrsd_type,
                                case.urgency)
            new = [x for x in e.matches if x not in case.escalation_matches]
            if new:
                case.escalation_matches = [*case.escalation_matches, *new]
                fields.add("escalation_matches")
            if e.is_crisis_candidate and not case.is_crisis_candidate:
                case.is_crisis_candidate = True
                fields.add("is_crisis_candidate")
            if e.approval_role and not case.approval_role:
                case.approval_role = e.approval_role
                fields.add("approval_role")
    return fields


# --------------------------------------------------------------------------- corrections


@transaction.atomic
def classification_correct(*, actor, mention: Mention, label: str,
                           pqrsd_type: str = PqrsdType.NONE,
                           urgency: str = Urgency.NORMAL) -> ClassificationCorrection:
    """A person corrects the classifier on a mention; the retrain task learns from it."""
    if label not in Category.values:
        raise ValueError(f"unknown label {label!r}")
    if pqrsd_type not in PqrsdType.values:
        raise ValueError(f"unknown PQRSD type {pqrsd_type!r}")
    if urgency not in Urgency.values:
        raise ValueError(f"unknown urgency {urgency!r}")
    previous = {"label": mention.label, "pqrsd_type": mention.pqrsd_type,
                "urgency": mention.urgency}
    correction = ClassificationCorrection.objects.create(
        entity=mention.entity, mention=mention, text=mention.text, label=label,
        pqrsd_type=pqrsd_type, urgency=urgency, previous=previous,
        corrected_by=actor if getattr(actor, "is_authenticated", False) else None)
    Mention.objects.filter(pk=mention.pk).update(label=label, pqrsd_type=pqrsd_type,
                                                 urgency=urgency)
    mention.label, mention.pqrsd_type, mention.urgency = label, pqrsd_type, urgency
    audit_record(entity=mention.entity, actor=actor, action="mention.classification_correct",
                 obj=mention, before=previous,
                 after={"label": label, "pqrsd_type": pqrsd_type, "urgency": urgency})
    return correction


# --------------------------------------------------------------------------- listening


def _clean_platforms(platforms) -> list[str]:
    from django.core.exceptions import ValidationError

    values = list(dict.fromkeys(str(p) for p in (platforms or [])))
    unknown = [p for p in values if p not in CONNECTED_PLATFORMS]
    if unknown:
        raise ValidationError(_("Unknown networks: %(names)s.") % {"names": ", ".join(unknown)})
    return values


@transaction.atomic
def listening_query_save(*, actor, entity, name: str, query: str, platforms=(),
                         active: bool = True,
                         listening_query: ListeningQuery | None = None) -> ListeningQuery:
    """Create or change a listening query and its beat schedule (audited)."""
    from django.core.exceptions import ValidationError

    name, query = (name or "").strip(), (query or "").strip()
    if not name or not query:
        raise ValidationError(_("A listening query needs a name and search terms."))
    platforms = _clean_platforms(platforms)
    clash = ListeningQuery.objects.filter(entity=entity, name__iexact=name)
    if listening_query is not None:
        clash = clash.exclude(pk=listening_query.pk)
    if clash.exists():
        raise ValidationError(_("There is already a listening query called %(name)s.")
                              % {"name": name})
    before = None
    if listening_query is None:
        listening_query = ListeningQuery(entity=entity)
    else:
        before = {"name": listening_query.name, "query": listening_query.query,
                  "platforms": listening_query.platforms, "active": listening_query.active}
    listening_query.name, listening_query.query = name, query
    listening_query.platforms, listening_query.active = platforms, active
    listening_query.full_clean()
    listening_query.save()
    audit_record(entity=entity, actor=actor,
                 action="listening_query.update" if before else "listening_query.create",
                 obj=listening_query, before=before,
                 after={"name": name, "query": query, "platforms": platforms, "active": active})
    poll_schedules_sync(entity=entity)
    return listening_query


@transaction.atomic
def listening_query_delete(*, actor, listening_query: ListeningQuery) -> None:
    from django_celery_beat.models import PeriodicTask

    entity = listening_query.entity
    audit_record(entity=entity, actor=actor, action="listening_query.delete",
                 obj=listening_query, before={"name": listening_query.name,
                                              "query": listening_query.query})
    PeriodicTask.objects.filter(name=listening_task_name(listening_query)).delete()
    listening_query.delete()


# --------------------------------------------------------------------------- schedules


POLL_CHANNEL_TASK = "monitoring.tasks.poll_channel"
POLL_LISTENING_TASK = "monitoring.tasks.poll_listening_query"


def channel_task_name(channel: Channel) -> str:
    return f"monitoring: poll channel {channel.public_id}"


def listening_task_name(query: ListeningQuery) -> str:
    return f"monitoring: listening query {query.public_id}"


def _pollable(channel: Channel) -> bool:
    return channel.platform in CONNECTED_PLATFORMS and channel.status == ChannelStatus.ACTIVE


def listening_channels(query: ListeningQuery):
    """The entity's active channels whose credentials run the query's searches."""
    qs = Channel.objects.filter(entity_id=query.entity_id, status=ChannelStatus.ACTIVE,
                                platform__in=CONNECTED_PLATFORMS)
    if query.platforms:
        qs = qs.filter(platform__in=list(query.platforms))
    # One channel per network is enough to search it.
    seen, result = set(), []
    for channel in qs.order_by("platform", "pk"):
        if channel.platform not in seen:
            seen.add(channel.platform)
            result.append(channel)
    return result


def poll_state_for(*, channel: Channel, listening_query: ListeningQuery | None = None
                   ) -> PollState:
    state, _created = PollState.objects.get_or_create(
        channel=channel, listening_query=listening_query,
        defaults={"entity_id": channel.entity_id,
                  "kind": PollKind.LISTENING if listening_query else PollKind.CHANNEL})
    return state


def _ensure_periodic_task(*, name: str, task: str, args: list, every: int, enabled: bool,
                          description: str) -> bool:
    """Create the beat row if missing; later only enable/disable it (admins edit intervals)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    existing = PeriodicTask.objects.filter(name=name).first()
    if existing is None:
        interval, _created = IntervalSchedule.objects.get_or_create(
            every=every, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(
            name=name, task=task, args=json.dumps(args), interval=interval, enabled=enabled,
            queue="ingest", description=description)
        return True
    if existing.enabled != enabled or existing.args != json.dumps(args):
        existing.enabled = enabled
        existing.args = json.dumps(args)
        existing.save(update_fields=["enabled", "args"])  # save() tells beat to reload
        return True
    return False


@dataclass
class SyncReport:
    changed: int = 0
    removed: int = 0


def poll_schedules_sync(*, entity=None) -> SyncReport:
    """Keep one beat schedule per connected channel and per listening query, and their states.

    Called by the reconcile task every few minutes, by the demo seeder, and by whoever saves a
    channel or a listening query. Idempotent.
    """
    from django_celery_beat.models import PeriodicTask

    report = SyncReport()
    channels = Channel.objects.filter(platform__in=CONNECTED_PLATFORMS)
    queries = ListeningQuery.objects.all()
    if entity is not None:
        channels, queries = channels.filter(entity=entity), queries.filter(entity=entity)
    keep = set()
    for channel in channels:
        name = channel_task_name(channel)
        keep.add(name)
        poll_state_for(channel=channel)
        report.changed += _ensure_periodic_task(
            name=name, task=POLL_CHANNEL_TASK, args=[channel.pk], every=CHANNEL_POLL_SECONDS,
            enabled=_pollable(channel),
            description=f"{channel.entity} · {channel}")
    for query in queries:
        name = listening_task_name(query)
        keep.add(name)
        for channel in listening_channels(query):
            poll_state_for(channel=channel, listening_query=query)
        report.changed += _ensure_periodic_task(
            name=name, task=POLL_LISTENING_TASK, args=[query.pk], every=LISTENING_POLL_SECONDS,
            enabled=query.active, description=f"{query.entity} · {query.name}")
    if entity is None:
        stale = PeriodicTask.objects.filter(
            task__in=[POLL_CHANNEL_TASK, POLL_LISTENING_TASK]).exclude(name__in=keep)
        for task in stale:
            task.delete()
            report.removed += 1
    return report


# --------------------------------------------------------------------------- polling


@dataclass
class PollOutcome:
    status: str  # "ok", "skipped", "rate_limited", "auth_error", "error"
    created: int = 0
    duplicates: int = 0
    error: str = ""


def _interval_for(state: PollState) -> timedelta:
    from django_celery_beat.models import PeriodicTask

    name = (listening_task_name(state.listening_query) if state.listening_query_id
            else channel_task_name(state.channel))
    task = PeriodicTask.objects.filter(name=name).select_related("interval").first()
    if task is not None and task.interval is not None:
        return task.interval.schedule.run_every
    return timedelta(seconds=LISTENING_POLL_SECONDS if state.listening_query_id
                     else CHANNEL_POLL_SECONDS)


def _backoff(failures: int) -> timedelta:
    base = min(timedelta(seconds=30) * (2 ** max(failures - 1, 0)), MAX_BACKOFF)
    return base * random.uniform(0.8, 1.2)  # noqa: S311  (jitter, not cryptography)


def poll_state_claim(state_id: int, *, now: datetime | None = None) -> str | None:
    """Take the source's lease if free and not paused; the token, or None if someone has it."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = PollState.objects.filter(pk=state_id).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        Q(not_before__isnull=True) | Q(not_before__lte=now),
    ).update(lease_until=now + POLL_LEASE, lease_token=token, last_attempt_at=now)
    return token if claimed == 1 else None


def _release(state_id: int, token: str, **values) -> None:
    PollState.objects.filter(pk=state_id, lease_token=token).update(
        lease_until=None, lease_token="", **values)


def _get_client(channel: Channel):
    from channels_app.platforms import get_client

    return get_client(channel)


def poll_source(*, poll_state_id: int) -> PollOutcome:
    """Poll one source once: claim it, fetch since the cursor, commit batch and cursor together.

    The network call happens outside any transaction; the mentions and the new cursor are
    written in one transaction, and only if this poller still holds the lease. The mentions
    are triaged (classified, queued) by the task enqueued when that transaction commits.
    """
    from channels_app.platforms.base import AuthError, PlatformError, RateLimited

    token = poll_state_claim(poll_state_id)
    if token is None:
        return PollOutcome(status="skipped")
    state = PollState.objects.select_related("channel", "listening_query", "entity").get(
        pk=poll_state_id)
    channel, query = state.channel, state.listening_query
    now = timezone.now()
    interval = _interval_for(state)
    if channel.status != ChannelStatus.ACTIVE or (query is not None and not query.active):
        _release(state.pk, token, next_due_at=None)
        return PollOutcome(status="skipped")
    try:
        client = _get_client(channel)
        if query is not None:
            fetched = client.search(query.query, state.cursor or None)
        else:
            fetched = client.fetch_mentions(state.cursor or None)
    except RateLimited as exc:
        wait = timedelta(seconds=max(exc.retry_after or 60.0, 1.0))
        message = _("Rate limited by the network: waiting %(seconds)d s.") % {
            "seconds": int(wait.total_seconds())}
        _release(state.pk, token, not_before=now + wait, next_due_at=now + wait,
                 last_error=message, last_error_at=now)
        return PollOutcome(status="rate_limited", error=message)
    except AuthError as exc:
        message = _("The network refused the credentials (%(error)s).") % {"error": exc}
        with transaction.atomic():
            _release(state.pk, token, last_error=message, last_error_at=now, next_due_at=None,
                     consecutive_failures=F("consecutive_failures") + 1)
            channel_mark_needs_reconnection(channel=channel, reason=str(exc))
        return PollOutcome(status="auth_error", error=message)
    except PlatformError as exc:
        return _poll_failed(state, token, now, str(exc) or exc.__class__.__name__)
    except Exception as exc:
        logger.exception("Polling %s failed unexpectedly", state)
        _poll_failed(state, token, now, f"{exc.__class__.__name__}: {exc}")
        raise

    with transaction.atomic():
        locked = PollState.objects.select_for_update().get(pk=state.pk)
        if locked.lease_token != token:
            # Our lease expired and another poller took the source: it will fetch the same
            # items from the same cursor. Writing now could move the cursor twice.
            return PollOutcome(status="skipped", error="lease lost")
        ingest = mentions_store(
            entity=state.entity, mentions=fetched.mentions, channel=channel,
            listening_query=query,
            source=MentionSource.LISTENING if query is not None else MentionSource.POLL)
        values = {"last_success_at": now, "last_fetched": len(fetched.mentions),
                  "consecutive_failures": 0, "not_before": None,
                  "next_due_at": now + interval}
        if fetched.next_cursor is not None:
            values["cursor"] = fetched.next_cursor
        _release(state.pk, token, **values)
    return PollOutcome(status="ok", created=ingest.created, duplicates=ingest.duplicates)


def _poll_failed(state: PollState, token: str, now: datetime, message: str) -> PollOutcome:
    failures = state.consecutive_failures + 1
    wait = _backoff(failures)
    _release(state.pk, token, last_error=message[:2000], last_error_at=now,
             consecutive_failures=failures, not_before=now + wait, next_due_at=now + wait)
    return PollOutcome(status="error", error=message)


def poll_states_for_listening(query: ListeningQuery) -> list[PollState]:
    return [poll_state_for(channel=c, listening_query=query) for c in listening_channels(query)]


@transaction.atomic
def channel_mark_needs_reconnection(*, channel: Channel, reason: str) -> bool:
    """401/403: flag the channel and e-mail the entity's administrators (once per outage)."""
    changed = Channel.objects.filter(pk=channel.pk).exclude(
        status=ChannelStatus.NEEDS_RECONNECTION).update(
        status=ChannelStatus.NEEDS_RECONNECTION)
    channel.status = ChannelStatus.NEEDS_RECONNECTION
    if not changed:
        return False
    audit_record(entity=channel.entity, actor=None, action="channel.needs_reconnection",
                 obj=channel, after={"reason": reason[:500]})
    from strategy.models import Membership

    recipients = list(Membership.objects.filter(
        entity_id=channel.entity_id, role=Role.ENTITY_ADMIN, is_active=True,
    ).values_list("user__email", flat=True))
    if recipients:
        channel_id, entity_name = channel.pk, channel.entity.name
        transaction.on_commit(lambda: _send_reconnect_email(channel_id, entity_name,
                                                            recipients))
    return True


def _send_reconnect_email(channel_id: int, entity_name: str, recipients: list[str]) -> None:
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=_("The channel %(channel)s needs reconnecting") % {"channel": channel},
            message=_(
                "The network refused the access token of %(channel)s (%(entity)s). Mentions "
                "from this channel are not arriving. An administrator must connect the account "
                "again in Django admin, Channels, and set its status back to Active."
            ) % {"channel": channel, "entity": entity_name},
            from_email=None, recipient_list=recipients, fail_silently=True)


# --------------------------------------------------------------------------- webhooks

KEPT_HEADERS = ("content-type", "user-agent", "x-hub-signature-256",
                "x-twitter-webhooks-signature", "x-request-id")


def webhook_delivery_store(*, source: str, body: bytes, headers: dict) -> tuple[
        WebhookDelivery, bool]:
    """Store a verified delivery once (by the SHA-256 of its body); enqueue processing.

    Returns (delivery, created). A repeated delivery is not stored or processed again.
    """
    from . import tasks

    digest = hashlib.sha256(body).hexdigest()
    kept = {k: v for k, v in ((k.lower(), v) for k, v in headers.items()) if k in KEPT_HEADERS}
    with transaction.atomic():
        delivery, created = WebhookDelivery.objects.get_or_create(
            body_sha256=digest, defaults={"source": source, "body": body, "headers": kept,
                                          "entity": _entity_hint(source, body)})
        if created:
            delivery_id = delivery.pk
            transaction.on_commit(lambda: tasks.process_webhook_delivery.delay(delivery_id))
    return delivery, created


def _entity_hint(source: str, body: bytes):
    """The entity a delivery is for, when its JSON names a known account (best effort).

    Set at reception so that a delivery that later fails still shows on that entity's
    operations page.
    """
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    if source == WebhookSource.X:
        platforms, ids = ["x"], [str(payload.get("for_user_id", ""))]
    else:
        platforms = ["facebook", "instagram"]
        entries = payload.get("entry")
        ids = [str(e.get("id", "")) for e in entries if isinstance(e, dict)] if isinstance(
            entries, list) else []
    channel = Channel.objects.filter(platform__in=platforms,
                                     account_id__in=[i for i in ids if i]).first()
    return channel.entity if channel else None


def _channels_by_account(platforms: Iterable[str], account_ids: Iterable[str]) -> dict:
    channels = Channel.objects.filter(platform__in=list(platforms),
                                      account_id__in=[a for a in account_ids if a])
    return {(c.platform, c.account_id): c for c in channels.select_related("entity")}


def _deliveries_meta(payload: dict) -> list[tuple[Channel | None, str, list]]:
    """Split a Meta delivery by entry (one page or IG account each) and parse it."""
    from channels_app.platforms.webhooks import parse_meta_delivery

    obj = payload.get("object") if isinstance(payload, dict) else None
    platform = {"page": "facebook", "instagram": "instagram"}.get(obj)
    entries = payload.get("entry") if isinstance(payload, dict) else None
    if platform is None or not isinstance(entries, list):
        raise ValueError(f"not a page or instagram delivery (object={obj!r})")
    ids = [str(e.get("id", "")) for e in entries if isinstance(e, dict)]
    channels = _channels_by_account([platform], ids)
    parts = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        account = str(entry.get("id", ""))
        mentions = parse_meta_delivery({"object": obj, "entry": [entry]})
        parts.append((channels.get((platform, account)), account, mentions))
    return parts


def _deliveries_x(payload: dict) -> list[tuple[Channel | None, str, list]]:
    from channels_app.platforms.webhooks import parse_x_delivery

    if not isinstance(payload, dict):
        raise ValueError("not an X delivery")
    account = str(payload.get("for_user_id", ""))
    channels = _channels_by_account(["x"], [account])
    return [(channels.get(("x", account)), account, parse_x_delivery(payload))]


def webhook_delivery_process(*, delivery_id: int) -> WebhookDelivery | None:
    """Turn a stored delivery into mentions (triaged by the task enqueued at the commit).

    Safe to run twice: only one run claims it.
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=[DeliveryStatus.RECEIVED, DeliveryStatus.FAILED],
    ).update(status=DeliveryStatus.PROCESSING, attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    try:
        payload = json.loads(bytes(delivery.body).decode("utf-8"))
        parts = (_deliveries_meta(payload) if delivery.source == WebhookSource.META
                 else _deliveries_x(payload))
        created, entity, unknown = 0, None, []
        with transaction.atomic():
            for channel, account, mentions in parts:
                if channel is None:
                    if mentions:
                        unknown.append(account)
                    continue
                entity = entity or channel.entity
                result = mentions_store(entity=channel.entity, mentions=mentions,
                                        channel=channel, source=MentionSource.WEBHOOK)
                created += result.created
            status = DeliveryStatus.PROCESSED
            error = ""
            if unknown and entity is None:
                status = DeliveryStatus.IGNORED
                error = _("No channel has the account id %(ids)s.") % {
                    "ids": ", ".join(sorted(set(unknown)))}
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                status=status, processed_at=now, mentions_created=created, error=error,
                entity=entity)
    except Exception as exc:  # stored and shown on the operations page, with a retry button
        logger.exception("Webhook delivery %s failed", delivery_id)
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000],
            processed_at=now)
    delivery.refresh_from_db()
    return delivery


def webhook_delivery_retry(*, actor, entity, delivery: WebhookDelivery) -> bool:
    """An administrator asks to process a failed delivery again."""
    from . import tasks

    with transaction.atomic():
        changed = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.RECEIVED, error="")
        if not changed:
            return False
        audit_record(entity=entity, actor=actor, action="webhook_delivery.retry", obj=delivery,
                     before={"status": DeliveryStatus.FAILED, "error": delivery.error[:500]})
        delivery_id = delivery.pk
        transaction.on_commit(lambda: tasks.process_webhook_delivery.delay(delivery_id))
    return True
