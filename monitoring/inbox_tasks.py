"""Celery tasks of the complaint inbox. Thin: take ids, call one service.

Schedules (config/settings/base.py CELERY_BEAT_SCHEDULE): `publish_due_replies` every 30 s
(retries of transient failures), `sla_sweep` every 5 min, `release_stale_claims` every 5 min.
"""

from celery import shared_task

from . import inbox_services


@shared_task(name="monitoring.inbox_tasks.publish_reply", ignore_result=True,
             time_limit=120, soft_time_limit=100)
def publish_reply(reply_id: int) -> str:
    """Publish one queued reply (a no-op if another worker already claimed it)."""
    return inbox_services.reply_publish(reply_id=reply_id).status


@shared_task(name="monitoring.inbox_tasks.publish_due_replies", ignore_result=True,
             time_limit=120, soft_time_limit=100)
def publish_due_replies() -> int:
    """Replies whose backoff has elapsed go to the publish queue again."""
    ids = inbox_services.replies_due()
    for reply_id in ids:
        publish_reply.delay(reply_id)
    return len(ids)


@shared_task(name="monitoring.inbox_tasks.sla_sweep", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def sla_sweep() -> int:
    return inbox_services.sla_sweep()


@shared_task(name="monitoring.inbox_tasks.release_stale_claims", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def release_stale_claims() -> int:
    return inbox_services.claims_release_stale()
