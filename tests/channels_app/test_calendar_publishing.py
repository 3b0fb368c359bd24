"""Exactly-once publishing of scheduled posts, against the sandbox networks over HTTP:
a retried task, a worker that dies after the network accepted, transient and permanent
failures, and the author's notification."""

import datetime
import threading

import httpx
import pytest
import respx
from django.core import mail
from django.utils import timezone

from channels_app import calendar_services as services
from channels_app import calendar_tasks
from channels_app.calendar_models import PostStatus, ScheduledPost
from channels_app.choices import Platform
from channels_app.models import Channel
from channels_app.sandbox.accounts import BASE_PATHS, DEMO_ACCOUNTS
from channels_app.sandbox.app import make_sandbox_server
from strategy.choices import Role


@pytest.fixture(scope="module")
def sandbox_server():
    server, app = make_sandbox_server("127.0.0.1", 0, rate_per_minute=0, history=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield app
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox(sandbox_server):
    from channels_app.platforms.bluesky import forget_sessions

    sandbox_server.world.reset(seed=2026, rate_per_minute=0, history=0)
    forget_sessions()  # Bluesky sessions cached by the client die with the reset world
    yield sandbox_server
    sandbox_server.world.clear_faults()
    forget_sessions()


def posts_received(sandbox, platform="mastodon"):
    """What the network recorded, read through the sandbox's control endpoint."""
    replies = httpx.get(f"{sandbox.url}/_sandbox/replies", params={"platform": platform},
                        timeout=10).json()["replies"]
    return [r for r in replies if not r["in_reply_to"]]


@pytest.fixture
def mastodon_channel(entity, sandbox):
    account = next(a for a in DEMO_ACCOUNTS if a.platform == "mastodon")
    return Channel.objects.create(
        entity=entity, platform=Platform.MASTODON, handle=account.handle,
        account_id=account.account_id, access_token=account.token,
        api_base_url=sandbox.url + BASE_PATHS["mastodon"])


@pytest.fixture
def author(entity, member_factory):
    return member_factory(entity, Role.COMMUNITY_MANAGER)


def approved_post(entity, channel, author, *, minutes_ago=1, text=None):
    return ScheduledPost.objects.create(
        entity=entity, channel=channel, author=author, status=PostStatus.SCHEDULED,
        text=text or "Este sábado hay jornada de vacunación en el parque principal.",
        link="https://www.sanisidro.gov.co/vacunacion",
        scheduled_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        approved_by=author, approved_at=timezone.now() - datetime.timedelta(hours=1))


def test_publishes_once_and_records_the_network_id_and_link(entity, mastodon_channel,
                                                            author, sandbox):
    post = approved_post(entity, mastodon_channel, author)
    assert services.due_post_ids() == [post.pk]
    assert calendar_tasks.publish_post(post.pk) == "published"
    # The task delivered twice (acks_late, a second beat): nothing more happens.
    assert calendar_tasks.publish_post(post.pk) == "not_due"
    post.refresh_from_db()
    received = posts_received(sandbox)
    assert len(received) == 1
    assert received[0]["idempotency_key"] == str(post.idempotency_key)
    assert received[0]["text"] == post.full_text
    assert post.status == PostStatus.PUBLISHED and post.attempts == 1
    assert post.external_id == received[0]["id"] and post.external_url.startswith("http")
    assert post.published_at is not None and post.lease_until is None


def test_not_published_before_its_time(entity, mastodon_channel, author, sandbox):
    post = approved_post(entity, mastodon_channel, author, minutes_ago=-10)
    assert services.post_publish(post_id=post.pk).status == "not_due"
    assert services.due_post_ids() == []
    assert posts_received(sandbox) == []


def test_worker_dies_after_the_network_accepted(entity, mastodon_channel, author, sandbox):
    post = approved_post(entity, mastodon_channel, author)
    now = timezone.now()
    # A worker claims the post and the network accepts it; the worker dies before it
    # records anything, so the row stays "publishing" until its lease expires.
    assert ScheduledPost.objects.filter(pk=post.pk, status=PostStatus.SCHEDULED).update(
        status=PostStatus.PUBLISHING, attempts=1, lease_until=now + services.PUBLISH_LEASE,
        attempt_started_at=now) == 1
    post.refresh_from_db()
    accepted = httpx.post(
        f"{mastodon_channel.api_base_url}/api/v1/statuses",
        headers={"Authorization": f"Bearer {mastodon_channel.access_token}",
                 "Idempotency-Key": str(post.idempotency_key)},
        json={"status": post.full_text, "visibility": "public"}, timeout=10).json()
    # While the lease holds, nobody else touches it.
    assert services.posts_recover_stale(now=now)["requeued"] == 0
    assert services.post_publish(post_id=post.pk).status == "not_due"
    later = now + services.PUBLISH_LEASE + datetime.timedelta(seconds=1)
    assert services.posts_recover_stale(now=later) == {"requeued": 1, "published": 0,
                                                       "needs_check": 0}
    assert services.post_publish(post_id=post.pk, now=later).status == "published"
    post.refresh_from_db()
    assert len(posts_received(sandbox)) == 1  # the network deduplicated the same key
    assert post.external_id == accepted["id"] and post.status == PostStatus.PUBLISHED
    assert post.attempts == 2


def test_beat_recovers_and_publishes(entity, mastodon_channel, author, sandbox, monkeypatch):
    """publish_due_posts enqueues each due post; run the queue inline."""
    sent = []
    monkeypatch.setattr(calendar_tasks.publish_post, "delay",
                        lambda post_id: sent.append(calendar_tasks.publish_post(post_id)))
    first = approved_post(entity, mastodon_channel, author)
    second = approved_post(entity, mastodon_channel, author, text="Segundo aviso del día.")
    assert calendar_tasks.publish_due_posts() == 2
    assert sent == ["published", "published"]
    assert calendar_tasks.publish_due_posts() == 0
    assert {p["text"] for p in posts_received(sandbox)} == {first.full_text, second.full_text}


def test_transient_failures_retry_with_backoff_then_publish_once(entity, mastodon_channel,
                                                                 author, sandbox):
    post = approved_post(entity, mastodon_channel, author)
    # More 500s than the transport's own retries: the attempt fails as transient.
    sandbox.world.add_fault("error_500", count=3, platform="mastodon",
                            path="/api/v1/statuses")
    now = timezone.now()
    assert services.post_publish(post_id=post.pk, now=now).status == "retry"
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and "500" in post.error
    assert post.retry_after == now + datetime.timedelta(seconds=services.PUBLISH_BACKOFF[0])
    assert services.post_publish(post_id=post.pk, now=now).status == "not_due"  # backing off
    assert services.post_publish(post_id=post.pk, now=post.retry_after).status == "published"
    assert len(posts_received(sandbox)) == 1
    assert mail.outbox == []


def test_rate_limit_waits_as_long_as_the_network_asks(entity, mastodon_channel, author,
                                                      sandbox):
    post = approved_post(entity, mastodon_channel, author)
    sandbox.world.add_fault("rate_limit", platform="mastodon", path="/api/v1/statuses",
                            reset_in=600)
    now = timezone.now()
    assert services.post_publish(post_id=post.pk, now=now).status == "retry"
    post.refresh_from_db()
    assert post.retry_after >= now + datetime.timedelta(seconds=590)
    assert posts_received(sandbox) == []


def test_permanent_failure_is_marked_and_the_author_told(entity, mastodon_channel, author,
                                                         sandbox):
    post = approved_post(entity, mastodon_channel, author, text="x" * 501)  # over 500
    assert services.post_publish(post_id=post.pk).status == "failed"
    post.refresh_from_db()
    # Refused by the client's length check or by the network's 422: either way, for good.
    assert post.status == PostStatus.FAILED and "500" in post.error
    assert posts_received(sandbox) == []
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [author.email]
    assert "no se publicó" in mail.outbox[0].subject or "not published" in mail.outbox[0].subject
    # Nothing publishes it again by itself.
    assert services.post_publish(post_id=post.pk).status == "not_due"


def test_revoked_token_marks_the_channel(entity, mastodon_channel, author, sandbox):
    post = approved_post(entity, mastodon_channel, author)
    sandbox.world.add_fault("auth", platform="mastodon", path="/api/v1/statuses")
    assert services.post_publish(post_id=post.pk).status == "failed"
    mastodon_channel.refresh_from_db()
    assert mastodon_channel.status == "needs_reconnection"


def test_unknown_outcome_without_idempotency_waits_for_a_person(entity, author,
                                                                member_factory):
    """On a network without Idempotency-Key that cannot be asked, a worker that died
    mid-publish never leads to a blind second post."""
    channel = Channel.objects.create(entity=entity, platform=Platform.LINKEDIN,
                                     handle="entidad")
    post = approved_post(entity, channel, author)
    now = timezone.now()
    ScheduledPost.objects.filter(pk=post.pk).update(
        status=PostStatus.PUBLISHING, attempts=1, lease_until=now - datetime.timedelta(
            seconds=1), attempt_started_at=now - datetime.timedelta(minutes=7))
    assert services.posts_recover_stale(now=now)["needs_check"] == 1
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_CHECK
    assert services.post_publish(post_id=post.pk).status == "not_due"
    assert len(mail.outbox) == 1
    # A person checks the account and says it is there.
    services.post_resolve_check(actor=author, post=post, published=True,
                                external_url="https://www.linkedin.com/feed/update/1")
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_unsupported_network_fails_permanently(entity, author):
    channel = Channel.objects.create(entity=entity, platform=Platform.TIKTOK, handle="entidad")
    post = approved_post(entity, channel, author)
    assert services.post_publish(post_id=post.pk).status == "failed"
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED and post.attempts == 1


def _channel_for(entity, sandbox, platform):
    account = next(a for a in DEMO_ACCOUNTS if a.platform == platform)
    return Channel.objects.create(
        entity=entity, platform=platform, handle=account.handle,
        account_id=account.account_id, access_token=account.token,
        api_base_url=sandbox.url + BASE_PATHS[platform])


def test_publishes_to_x_without_idempotency_header(entity, author, sandbox):
    channel = _channel_for(entity, sandbox, Platform.X)
    post = approved_post(entity, channel, author, text="Atención: cierre vial en la calle 10.")
    assert services.post_publish(post_id=post.pk).status == "published"
    received = posts_received(sandbox, "x")
    assert [r["text"] for r in received] == [post.full_text]
    post.refresh_from_db()
    assert post.external_id == received[0]["id"]


def test_x_retry_after_an_unknown_outcome_is_not_blind(entity, author, sandbox):
    """X has no Idempotency-Key: after a 5xx (the network may have created the post) the
    retry does not post again unless the post can be looked up; here it waits for a
    person, who checks the account."""
    channel = _channel_for(entity, sandbox, Platform.X)
    post = approved_post(entity, channel, author, text="Hoy no hay servicio de agua.")
    # One 5xx: the transport never re-sends a POST by itself, the post row decides.
    sandbox.world.add_fault("error_500", count=1, platform="x", path="/2/tweets")
    now = timezone.now()
    assert services.post_publish(post_id=post.pk, now=now).status == "retry"
    post.refresh_from_db()
    assert post.error_unknown
    assert services.post_publish(post_id=post.pk, now=post.retry_after).status == "needs_check"
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_CHECK and len(mail.outbox) == 1
    assert posts_received(sandbox, "x") == []
    # The person sees it is not there and asks to publish again: it goes out once.
    services.post_resolve_check(actor=author, post=post, published=False)
    assert services.post_publish(post_id=post.pk).status == "published"
    assert len(posts_received(sandbox, "x")) == 1


def test_x_rate_limit_is_a_known_outcome_and_retries_by_itself(entity, author, sandbox):
    channel = _channel_for(entity, sandbox, Platform.X)
    post = approved_post(entity, channel, author)
    sandbox.world.add_fault("rate_limit", platform="x", path="/2/tweets", reset_in=5)
    now = timezone.now()
    assert services.post_publish(post_id=post.pk, now=now).status == "retry"
    post.refresh_from_db()
    assert not post.error_unknown  # a 429 proves nothing was created
    assert services.post_publish(post_id=post.pk, now=post.retry_after).status == "published"
    assert len(posts_received(sandbox, "x")) == 1


def test_youtube_community_posts_fail_with_a_clear_message(entity, author, sandbox):
    channel = _channel_for(entity, sandbox, Platform.YOUTUBE)
    post = approved_post(entity, channel, author)
    assert services.post_publish(post_id=post.pk).status == "failed"
    post.refresh_from_db()
    assert "YouTube" in post.error and len(mail.outbox) == 1


IG_BASE = "https://graph.facebook.com/v25.0"
IG_USER = "17841400000000101"


@respx.mock
def test_instagram_publishes_one_image_with_container_and_publish(entity, author):
    container = respx.post(f"{IG_BASE}/{IG_USER}/media").mock(
        return_value=httpx.Response(200, json={"id": "17889455560051444"}))
    publish = respx.post(f"{IG_BASE}/{IG_USER}/media_publish").mock(
        return_value=httpx.Response(200, json={"id": "17920238422030506"}))
    channel = Channel.objects.create(entity=entity, platform=Platform.INSTAGRAM,
                                     handle="alcaldiasanisidro", account_id=IG_USER,
                                     access_token="tok")
    post = approved_post(entity, channel, author, text="Así quedó el nuevo parque.")
    services.media_add(actor=author, post=post, kind="image",
                       url="https://www.sanisidro.gov.co/parque.jpg",
                       alt_text="Niños jugando en el nuevo parque del barrio Centro")
    ScheduledPost.objects.filter(pk=post.pk).update(status=PostStatus.SCHEDULED,
                                                    approved_at=timezone.now())
    assert services.post_publish(post_id=post.pk).status == "published"
    sent = container.calls.last.request.url.params
    assert sent["image_url"] == "https://www.sanisidro.gov.co/parque.jpg"
    assert sent["alt_text"].startswith("Niños jugando")
    assert sent["caption"] == post.full_text
    assert publish.calls.last.request.url.params["creation_id"] == "17889455560051444"
    post.refresh_from_db()
    assert post.external_id == "17920238422030506"


@respx.mock
def test_instagram_text_only_post_fails_permanently_without_a_request(entity, author):
    route = respx.post(f"{IG_BASE}/{IG_USER}/media")
    channel = Channel.objects.create(entity=entity, platform=Platform.INSTAGRAM,
                                     handle="alcaldiasanisidro", account_id=IG_USER,
                                     access_token="tok")
    post = approved_post(entity, channel, author)
    assert services.post_publish(post_id=post.pk).status == "failed"
    assert not route.called
    post.refresh_from_db()
    assert "image" in post.error


def _die_while_publishing(post, now):
    """A worker claimed the post and died: the row stays "publishing" past its lease."""
    assert ScheduledPost.objects.filter(pk=post.pk, status=PostStatus.SCHEDULED).update(
        status=PostStatus.PUBLISHING, attempts=1, lease_until=now - datetime.timedelta(
            seconds=1), attempt_started_at=now - datetime.timedelta(minutes=7)) == 1
    post.refresh_from_db()


def test_bluesky_worker_died_after_accept_is_found_not_reposted(entity, author, sandbox):
    """Bluesky has no Idempotency-Key: before retrying, the post is looked up on the
    account (searchPosts author=) and, found, recorded instead of sent again."""
    from channels_app.platforms import get_client

    channel = _channel_for(entity, sandbox, Platform.BLUESKY)
    post = approved_post(entity, channel, author, text="Mañana hay corte de energía en el "
                                                       "barrio Centro de 8 a 12.")
    now = timezone.now()
    _die_while_publishing(post, now)
    accepted = get_client(channel).publish(text=post.full_text)  # what the dead worker sent
    assert services.posts_recover_stale(now=now) == {"requeued": 0, "published": 1,
                                                     "needs_check": 0}
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.external_id == accepted.external_id
    assert len(posts_received(sandbox, "bluesky")) == 1
    assert services.post_publish(post_id=post.pk).status == "not_due"


def test_bluesky_worker_died_before_sending_is_published_once(entity, author, sandbox):
    channel = _channel_for(entity, sandbox, Platform.BLUESKY)
    post = approved_post(entity, channel, author, text="Feria de empleo el viernes.")
    now = timezone.now()
    _die_while_publishing(post, now)
    assert services.posts_recover_stale(now=now)["requeued"] == 1
    assert services.post_publish(post_id=post.pk).status == "published"
    assert [r["text"] for r in posts_received(sandbox, "bluesky")] == [post.full_text]


def test_bluesky_retry_after_a_5xx_checks_first(entity, author, sandbox):
    channel = _channel_for(entity, sandbox, Platform.BLUESKY)
    post = approved_post(entity, channel, author, text="Inscripciones abiertas para cursos.")
    sandbox.world.add_fault("error_500", count=1, platform="bluesky",
                            path="/xrpc/com.atproto.repo.createRecord")
    now = timezone.now()
    assert services.post_publish(post_id=post.pk, now=now).status == "retry"
    post.refresh_from_db()
    assert post.error_unknown
    assert services.post_publish(post_id=post.pk, now=post.retry_after).status == "published"
    assert len(posts_received(sandbox, "bluesky")) == 1
    searched = [r for r in sandbox.world.requests if r["path"].endswith("searchPosts")]
    assert searched, "the retry looked the post up before sending it again"
