"""Daily rollups of mentions (issue 7): kept by workers so the dashboard never scans raw rows.

`rollup_recompute_day(entity_id=, day=)` rewrites one entity-day from the raw mentions in one
transaction (delete + insert), so it is idempotent: run twice, or killed and retried, it
leaves the same rows. `rollups_refresh_recent` recomputes today and every day that received
mentions since the last run (late deliveries land in the right day).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from protocols.deadlines import entity_tz
from strategy.models import Entity

from .dashboard_models import DailyLeaders, DailyRollup
from .metrics import NEGATIVE_BELOW, POSITIVE_ABOVE
from .models import Mention

LEADERS_PER_DAY = 25


def day_bounds(entity, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = entity_tz(entity)
    start = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 0),
                                    tzinfo=tz)
    return start, end


def compute_range(entity, start: datetime.date, end: datetime.date
                  ) -> tuple[list[DailyRollup], list[DailyLeaders]]:
    """Rollup rows and leaders of every day from `start` to `end` (inclusive), computed from
    the raw mentions with one grouped query per figure (one pass over the range, not one per
    day: a year's backfill reads the table a handful of times)."""
    tz = entity_tz(entity)
    range_start, _ = day_bounds(entity, start)
    _, range_end = day_bounds(entity, end)
    base = (Mention.objects.filter(entity=entity, created_at__gte=range_start,
                                   created_at__lt=range_end)
            .annotate(local_day=TruncDate("created_at", tzinfo=tz)))
    now = timezone.now()
    rows: dict[tuple, DailyRollup] = {}

    def row(day, channel_id, platform, category):
        key = (day, channel_id, platform, category or "")
        if key not in rows:
            rows[key] = DailyRollup(entity=entity, day=day, channel_id=channel_id,
                                    platform=platform, category=category or "",
                                    computed_at=now)
        return rows[key]

    # A mention awaiting triage (seconds after it arrived) has no category or sentiment yet:
    # left out rather than counted as "other"; the refresh task does not move its mark past
    # a mention still awaiting triage (rollup_refresh_mark), so a later run counts it.
    incoming = base.filter(is_own=False, needs_triage=False)
    for item in (incoming.values("local_day", "channel_id", "platform", "label")
                 .annotate(n=Count("pk"),
                           neg=Count("pk", filter=Q(sentiment__lt=NEGATIVE_BELOW)),
                           pos=Count("pk", filter=Q(sentiment__gt=POSITIVE_ABOVE)),
                           total=Sum("sentiment"))
                 .order_by()):
        r = row(item["local_day"], item["channel_id"], item["platform"], item["label"])
        r.mentions = item["n"]
        r.negative = item["neg"]
        r.positive = item["pos"]
        r.neutral = item["n"] - item["neg"] - item["pos"]
        r.sentiment_sum = float(item["total"] or 0.0)
    for item in (base.filter(is_own=True).values("local_day", "channel_id", "platform")
                 .annotate(n=Count("pk")).order_by()):
        row(item["local_day"], item["channel_id"], item["platform"], "").own_posts = item["n"]

    authors: dict[datetime.date, list] = defaultdict(list)
    for item in (incoming.values("local_day", "author_id")
                 .annotate(n=Count("pk"), neg=Count("pk", filter=Q(
                     sentiment__lt=NEGATIVE_BELOW))).order_by()):
        authors[item["local_day"]].append([item["author_id"], item["n"], item["neg"]])
    threads: dict[datetime.date, list] = defaultdict(list)
    for item in (incoming.values("local_day", "platform", "thread_key")
                 .annotate(n=Count("pk")).order_by()):
        threads[item["local_day"]].append([item["platform"], item["thread_key"], item["n"]])
    leaders = []
    for day in sorted(set(authors) | set(threads)):
        top_authors = sorted(authors[day], key=lambda a: (-a[1], a[0]))[:LEADERS_PER_DAY]
        top_threads = sorted(threads[day], key=lambda t: (-t[2], t[1]))[:LEADERS_PER_DAY]
        leaders.append(DailyLeaders(entity=entity, day=day, computed_at=now,
                                    authors=top_authors, threads=top_threads))
    return list(rows.values()), leaders


def compute_day(entity, day: datetime.date) -> tuple[list[DailyRollup], list[DailyLeaders]]:
    return compute_range(entity, day, day)


def version_key(entity_id: int) -> str:
    return f"dashboard:rollups:version:{entity_id}"


def rollup_version(entity_id: int) -> str:
    """A token that changes whenever the entity's rollups are rewritten (cache keys use it)."""
    key = version_key(entity_id)
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(key, version, timeout=None)
    return version


@transaction.atomic
def _rewrite(entity, start: datetime.date, end: datetime.date) -> int:
    rows, leaders = compute_range(entity, start, end)
    DailyRollup.objects.filter(entity=entity, day__gte=start, day__lte=end).delete()
    DailyLeaders.objects.filter(entity=entity, day__gte=start, day__lte=end).delete()
    DailyRollup.objects.bulk_create(rows, batch_size=1000)
    DailyLeaders.objects.bulk_create(leaders, batch_size=200)
    # Readers cache what they derive from the rollups under this version: a new one, after
    # the commit, makes them read again.
    # Deleted now and again after the commit (a reader in between may cache the old rows).
    cache.delete(version_key(entity.pk))
    transaction.on_commit(lambda: cache.delete(version_key(entity.pk)))
    return len(rows)


def rollup_recompute_day(*, entity_id: int, day: datetime.date) -> int:
    """Rewrite the rollups and leaders of one entity-day from raw mentions. Idempotent."""
    return _rewrite(Entity.objects.get(pk=entity_id), day, day)


def rollup_recompute_range(*, entity_id: int, start: datetime.date, end: datetime.date,
                           chunk_days: int = 31) -> int:
    """Backfill every day from `start` to `end` inclusive, one transaction per chunk of days."""
    entity = Entity.objects.get(pk=entity_id)
    total, chunk_start = 0, start
    while chunk_start <= end:
        chunk_end = min(end, chunk_start + datetime.timedelta(days=chunk_days - 1))
        total += _rewrite(entity, chunk_start, chunk_end)
        chunk_start = chunk_end + datetime.timedelta(days=1)
    return total


def days_touched_since(entity, since: datetime.datetime) -> list[datetime.date]:
    """Local days of the mentions this entity received since `since` (late ones included)."""
    tz = entity_tz(entity)
    return sorted(set(
        Mention.objects.filter(entity=entity, received_at__gte=since)
        .annotate(local_day=TruncDate("created_at", tzinfo=tz))
        .values_list("local_day", flat=True).distinct()))


#: A mention awaiting triage longer than this (its triage keeps failing) no longer holds the
#: refresh mark back; the nightly rebuild of the last week counts it once triaged.
PENDING_TRIAGE_HORIZON = datetime.timedelta(days=1)


def rollup_refresh_mark(now: datetime.datetime) -> datetime.datetime:
    """Where the next refresh starts looking for touched days: now, or earlier while some
    mention received since is still awaiting triage (the days a refresh recomputed before
    its triage must be recomputed again after it). One lookup on the partial triage index."""
    pending = Mention.objects.filter(
        needs_triage=True, received_at__gte=now - PENDING_TRIAGE_HORIZON,
    ).aggregate(oldest=Min("received_at"))["oldest"]
    return min(now, pending) if pending else now


def rollups_refresh_recent(*, since: datetime.datetime, now: datetime.datetime | None = None
                           ) -> dict[int, list[datetime.date]]:
    """Recompute, for each entity, today and every day touched by mentions received since."""
    now = now or timezone.now()
    done: dict[int, list[datetime.date]] = defaultdict(list)
    for entity in Entity.objects.all().only("pk", "timezone"):
        today = now.astimezone(entity_tz(entity)).date()
        days = set(days_touched_since(entity, since)) | {today}
        for day in sorted(days):
            rollup_recompute_day(entity_id=entity.pk, day=day)
            done[entity.pk].append(day)
    return dict(done)
