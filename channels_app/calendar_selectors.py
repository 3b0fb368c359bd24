"""Reads of the editorial calendar: month, week and list views, the 14-day coverage of
each channel against its weekly target, and the iCal feed."""

from __future__ import annotations

import calendar as pycalendar
import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from .calendar_models import (
    PLANNED_STATUSES,
    CalendarFeed,
    PostingTarget,
    PostMedia,
    PostStatus,
    RecurringPost,
    ScheduledPost,
)
from .calendar_services import entity_zone
from .choices import ChannelStatus
from .models import Channel

#: Weekly posts expected from a channel whose plan set no target.
DEFAULT_POSTS_PER_WEEK = 3
COVERAGE_DAYS = 14


def posts_between(entity, start: datetime.datetime, end: datetime.datetime, *,
                  channel=None, include_cancelled: bool = False):
    """Posts of the entity with start <= scheduled_at < end (aware datetimes)."""
    queryset = (ScheduledPost.objects.filter(entity=entity, scheduled_at__gte=start,
                                             scheduled_at__lt=end)
                .select_related("channel", "objective", "campaign", "author")
                .order_by("scheduled_at", "pk"))
    if channel is not None:
        queryset = queryset.filter(channel=channel)
    if not include_cancelled:
        queryset = queryset.exclude(status=PostStatus.CANCELLED)
    return queryset


def _local_bounds(entity, first: datetime.date, last: datetime.date):
    zone = entity_zone(entity)
    start = datetime.datetime.combine(first, datetime.time.min).replace(tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1),
                                    datetime.time.min).replace(tzinfo=zone)
    return start, end


