"""Reads of the mention pipeline: the operations overview, the queue, classifier corrections."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from channels_app.choices import CONNECTED_PLATFORMS
from channels_app.models import Channel

from .choices import ACTIVE_CASE_STATUSES, URGENCY_RANK, CaseStatus, DeliveryStatus
from .models import Case, ClassificationCorrection, ListeningQuery, PollState, WebhookDelivery

logger = logging.getLogger(__name__)

QUEUE_NAMES = ("ingest", "publish", "sweeps", "celery")


def correction_examples() -> Iterable:
    """The community managers' corrections as training examples (the latest per mention)."""
    from monitoring.classifier import Example

    seen = set()
    for c in ClassificationCorrection.objects.order_by("-created_at", "-pk").only(
            "mention_id", "text", "label", "pqrsd_type", "urgency").iterator():
        key = c.mention_id if c.mention_id is not None else ("text", c.text)
        if key in seen:
            continue
        seen.add(key)
        yield Example(text=c.text, label=c.label, pqrsd=c.pqrsd_type, urgency=c.urgency)


def cases_for_inbox(entity, *, statuses=ACTIVE_CASE_STATUSES, assignee=None, channel=None):
    """An entity's cases in queue order: earliest first-response deadline first, then urgency.

    Query-light: author and channel come in the same query.
    """
    qs = Case.objects.filter(entity=entity, status__in=list(statuses)).select_related(
        "author", "channel", "assignee").annotate(mention_count=Count("mentions"))
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if channel is not None:
        qs = qs.filter(channel=channel)
    return qs.order_by("first_response_due", "opened_at")


def sort_by_urgency(cases: list[Case]) -> list[Case]:
    return sorted(cases, key=lambda c: (URGENCY_RANK.get(c.urgency, 1), c.first_response_due))


@dataclass
class SourceRow:
    """One line of the operations page: a polled source and its health."""

    kind: str
    name: str
    platform: str
    channel_status: str
    active: bool
    last_success_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    next_due_at: datetime | None
    paused_until: datetime | None
    consecutive_failures: int
    last_fetched: int
    polling_now: bool

    def as_dict(self) -> dict:
        def iso(value):
            return value.isoformat() if value else None

        return {
            "kind": self.kind, "name": self.name, "platform": self.platform,
            "channel_status": self.channel_status, "active": self.active,
            "last_success_at": iso(self.last_success_at), "last_error": self.last_error,
            "last_error_at": iso(self.last_error_at), "next_due_at": iso(self.next_due_at),
            "paused_until": iso(self.paused_until),
            "consecutive_failures": self.consecutive_failures,
            "last_fetched": self.last_fetched, "polling_now": self.polling_now,
        }


def _next_due(state: PollState | None, task, now: datetime) -> datetime | None:
    """When beat will next poll: the stored estimate, else last run + interval, else now."""
    candidates = []
    if state is not None and state.next_due_at:
        candidates.append(state.next_due_at)
    elif task is not None and task.enabled and task.interval is not None:
        last = task.last_run_at or now
        candidates.append(last + task.interval.schedule.run_every)
    if state is not None and state.not_before and state.not_before > now:
        candidates.append(state.not_before)
    return max(candidates) if candidates else None


def poll_sources(entity) -> list[SourceRow]:
    """Every channel and listening query of the entity with its last poll, error and next due."""
    from django_celery_beat.models import PeriodicTask

    from .services import channel_task_name, listening_task_name

    now = timezone.now()
    channels = list(Channel.objects.filter(entity=entity, platform__in=CONNECTED_PLATFORMS)
                    .order_by("platform", "handle"))
    queries = list(ListeningQuery.objects.filter(entity=entity).order_by("name"))
    states = list(PollState.objects.filter(entity=entity).select_related("channel"))
    names = [channel_task_name(c) for c in channels] + [listening_task_name(q) for q in queries]
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__in=names)
             .select_related("interval")}
    channel_state = {s.channel_id: s for s in states if s.listening_query_id is None}
    query_states: dict[int, list[PollState]] = {}
    for s in states:
        if s.listening_query_id is not None:
            query_states.setdefault(s.listening_query_id, []).append(s)
    rows = []
    for c in channels:
        s = channel_state.get(c.pk)
        task = tasks.get(channel_task_name(c))
        rows.append(_row("channel", str(c), c.platform, c.status,
                         bool(task and task.enabled), s, task, now))
    for q in queries:
        task = tasks.get(listening_task_name(q))
        for s in query_states.get(q.pk, []) or [None]:
            platform = s.channel.platform if s else ",".join(q.platforms)
            status = s.channel.status if s else ""
            rows.append(_row("listening", q.name, platform, status,
                             bool(task and task.enabled and q.active), s, task, now))
    return rows


