"""Daily rollups: recomputed from the raw rows and compared; idempotent; late arrivals (issue 7)."""

import datetime
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from monitoring import metrics, rollups
from monitoring.dashboard_models import DailyLeaders, DailyRollup
from monitoring.models import Mention
from tests.monitoring.factories import AuthorFactory, ChannelFactory, MentionFactory

BOGOTA = ZoneInfo("America/Bogota")
DAY1 = datetime.date(2026, 11, 16)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BOGOTA)


@pytest.fixture
def raw(entity, other_entity):
    """Mentions over three days, two channels, every category and sentiment, own posts."""
    x = ChannelFactory(entity=entity, platform="x")
    fb = ChannelFactory(entity=entity, platform="facebook")
    authors = [AuthorFactory(entity=entity) for _ in range(4)]
    specs = [
        # day offset, hour, channel, label, sentiment, author index, own
        (0, 0, x, "complaint", -0.8, 0, False),   # 00:00 Bogotá = 05:00 UTC: day 1
        (0, 9, x, "complaint", -0.5, 0, False),
        (0, 10, x, "question", 0.0, 1, False),
        (0, 11, fb, "praise", 0.9, 2, False),
        (0, 12, x, "", 0.0, 0, True),             # the entity's own post
        (0, 23, fb, "complaint", -0.3, 3, False),  # 23:30 Bogotá = 04:30 UTC next day
        (1, 8, x, "other", 0.1, 1, False),
        (1, 8, None, "complaint", -0.9, 2, False),  # a listening-query mention, no channel
        (1, 14, fb, "", 0.0, 0, True),
        (2, 7, x, "complaint", -0.25, 0, False),
        (2, 7, x, "complaint", -0.15, 0, False),
    ]
    for offset, hour, channel, label, sentiment, author, own in specs:
        day = DAY1 + datetime.timedelta(days=offset)
        MentionFactory(entity=entity, channel=channel,
                       platform=channel.platform if channel else "mastodon",
                       created_at=at(day, hour, 30 if hour == 23 else 0),
                       label=label, sentiment=sentiment, author=authors[author], is_own=own,
                       thread_key=f"hilo-{author}")
    MentionFactory(entity=other_entity, created_at=at(DAY1, 10), label="complaint",
                   sentiment=-0.9)  # another entity's mention never counts
    return {"x": x, "fb": fb, "authors": authors}


def expected_from_raw(entity):
    """An independent recomputation from the raw rows, in Python."""
    out = defaultdict(Counter)
    for m in Mention.objects.filter(entity=entity):
        day = m.created_at.astimezone(BOGOTA).date()
        key = (day, m.channel_id, m.platform, "" if m.is_own else (m.label or ""))
        if m.is_own:
            out[key]["own_posts"] += 1
            continue
        out[key]["mentions"] += 1
        out[key][metrics.sentiment_bucket(m.sentiment)] += 1
        out[key]["sentiment_sum"] += m.sentiment
    return {k: {f: round(v, 6) for f, v in c.items() if round(v, 6)} for k, c in out.items()}


def stored(entity):
    result = {}
    for r in DailyRollup.objects.filter(entity=entity):
        values = {"mentions": r.mentions, "negative": r.negative, "neutral": r.neutral,
                  "positive": r.positive, "sentiment_sum": round(r.sentiment_sum, 6),
                  "own_posts": r.own_posts}
        result[(r.day, r.channel_id, r.platform, r.category)] = {
            k: v for k, v in values.items() if v}
    return result


@pytest.mark.django_db
def test_rollups_equal_a_recomputation_from_raw_rows(entity, raw):
    rollups.rollup_recompute_range(entity_id=entity.pk, start=DAY1,
                                   end=DAY1 + datetime.timedelta(days=2))
    assert stored(entity) == expected_from_raw(entity)
    # The 23:30 mention belongs to day 1 in Bogotá although it is day 2 in UTC.
    day1 = DailyRollup.objects.filter(entity=entity, day=DAY1)
    assert sum(r.mentions for r in day1) == 5
    assert sum(r.own_posts for r in day1) == 1


