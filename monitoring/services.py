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
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels_app.choices import CONNECTED_PLATFORMS, ChannelStatus
from channels_app.models import Channel
from strategy.choices import Role
from strategy.integration_models import WebhookEvent
from strategy.integrations import webhook_emit_many
from strategy.models import AuditEvent
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


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    cases_opened: int = 0
    cases_joined: int = 0
    mention_ids: list[int] = field(default_factory=list)

    def merge(self, other: IngestResult) -> None:
        self.created += other.created
        self.duplicates += other.duplicates
        self.cases_opened += other.cases_opened
        self.cases_joined += other.cases_joined
        self.mention_ids.extend(other.mention_ids)


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


def _upsert_authors(entity, platform: str, items) -> dict[str, Author]:
    """Create or refresh the authors of a batch in three queries; returns external_id→Author."""
    now = timezone.now()
    latest = {}
    for item in items:
        latest[_author_key(item)] = item.author
    existing = {a.external_id: a for a in Author.objects.filter(
        entity=entity, platform=platform, external_id__in=list(latest))}
    to_create, to_update = [], []
    for external_id, data in latest.items():
        author = existing.get(external_id)
        values = {
            "handle": (data.handle or "")[:200], "name": (data.name or "")[:300],
            "followers": data.followers if data.followers is None or data.followers >= 0
            else None,
            "account_created_at": _aware(data.account_created_at)
            if data.account_created_at else None,
            "profile_url": (data.profile_url or "")[:500],
        }
        if author is None:
            to_create.append(Author(entity=entity, platform=platform, external_id=external_id,
                                    first_seen_at=now, last_seen_at=now, **values))
            continue
        changed = False
        for key, value in values.items():
            # Keep what we know when this delivery omits it (webhooks carry less than polls).
            if value in ("", None):
                continue
            if getattr(author, key) != value:
                setattr(author, key, value)
                changed = True
        # last_seen_at is refreshed at most every ten minutes unless something changed:
        # a busy author does not cost an UPDATE per batch.
        if changed or (now - author.last_seen_at) > timedelta(minutes=10):
            author.last_seen_at = now
            to_update.append(author)
    if to_create:
        Author.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_update:
        Author.objects.bulk_update(to_update, ["handle", "name", "followers",
                                               "account_created_at", "profile_url",
                                               "last_seen_at"])
    if to_create:
        existing = {a.external_id: a for a in Author.objects.filter(
            entity=entity, platform=platform, external_id__in=list(latest))}
    return existing


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


def _without_nul(item):
    """PostgreSQL refuses U+0000 in text and jsonb: one such character from a network would
    fail the whole batch on every retry (a poison page). Drop it; keep everything else."""
    if not dataclasses.is_dataclass(item):
        return item
    author = item.author
    if dataclasses.is_dataclass(author):
        author = dataclasses.replace(author, **{
            f: _strip_nul(getattr(author, f)) for f in ("external_id", "handle", "name",
                                                        "profile_url")})
    return dataclasses.replace(item, author=author, raw=_strip_nul(item.raw), **{
        f: _strip_nul(getattr(item, f)) for f in ("external_id", "text", "url",
                                                  "in_reply_to_external_id",
                                                  "thread_external_id")})


def mention_ingest_batch(*, entity, mentions: Sequence, source: str,
                         channel: Channel | None = None,
                         listening_query: ListeningQuery | None = None) -> IngestResult:
    """Normalise, deduplicate, classify and store a batch; queue complaints and questions.

    Idempotent: mentions already stored for the entity are skipped (unique constraint on
    (entity, platform, external_id)), so a repeated page or delivery changes nothing.
    Runs in the caller's transaction when there is one (the poller advances its cursor in
    the same transaction).
    """
    result = IngestResult()
    by_platform: dict[str, dict[str, object]] = defaultdict(dict)
    for item in map(_without_nul, mentions):
        if not item.external_id:
            continue
        if item.external_id in by_platform[item.platform]:
            result.duplicates += 1
            continue
        by_platform[item.platform][item.external_id] = item
    with transaction.atomic():
        for platform, items in by_platform.items():
            ordered = list(items.values())
            for start in range(0, len(ordered), INGEST_CHUNK):
                result.merge(_ingest_chunk(entity=entity, platform=platform,
                                           items=ordered[start:start + INGEST_CHUNK],
                                           source=source, channel=channel,
                                           listening_query=listening_query))
    return result


