"""Polling: one poll per source at a time, the cursor moves only with its committed batch."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from channels_app.choices import ChannelStatus
from channels_app.platforms.base import AuthError, FetchResult, RateLimited, TransientError
from monitoring import services, tasks
from monitoring.models import Case, Mention, PollState
from strategy.choices import Role

from .conftest import nm
from .factories import ChannelFactory, ListeningQueryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(entity):
    return ChannelFactory(entity=entity, handle="alcaldia", account_id="999")


@pytest.fixture
def state(channel):
    services.poll_schedules_sync(entity=channel.entity)
    return PollState.objects.get(channel=channel, listening_query__isnull=True)


def test_poll_stores_batch_and_advances_cursor(state, scripted_client, pinned_classifier,
                                               django_capture_on_commit_callbacks):
    client = scripted_client([
        FetchResult(mentions=[nm(1, "QUEJA a"), nm(2, "PREGUNTA b", author="c2")],
                    next_cursor="c-2"),
        FetchResult(mentions=[nm(3, "QUEJA c", author="c3")], next_cursor="c-3"),
        FetchResult(mentions=[], next_cursor=None),
    ])
    # The poll commits its batch and cursor, then the triage task runs (eager Celery).
    with django_capture_on_commit_callbacks(execute=True):
        assert services.poll_source(poll_state_id=state.pk).status == "ok"
    state.refresh_from_db()
    assert state.cursor == "c-2" and state.last_fetched == 2
    assert state.last_success_at is not None and state.next_due_at > timezone.now()
    assert state.lease_until is None
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_source(poll_state_id=state.pk)
        services.poll_source(poll_state_id=state.pk)
    state.refresh_from_db()
    # Each call resumed from the stored cursor; an empty page leaves the cursor alone.
    assert [c[1] for c in client.calls] == [None, "c-2", "c-3"]
    assert state.cursor == "c-3"
    assert Mention.objects.count() == 3 and Case.objects.count() == 3


def test_repeated_page_changes_nothing(state, scripted_client, pinned_classifier,
                                      django_capture_on_commit_callbacks):
    page = FetchResult(mentions=[nm(1, "QUEJA a"), nm(2, "QUEJA b", author="c2")],
                       next_cursor="c-2")
    scripted_client([page, page])
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_source(poll_state_id=state.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = services.poll_source(poll_state_id=state.pk)
    assert (outcome.created, outcome.duplicates) == (0, 2)
    assert callbacks == []  # nothing new: no triage task
    assert Mention.objects.count() == 2 and Case.objects.count() == 2


def test_one_poll_per_source_at_a_time(state, scripted_client, pinned_classifier):
    client = scripted_client([FetchResult(mentions=[nm(1, "QUEJA")], next_cursor="c1")])
    token = services.poll_state_claim(state.pk)  # another worker holds the lease
    assert token
    assert services.poll_source(poll_state_id=state.pk).status == "skipped"
    assert client.calls == []
    assert services.poll_state_claim(state.pk) is None
    # An expired lease (a worker killed mid-poll) is taken over.
    PollState.objects.filter(pk=state.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1))
    assert services.poll_source(poll_state_id=state.pk).status == "ok"


def test_lost_lease_writes_nothing(state, scripted_client, pinned_classifier, monkeypatch):
    """If our lease expired and another poller took it mid-fetch, the batch is not written."""

    class Thief:
        platform = "x"

        def fetch_mentions(self, cursor):
            PollState.objects.filter(pk=state.pk).update(lease_token="someone-else")
            return FetchResult(mentions=[nm(1, "QUEJA")], next_cursor="c1")

    monkeypatch.setattr("monitoring.services._get_client", lambda channel: Thief())
    outcome = services.poll_source(poll_state_id=state.pk)
    assert outcome.status == "skipped"
    state.refresh_from_db()
    assert state.cursor == "" and Mention.objects.count() == 0


def test_rate_limit_pauses_the_source_without_moving_the_cursor(state, scripted_client):
    PollState.objects.filter(pk=state.pk).update(cursor="c-0")
    client = scripted_client([RateLimited("429", retry_after=900, status=429)])
    outcome = services.poll_source(poll_state_id=state.pk)
    assert outcome.status == "rate_limited"
    state.refresh_from_db()
    assert state.cursor == "c-0" and state.lease_until is None
    assert timedelta(seconds=890) < state.not_before - timezone.now() <= timedelta(seconds=900)
    assert "900" in state.last_error
    # Until the reset the source is not polled at all: no hammering.
    assert services.poll_source(poll_state_id=state.pk).status == "skipped"
    assert len(client.calls) == 1


def test_transient_errors_back_off_and_count(state, scripted_client, pinned_classifier):
    scripted_client([TransientError("500 from network"), TransientError("timeout"),
                     FetchResult(mentions=[nm(1, "QUEJA")], next_cursor="c1")])
    assert services.poll_source(poll_state_id=state.pk).status == "error"
    state.refresh_from_db()
    assert state.consecutive_failures == 1 and state.not_before > timezone.now()
    assert state.last_error == "500 from network" and state.cursor == ""
    PollState.objects.filter(pk=state.pk).update(not_before=None)
    services.poll_source(poll_state_id=state.pk)
    state.refresh_from_db()
    assert state.consecutive_failures == 2
    PollState.objects.filter(pk=state.pk).update(not_before=None)
    assert services.poll_source(poll_state_id=state.pk).status == "ok"
    state.refresh_from_db()
    assert state.consecutive_failures == 0 and state.cursor == "c1"
    assert state.last_error == "500 from network" or state.last_error  # history kept
    assert state.last_success_at > state.last_error_at


def test_backoff_grows_and_is_capped():
    assert services._backoff(1) < timedelta(seconds=40)
    assert services._backoff(3) > timedelta(seconds=90)
    assert services._backoff(30) <= services.MAX_BACKOFF * 1.2


def test_auth_error_flags_channel_and_alerts_admins(
        state, channel, scripted_client, member_factory, django_capture_on_commit_callbacks):
    admin = member_factory(channel.entity, Role.ENTITY_ADMIN)
    member_factory(channel.entity, Role.COMMUNITY_MANAGER)
    scripted_client([AuthError("401 token revoked", status=401)])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.poll_source(poll_state_id=state.pk)
    assert outcome.status == "auth_error"
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.NEEDS_RECONNECTION
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [admin.email]
    assert "necesita reconexión" in mail.outbox[0].subject
    # The channel is no longer polled, and a second failure does not e-mail again.
    assert services.poll_source(poll_state_id=state.pk).status == "skipped"
    assert not services.channel_mark_needs_reconnection(channel=channel, reason="again")


def test_unexpected_exception_is_recorded_and_raised(state, scripted_client):
    scripted_client([KeyError("data")])
    with pytest.raises(KeyError):
        services.poll_source(poll_state_id=state.pk)
    state.refresh_from_db()
    assert "KeyError" in state.last_error and state.lease_until is None


def test_schedules_follow_channels_and_queries(entity, channel):
    paused = ChannelFactory(entity=entity, platform="mastodon", status=ChannelStatus.PAUSED)
    ChannelFactory(entity=entity, platform="tiktok")  # no API client: not polled
    query = ListeningQueryFactory(entity=entity, platforms=["x", "mastodon"])
    services.poll_schedules_sync()
    tasks_by_name = {t.name: t for t in PeriodicTask.objects.filter(
        task__startswith="monitoring.tasks.poll_")}
    assert set(tasks_by_name) == {services.channel_task_name(channel),
                                  services.channel_task_name(paused),
                                  services.listening_task_name(query)}
    assert tasks_by_name[services.channel_task_name(channel)].enabled
    assert not tasks_by_name[services.channel_task_name(paused)].enabled
    assert tasks_by_name[services.channel_task_name(channel)].queue == "ingest"
    # The listening query searches with the active X channel only (mastodon is paused).
    assert PollState.objects.filter(listening_query=query).count() == 1
    # An interval edited in admin is kept by the next sync; removed sources lose their task.
    task = tasks_by_name[services.channel_task_name(channel)]
    from django_celery_beat.models import IntervalSchedule

    task.interval = IntervalSchedule.objects.create(every=600, period=IntervalSchedule.SECONDS)
    task.save()
    query.delete()
    report = services.poll_schedules_sync()
    assert report.removed == 1
    task.refresh_from_db()
    assert task.interval.every == 600


def test_listening_task_searches_each_network(entity, channel, scripted_client,
                                              pinned_classifier):
    query = ListeningQueryFactory(entity=entity, platforms=["x"], query="San Isidro")
    services.poll_schedules_sync(entity=entity)
    client = scripted_client([FetchResult(mentions=[nm(5, "QUEJA en San Isidro")],
                                          next_cursor="s1")])
    assert tasks.poll_listening_query(query.pk) == ["ok"]
    assert client.calls == [("search", None, "San Isidro")]
    mention = Mention.objects.get()
    assert mention.source == "listening" and mention.listening_query == query
    assert PollState.objects.get(listening_query=query).cursor == "s1"


def test_poll_channel_task(entity, channel, scripted_client, pinned_classifier):
    scripted_client([FetchResult(mentions=[nm(1, "QUEJA")], next_cursor="c1")])
    assert tasks.poll_channel(channel.pk) == "ok"
    assert tasks.poll_channel(123456) == "missing"