def today_for(entity, now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(entity_zone(entity)).date()


@dataclass
class Day:
    date: datetime.date
    in_month: bool = True
    is_today: bool = False
    posts: list = field(default_factory=list)


def _group_by_day(entity, posts) -> dict[datetime.date, list]:
    zone = entity_zone(entity)
    by_day: dict[datetime.date, list] = {}
    for post in posts:
        post.local_at = post.scheduled_at.astimezone(zone)
        by_day.setdefault(post.local_at.date(), []).append(post)
    return by_day


def month_grid(entity, year: int, month: int, *, channel=None,
               now: datetime.datetime | None = None) -> list[list[Day]]:
    """Weeks (Monday first) of the month, each day with its posts in local time."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start, end = _local_bounds(entity, weeks[0][0], weeks[-1][-1])
    by_day = _group_by_day(entity, posts_between(entity, start, end, channel=channel))
    today = today_for(entity, now)
    return [[Day(date=d, in_month=d.month == month, is_today=d == today,
                 posts=by_day.get(d, [])) for d in week] for week in weeks]


def week_days(entity, monday: datetime.date, *, channel=None,
              now: datetime.datetime | None = None) -> list[Day]:
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    start, end = _local_bounds(entity, days[0], days[-1])
    by_day = _group_by_day(entity, posts_between(entity, start, end, channel=channel))
    today = today_for(entity, now)
    return [Day(date=d, is_today=d == today, posts=by_day.get(d, [])) for d in days]


def post_list(entity, first: datetime.date, last: datetime.date, *, channel=None,
              include_cancelled: bool = True) -> list[ScheduledPost]:
    start, end = _local_bounds(entity, first, last)
    posts = list(posts_between(entity, start, end, channel=channel,
                               include_cancelled=include_cancelled))
    zone = entity_zone(entity)
    for post in posts:
        post.local_at = post.scheduled_at.astimezone(zone)
    return posts


def post_detail(entity, public_id):
    return (ScheduledPost.objects.filter(entity=entity)
            .select_related("channel", "objective", "campaign", "author", "approved_by",
                            "recurrence")
            .prefetch_related(Prefetch("media", queryset=PostMedia.objects.order_by("order")))
            .get(public_id=public_id))


def pending_approval(entity):
    return (ScheduledPost.objects.filter(entity=entity, status=PostStatus.PENDING_APPROVAL)
            .select_related("channel", "author").order_by("scheduled_at"))


def needing_attention(entity):
    return (ScheduledPost.objects.filter(entity=entity, status__in=(
        PostStatus.FAILED, PostStatus.NEEDS_CHECK)).select_related("channel")
        .order_by("scheduled_at"))


def recurring_series(entity):
    return (RecurringPost.objects.filter(entity=entity).select_related("channel", "approved_by")
            .order_by("-is_active", "title"))


# --- coverage --------------------------------------------------------------------------------


@dataclass
class CoverageDay:
    date: datetime.date
    count: int
    flagged: bool


@dataclass
class CoverageRow:
    channel: Channel
    posts_per_week: int
    target_is_default: bool
    days: list[CoverageDay]
    planned: int
    expected: int

    @property
    def shortfall(self) -> int:
        return max(0, self.expected - self.planned)

    @property
    def flagged_days(self) -> int:
        return sum(1 for d in self.days if d.flagged)


def max_gap_days(posts_per_week: int) -> int | None:
    """The longest run of empty days the target tolerates (3/week → 3 days, daily → 1)."""
    if posts_per_week <= 0:
        return None
    return max(1, math.ceil(7 / posts_per_week))


def coverage(entity, *, now: datetime.datetime | None = None,
             days: int = COVERAGE_DAYS) -> list[CoverageRow]:
    """Each active channel's next `days` days: posts planned per local day, and the days
    flagged because the run of empty days up to them exceeds what the weekly target
    allows — the early warning against absence."""
    today = today_for(entity, now)
    dates = [today + datetime.timedelta(days=i) for i in range(days)]
    channels = list(Channel.objects.filter(entity=entity, status=ChannelStatus.ACTIVE)
                    .order_by("platform", "handle"))
    targets = {t.channel_id: t.posts_per_week
               for t in PostingTarget.objects.filter(entity=entity)}
    start, end = _local_bounds(entity, dates[0], dates[-1])
    zone = entity_zone(entity)
    counts: dict[tuple[int, datetime.date], int] = {}
    for channel_id, at in (ScheduledPost.objects.filter(
            entity=entity, scheduled_at__gte=start, scheduled_at__lt=end,
            status__in=PLANNED_STATUSES).values_list("channel_id", "scheduled_at")):
        key = (channel_id, at.astimezone(zone).date())
        counts[key] = counts.get(key, 0) + 1
    rows = []
    for channel in channels:
        per_week = targets.get(channel.pk, DEFAULT_POSTS_PER_WEEK)
        gap = max_gap_days(per_week)
        run, cells = 0, []
        for day in dates:
            count = counts.get((channel.pk, day), 0)
            run = 0 if count else run + 1
            cells.append(CoverageDay(date=day, count=count,
                                     flagged=gap is not None and run >= gap))
        rows.append(CoverageRow(
            channel=channel, posts_per_week=per_week,
            target_is_default=channel.pk not in targets, days=cells,
            planned=sum(c.count for c in cells),
            expected=math.ceil(per_week * days / 7)))
    return rows


# --- iCal feed -------------------------------------------------------------------------------


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed of a token, only while its member may still read the plan."""
    from strategy.permissions import Action, can

    if not token or len(token) < 32:
        return None
    feed = CalendarFeed.objects.select_related("entity", "user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    if not can(feed.user, feed.entity, Action.VIEW_PLAN):
        return None
    return feed


def _ical_escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        encoded = ch.encode("utf-8")
        limit = 75 if not parts else 74
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _ical_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ical_feed(entity, *, now: datetime.datetime | None = None, host: str = "redes-estado",
              past_days: int = 31, future_days: int = 180) -> str:
    """The entity's calendar as RFC 5545 text (CRLF line ends, folded lines)."""
    now = now or timezone.now()
    posts = posts_between(entity, now - datetime.timedelta(days=past_days),
                          now + datetime.timedelta(days=future_days))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Redes Estado//Calendario editorial//ES",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_ical_escape(entity.name)}",
             f"X-WR-TIMEZONE:{entity.timezone or 'America/Bogota'}"]
    for post in posts:
        summary = f"[{post.channel.get_platform_display()} @{post.channel.handle}] " \
                  f"{post.text.splitlines()[0][:80] if post.text else ''}"
        description = f"{post.get_status_display()}\n\n{post.full_text}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{post.public_id}@{host}",
            f"DTSTAMP:{_ical_time(post.updated_at or now)}",
            f"DTSTART:{_ical_time(post.scheduled_at)}",
            "DURATION:PT15M",
            f"SUMMARY:{_ical_escape(summary)}",
            f"DESCRIPTION:{_ical_escape(description)}",
            "STATUS:" + ("CONFIRMED" if post.status in (
                PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED)
                else "TENTATIVE"),
        ]
        if post.external_url:
            lines.append(f"URL:{post.external_url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