def _ingest_chunk(*, entity, platform, items, source, channel, listening_query) -> IngestResult:
    result = IngestResult()
    known = set(Mention.objects.filter(
        entity=entity, platform=platform,
        external_id__in=[i.external_id for i in items]).values_list("external_id", flat=True))
    fresh = [i for i in items if i.external_id not in known]
    result.duplicates += len(items) - len(fresh)
    if not fresh:
        return result
    authors = _upsert_authors(entity, platform, fresh)
    reply_targets = {i.in_reply_to_external_id for i in fresh if i.in_reply_to_external_id}
    stored_parents = {ext: (pk, thread) for ext, pk, thread in Mention.objects.filter(
        entity=entity, platform=platform, external_id__in=reply_targets,
    ).values_list("external_id", "pk", "thread_key")} if reply_targets else {}
    parents = {ext: thread for ext, (_pk, thread) in stored_parents.items()}
    # Parents in the same batch (a reply delivered with its parent).
    batch_threads = {}
    for item in fresh:
        batch_threads[item.external_id] = _thread_key(item, {**parents, **batch_threads})
    parents.update(batch_threads)

    own = [_is_own(item, channel) for item in fresh]
    to_classify = [item.text or "" for item, is_own in zip(fresh, own, strict=True)
                   if not is_own]
    classifications = iter(_classify_texts(to_classify, platform) if to_classify else [])
    now = timezone.now()
    rows = []
    for item, is_own in zip(fresh, own, strict=True):
        row = Mention(
            entity=entity, channel=channel, listening_query=listening_query,
            platform=platform, external_id=item.external_id[:200],
            author=authors[_author_key(item)], text=item.text or "",
            url=(item.url or "")[:500], created_at=_aware(item.created_at), received_at=now,
            in_reply_to_external_id=(item.in_reply_to_external_id or "")[:200],
            thread_key=batch_threads[item.external_id], source=source, is_own=is_own,
            raw=item.raw if isinstance(item.raw, dict) else {},
        )
        if is_own:
            row.label = Category.OTHER
        else:
            c = next(classifications)
            row.label = c.label
            row.pqrsd_type = c.pqrsd if c.pqrsd in PqrsdType.values else PqrsdType.NONE
            row.urgency = c.urgency if c.urgency in Urgency.values else Urgency.NORMAL
            row.sentiment = max(-1.0, min(1.0, float(c.sentiment)))
            row.confidence = max(0.0, min(1.0, float(c.confidence)))
            row.reasons = [str(r) for r in c.reasons]
        if row.in_reply_to_external_id in stored_parents:
            row.in_reply_to_id = stored_parents[row.in_reply_to_external_id][0]
        rows.append(row)

    # Flags and the queue come before the INSERT so each mention is written once, already
    # linked to its case (no UPDATE of every row afterwards).
    citizens = [r for r in rows if not r.is_own]
    flagged = _flag_authors(entity, citizens)
    opened, joined = _queue(entity=entity, channel=channel, mentions=citizens,
                            flagged=flagged)
    result.cases_opened, result.cases_joined = opened, joined
    Mention.objects.bulk_create(rows, ignore_conflicts=True)
    # Reload: ignore_conflicts gives no ids. Ours are the rows whose public_id we generated;
    # a row another worker inserted first stays theirs (their copy joined the same case: the
    # one-active-case constraint makes both workers agree on it).
    ours = {r.public_id for r in rows}
    stored = list(Mention.objects.filter(
        entity=entity, platform=platform, external_id__in=[r.external_id for r in rows],
    ).only("pk", "public_id", "external_id", "in_reply_to_external_id", "in_reply_to_id"))
    created = [m for m in stored if m.public_id in ours]
    result.created = len(created)
    result.duplicates += len(rows) - len(created)
    result.mention_ids = [m.pk for m in created]

    # Replies whose parent came in this same batch get their link now that it has an id.
    by_external = {m.external_id: m.pk for m in stored}
    linked = []
    for m in created:
        parent = by_external.get(m.in_reply_to_external_id)
        if m.in_reply_to_id is None and parent and parent != m.pk:
            m.in_reply_to_id = parent
            linked.append(m)
    if linked:
        Mention.objects.bulk_update(linked, ["in_reply_to"])
    return result


