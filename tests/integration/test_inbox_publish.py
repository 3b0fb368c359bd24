"""A reply goes through PostgreSQL, Redis and a real Celery worker (queue "publish") to the
sandbox network: first refused with a 429, retried by the periodic task, published once."""

import time

from django.utils import timezone

from monitoring import inbox_services as services
from monitoring.inbox_choices import ReplyStatus
from monitoring.inbox_models import Reply
from strategy.choices import Role
from tests.monitoring.test_inbox_helpers import *  # noqa: F403  (sandbox fixtures)
from tests.monitoring.test_inbox_helpers import sandbox_case


def _wait_for(reply, statuses, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply.refresh_from_db()
        if reply.status in statuses:
            return reply
        time.sleep(0.2)
    raise AssertionError(f"reply stayed {reply.status}: {reply.error}")


def test_worker_publishes_retries_and_the_sandbox_gets_it_once(
        celery_worker_process, entity, member_factory, inbox_sandbox):
    from monitoring.inbox_tasks import publish_due_replies

    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    case = sandbox_case(entity, inbox_sandbox)
    inbox_sandbox.control("POST", "/faults", kind="rate_limit", count=1, platform="x",
                          path="/2/tweets")
    reply = services.reply_submit(actor=manager, case=case, text="Con gusto le ayudamos.")
    # The worker got it from Redis after the commit, and the network said 429.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reply.refresh_from_db()
        if reply.attempts >= 1 and reply.status == ReplyStatus.QUEUED:
            break
        time.sleep(0.2)
    assert reply.status == ReplyStatus.QUEUED and reply.retry_after and reply.error
    assert inbox_sandbox.replies() == []
    # Its backoff has passed: the periodic task sends it to the worker again.
    Reply.objects.filter(pk=reply.pk).update(retry_after=timezone.now())
    publish_due_replies.delay().get(timeout=30)
    reply = _wait_for(reply, {ReplyStatus.PUBLISHED, ReplyStatus.FAILED})
    assert reply.status == ReplyStatus.PUBLISHED, reply.error
    assert reply.attempts == 2
    assert len(inbox_sandbox.replies()) == 1