@pytest.mark.django_db
def test_recompute_is_idempotent(entity, raw):
    for _ in range(2):
        rollups.rollup_recompute_range(entity_id=entity.pk, start=DAY1,
                                       end=DAY1 + datetime.timedelta(days=2))
    first = stored(entity)
    count = DailyRollup.objects.count()
    rollups.rollup_recompute_day(entity_id=entity.pk, day=DAY1)
    assert stored(entity) == first
    assert DailyRollup.objects.count() == count
    assert DailyLeaders.objects.filter(entity=entity).count() == 3


@pytest.mark.django_db
def test_leaders_count_authors_and_threads(entity, raw):
    rollups.rollup_recompute_day(entity_id=entity.pk, day=DAY1)
    leaders = DailyLeaders.objects.get(entity=entity, day=DAY1)
    top_author, mentions, negative = leaders.authors[0]
    assert top_author == raw["authors"][0].pk
    assert (mentions, negative) == (2, 2)  # the own post is not a mention
    assert leaders.threads[0][1:] == ["hilo-0", 2]


@pytest.mark.django_db
def test_refresh_recent_picks_up_a_late_mention_in_an_old_day(entity, raw):
    rollups.rollup_recompute_range(entity_id=entity.pk, start=DAY1,
                                   end=DAY1 + datetime.timedelta(days=2))
    since = timezone.now()
    MentionFactory(entity=entity, channel=raw["x"], created_at=at(DAY1, 15), label="question",
                   sentiment=0.0, received_at=timezone.now() + datetime.timedelta(seconds=1))
    done = rollups.rollups_refresh_recent(since=since)
    assert DAY1 in done[entity.pk]
    assert stored(entity) == expected_from_raw(entity)


@pytest.mark.django_db
def test_a_late_mention_triaged_after_a_refresh_is_counted_by_the_next(entity, raw):
    """A refresh that runs while a late mention awaits triage leaves it out of its old day;
    the mark stays behind it, so the refresh after its triage recomputes that day."""
    from django.core.cache import cache

    from monitoring import dashboard_tasks

    cache.delete(dashboard_tasks.ROLLUP_MARK_KEY)
    dashboard_tasks.refresh_rollups.delay().get()
    late = MentionFactory(entity=entity, channel=raw["x"], created_at=at(DAY1, 15),
                          label="", sentiment=0.0, needs_triage=True,
                          received_at=timezone.now() - datetime.timedelta(minutes=20))
    dashboard_tasks.refresh_rollups.delay().get()
    assert datetime.datetime.fromisoformat(
        cache.get(dashboard_tasks.ROLLUP_MARK_KEY)) == late.received_at
    Mention.objects.filter(pk=late.pk).update(needs_triage=False, label="question")
    dashboard_tasks.refresh_rollups.delay().get()
    assert stored(entity) == expected_from_raw(entity)


@pytest.mark.django_db
def test_worker_tasks_keep_rollups_and_alerts(entity, raw):
    from django.core.cache import cache

    from monitoring import dashboard_tasks
    from monitoring.dashboard_models import Alert

    cache.delete(dashboard_tasks.ROLLUP_MARK_KEY)
    # The mentions were received "now": the first run recomputes the days they belong to.
    assert dashboard_tasks.refresh_rollups.delay().get() >= 3
    assert stored(entity) == expected_from_raw(entity)
    assert dashboard_tasks.recompute_rollup_day.delay(entity.pk, DAY1.isoformat()).get() > 0
    raw["x"].status = "needs_reconnection"
    raw["x"].save(update_fields=["status"])
    assert dashboard_tasks.sweep_alerts.delay().get() >= 1
    assert Alert.objects.filter(entity=entity, kind="channel_reconnection").count() == 1
    assert dashboard_tasks.sweep_alerts.delay().get() == 0


@pytest.mark.django_db
def test_rebuild_rollups_command(entity):
    from io import StringIO

    from django.core.management import call_command

    MentionFactory(entity=entity, created_at=timezone.now(), label="complaint", sentiment=-0.5)
    out = StringIO()
    call_command("rebuild_rollups", "--days", "2", "--entity", entity.slug, stdout=out)
    assert f"{entity.slug}: 2 days, 1 rollup rows" in out.getvalue()
    assert DailyRollup.objects.filter(entity=entity).count() == 1