def _flag_authors(entity, mentions: list[Mention]) -> set[int]:
    """Flag suspected trolls and fake accounts (with readable reasons). Returns flagged ids."""
    if not mentions:
        return set()
    now = timezone.now()
    authors = {m.author_id: m.author for m in mentions}
    insults = defaultdict(int)
    for m in mentions:
        if _INSULTS.search(m.text or ""):
            insults[m.author_id] += 1
    # The batch is not stored yet: its mentions count on top of what the table holds.
    recent = defaultdict(int, Mention.objects.filter(
        entity=entity, author_id__in=list(authors), received_at__gte=now - timedelta(hours=1),
    ).values_list("author_id").annotate(n=Count("pk")).values_list("author_id", "n"))
    for m in mentions:
        recent[m.author_id] += 1
    past_insults = defaultdict(int)
    insult_authors = [a for a in authors if insults[a]]
    if insult_authors:
        for author_id, text in Mention.objects.filter(
                entity=entity, author_id__in=insult_authors).values_list(
                "author_id", "text")[:2000]:
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
        Author.objects.bulk_update(changed, ["is_suspected_troll", "is_suspected_fake",
                                             "flag_reasons"])
    return {a.pk for a in authors.values() if a.is_flagged}


def _max_urgency(a: str, b: str) -> str:
    return a if URGENCY_RANK.get(a, 1) <= URGENCY_RANK.get(b, 1) else b


def _queue(*, entity, channel, mentions: list[Mention], flagged: set[int]) -> tuple[int, int]:
    """Complaints and questions open a case or join the active one of the same author+thread.

    Other mentions (thanks, follow-ups) join an active case of their author and thread but
    never open one. Runs before the mentions are inserted and sets their `case`. Batched: one
    query finds the active cases, one INSERT opens the new ones (ON CONFLICT DO NOTHING on
    the one-active-case constraint: a case another worker opened meanwhile is joined
    instead), one INSERT writes their audit rows.
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
        Case.objects.bulk_create([case for case, _ in to_open.values()], ignore_conflicts=True)
        ours = {case.public_id: case for case, _ in to_open.values()}
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
    joined = 0
    for key, group in groups.items():
        if key in opened_cases:
            case = opened_cases[key]
        elif key in active:
            case = active[key]
            _case_join(case=case, mentions=[m for m in group if m.label in QUEUED_CATEGORIES],
                       flagged=key[0] in flagged, protocol=protocol)
            joined += 1
        else:
            continue
        for m in group:
            m.case = case
    return len(opened_cases), joined


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


def _escalation_for(protocol, channel, mention: Mention, category: str, pqrsd: str,
                    urgency: str) -> deadlines.Escalation:
    return protocol.escalate(
        text=mention.text, category=category, pqrsd_type=pqrsd, urgency=urgency,
        author_followers=mention.author.followers, platform=mention.platform,
        channel_public_id=str(channel.public_id) if channel else None)


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
        e = _escalation_for(protocol, channel, m, category, pqrsd, urgency)
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


def _case_join(*, case: Case, mentions: list[Mention], flagged: bool, protocol) -> None:
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
            e = _escalation_for(protocol, case.channel, m, case.category, case.pqrsd_type,
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
    case.save(update_fields=sorted(fields))


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
    cases_opened: int = 0
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
    written in one transaction, and only if this poller still holds the lease.
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
        ingest = mention_ingest_batch(
            entity=state.entity, mentions=fetched.mentions, channel=channel,
            listening_query=query,
            source=MentionSource.LISTENING if query is not None else MentionSource.POLL)
        values = {"last_success_at": now, "last_fetched": len(fetched.mentions),
                  "consecutive_failures": 0, "not_before": None,
                  "next_due_at": now + interval}
        if fetched.next_cursor is not None:
            values["cursor"] = fetched.next_cursor
        _release(state.pk, token, **values)
    return PollOutcome(status="ok", created=ingest.created, duplicates=ingest.duplicates,
                       cases_opened=ingest.cases_opened)


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
    """Turn a stored delivery into mentions. Safe to run twice: only one run claims it."""
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
                result = mention_ingest_batch(entity=channel.entity, mentions=mentions,
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