def _row(kind, name, platform, channel_status, active, s, task, now) -> SourceRow:
    return SourceRow(
        kind=kind, name=name, platform=platform, channel_status=channel_status, active=active,
        last_success_at=s.last_success_at if s else None,
        last_error=s.last_error if s else "", last_error_at=s.last_error_at if s else None,
        next_due_at=_next_due(s, task, now) if active else None,
        paused_until=s.not_before if s and s.not_before and s.not_before > now else None,
        consecutive_failures=s.consecutive_failures if s else 0,
        last_fetched=s.last_fetched if s else 0,
        polling_now=bool(s and s.lease_until and s.lease_until > now),
    )


@dataclass
class QueueLengths:
    available: bool
    broker: str
    lengths: dict[str, int]
    note: str = ""


def queue_lengths() -> QueueLengths:
    """Messages waiting in each Celery queue (Redis); the embedded broker cannot say."""
    url = settings.CELERY_BROKER_URL or ""
    if not url.startswith(("redis://", "rediss://")):
        return QueueLengths(available=False, broker="embedded", lengths={},
                            note="embedded")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        lengths = {name: int(client.llen(name)) for name in QUEUE_NAMES}
        # Celery's Redis transport keeps priority sub-queues "<name>\x06\x16<n>".
        for name in QUEUE_NAMES:
            for priority in range(1, 10):
                lengths[name] += int(client.llen(f"{name}\x06\x16{priority}"))
        return QueueLengths(available=True, broker="redis", lengths=lengths)
    except Exception as exc:  # the page must render when Redis is down; say so
        logger.warning("Cannot read queue lengths: %s", exc)
        return QueueLengths(available=False, broker="redis", lengths={}, note="unreachable")


def failed_deliveries(entity, *, limit: int = 50):
    return WebhookDelivery.objects.filter(entity=entity, status=DeliveryStatus.FAILED).defer(
        "body").order_by("-received_at")[:limit]


def case_counts(entity) -> dict[str, int]:
    counts = dict(Case.objects.filter(entity=entity).values_list("status").annotate(
        n=Count("pk")).values_list("status", "n"))
    now = timezone.now()
    overdue = Case.objects.filter(entity=entity, status__in=ACTIVE_CASE_STATUSES,
                                  first_response_at__isnull=True,
                                  first_response_due__lt=now).exclude(
        status=CaseStatus.ANSWERED).count()
    return {"open": sum(counts.get(s, 0) for s in ACTIVE_CASE_STATUSES
                        if s != CaseStatus.ANSWERED),
            "answered": counts.get(CaseStatus.ANSWERED, 0),
            "closed": counts.get(CaseStatus.CLOSED, 0),
            "overdue": overdue}


def delivery_counts(entity) -> dict[str, int]:
    rows = WebhookDelivery.objects.filter(entity=entity).values_list("status").annotate(
        n=Count("pk")).values_list("status", "n")
    counts = {status: 0 for status in DeliveryStatus.values}
    counts.update(dict(rows))
    return counts


def operations_overview(entity) -> dict:
    """Everything the operations page shows, for one entity (also served as JSON)."""
    return {
        "sources": poll_sources(entity),
        "queues": queue_lengths(),
        "failed_deliveries": list(failed_deliveries(entity)),
        "delivery_counts": delivery_counts(entity),
        "cases": case_counts(entity),
        "channels_needing_reconnection": list(
            Channel.objects.filter(entity=entity, status="needs_reconnection")
            .order_by("platform", "handle")),
        "generated_at": timezone.now(),
    }


def operations_as_json(entity) -> dict:
    data = operations_overview(entity)
    return {
        "entity": entity.slug,
        "generated_at": data["generated_at"].isoformat(),
        "sources": [row.as_dict() for row in data["sources"]],
        "queues": {"available": data["queues"].available, "broker": data["queues"].broker,
                   "lengths": data["queues"].lengths},
        "cases": data["cases"],
        "webhook_deliveries": data["delivery_counts"],
        "failed_deliveries": [
            {"id": str(d.public_id), "source": d.source, "received_at": d.received_at.isoformat(),
             "attempts": d.attempts, "error": d.error} for d in data["failed_deliveries"]],
        "channels_needing_reconnection": [
            {"id": str(c.public_id), "platform": c.platform, "handle": c.handle}
            for c in data["channels_needing_reconnection"]],
    }

