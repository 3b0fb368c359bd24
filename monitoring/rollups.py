"""Daily rollups of mentions (issue 7): kept by workers so the dashboard never scans raw rows.

`rollup_recompute_day(entity_id=, day=)` rewrites one entity-day from the raw mentions in one
transaction (delete + insert), so it is idempotent: run twice, or killed and retried, it
leaves the same rows. `rollups_refresh_recent` recomputes today and every day that received
mentions since the last run (late deliveries land in the right day).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q, Sum
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


def compute_day(entity, day: datetime.date) -> tuple[list[DailyRollup], DailyLeaders]:
    """The rollup rows and leaders of one entity-day, computed from the raw mentions."""
    start, end = day_bounds(entity, day)
    base = Mention.objects.filter(entity=entity, created_at__gte=start, created_at__lt=end)
    now = timezone.now()
    rows: dict[tuple, DailyRollup] = {}

    def row(channel_id, platform, category):
        key = (channel_id, platform, category or "")
        if key not in rows:
            rows[key] = DailyRollup(entity=entity, day=day, channel_id=channel_id,
                                    platform=platform, category=category or "",
                                    computed_at=now)
        return rows[key]

    incoming = (base.filter(is_own=False).values("channel_id", "platform", "label")
                .annotate(n=Count("pk"),
                          neg=Count("pk", filter=Q(sentiment__lt=NEGATIVE_BELOW)),
                          pos=Count("pk", filter=Q(sentiment__gt=POSITIVE_ABOVE)),
                          total=Sum("sentiment")))
    for item in incoming:
        r = row(item["channel_id"], item["platform"], item["label"])
        r.mentions = item["n"]
        r.negative = item["neg"]
        r.positive = item["pos"]
        r.neutral = item["n"] - item["neg"] - item["pos"]
        r.sentiment_sum = float(item["total"] or 0.0)
    own = base.filter(is_own=True).values("channel_id", "platform").annotate(n=Count("pk"))
    for item in own:
        row(item["channel_id"], item["platform"], "").own_posts = item["n"]

    incoming_only = base.filter(is_own=False)
    authors = list(incoming_only.values("author_id").annotate(
        n=Count("pk"), neg=Count("pk", filter=Q(sentiment__lt=NEGATIVE_BELOW)))
        .order_by("-n", "author_id")[:LEADERS_PER_DAY])
    threads = list(incoming_only.values("platform", "thread_key").annotate(n=Count("pk"))
                   .order_by("-n", "thread_key")[:LEADERS_PER_DAY])
    leaders = DailyLeaders(
        entity=entity, day=day, computed_at=now,
        authors=[[a["author_id"], a["n"], a["neg"]] for a in authors],
        threads=[[t["platform"], t["thread_key"], t["n"]] for t in threads])
    return list(rows.values()), leaders


@transaction.atomic
def rollup_recompute_day(*, entity_id: int, day: datetime.date) -> int:
    """Rewrite the rollups and leaders of one entity-day from raw mentions. Idempotent."""
    entity = Entity.objects.get(pk=entity_id)
    rows, leaders = compute_day(entity, day)
    DailyRollup.objects.filter(entity=entity, day=day).delete()
    DailyLeaders.objects.filter(entity=entity, day=day).delete()
    DailyRollup.objects.bulk_create(rows)
    if leaders.authors or leaders.threads:
        leaders.save()
    return len(rows)


def rollup_recompute_range(*, entity_id: int, start: datetime.date, end: datetime.date) -> int:
    """Backfill every day from `start` to `end` inclusive (one transaction per day)."""
    total, day = 0, start
    while day <= end:
        total += rollup_recompute_day(entity_id=entity_id, day=day)
        day += datetime.timedelta(days=1)
    return total


def days_touched_since(entity, since: datetime.datetime) -> list[datetime.date]:
    """Local days of the mentions this entity received since `since` (late ones included)."""
    tz = entity_tz(entity)
    return sorted(set(
        Mention.objects.filter(entity=entity, received_at__gte=since)
        .annotate(local_day=TruncDate("created_at", tzinfo=tz))
        .values_list("local_day", flat=True).distinct()))


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
