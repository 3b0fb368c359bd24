"""Publishing replies through the sandbox networks over real HTTP: a transient failure (429
with Retry-After) backs off, the retry publishes, and the sandbox records the reply once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring import inbox_services as services
from monitoring.choices import CaseStatus
from monitoring.inbox_choices import ReplyStatus

from .test_inbox_helpers import *  # noqa: F403  (fixtures)
from .test_inbox_helpers import sandbox_case

pytestmark = pytest.mark.django_db


def test_reply_published_to_the_sandbox(entity, manager, inbox_sandbox,
                                        django_capture_on_commit_callbacks):
    case = sandbox_case(entity, inbox_sandbox)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_submit(actor=manager, case=case,
                                      text="Hola, ya reportamos el hueco a Obras Públicas.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED, reply.error
    [recorded] = inbox_sandbox.replies()
    assert recorded["text"] == "Hola, ya reportamos el hueco a Obras Públicas."
    assert recorded["in_reply_to"] == case.mentions.get().external_id
    assert reply.external_id == recorded["id"]
    assert reply.url.endswith(f"/status/{recorded['id']}")
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED


def test_rate_limited_then_retried_then_published_once(entity, manager, inbox_sandbox,
                                                       django_capture_on_commit_callbacks):
    case = sandbox_case(entity, inbox_sandbox)
    inbox_sandbox.control("POST", "/faults", kind="rate_limit", count=1, platform="x",
                          path="/2/tweets")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_submit(actor=manager, case=case, text="Con gusto le ayudamos.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.QUEUED
    assert reply.attempts == 1 and reply.error and reply.retry_after > timezone.now()
    assert inbox_sandbox.replies() == []
    # The periodic task finds it once its backoff has passed, and publishes it.
    later = reply.retry_after + timedelta(seconds=1)
    assert services.replies_due(now=later) == [reply.pk]
    assert services.reply_publish(reply_id=reply.pk, now=later).status == "published"
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED and reply.attempts == 2
    assert len(inbox_sandbox.replies()) == 1


def test_permanent_refusal_then_retry_button(entity, manager, inbox_sandbox,
                                             django_capture_on_commit_callbacks):
    case = sandbox_case(entity, inbox_sandbox)
    inbox_sandbox.control("POST", "/faults", kind="auth", count=1, platform="x",
                          path="/2/tweets")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_submit(actor=manager, case=case, text="Con gusto le ayudamos.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED and reply.error
    case.channel.refresh_from_db()
    assert case.channel.status == "needs_reconnection"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reply_retry(actor=manager, reply=reply)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert len(inbox_sandbox.replies()) == 1


@pytest.mark.parametrize("platform", ["facebook", "instagram", "youtube", "mastodon",
                                      "bluesky"])
def test_reply_threads_on_every_network(entity, manager, inbox_sandbox, platform,
                                        django_capture_on_commit_callbacks):
    case = sandbox_case(entity, inbox_sandbox, platform=platform)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_submit(actor=manager, case=case, text="Gracias, ya lo revisamos.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED, reply.error
    [recorded] = inbox_sandbox.replies(platform)
    assert recorded["in_reply_to"] == case.mentions.get().external_id
