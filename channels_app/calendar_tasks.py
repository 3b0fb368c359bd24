"""Celery tasks of the editorial calendar, on the "publish" queue. Thin: ids in, one
service call.

Schedules (config/settings/base.py CELERY_BEAT_SCHEDULE): `publish_due_posts` every 30 s
(a post goes out at most 30 s after its time; stale claims are recovered first), and
`materialize_recurring_posts` every hour (series keep four weeks of posts ahead).
"""

from celery import shared_task

from . import calendar_services

__all__ = ["materialize_recurring_posts", "publish_due_posts", "publish_post"]


@shared_task(name="channels_app.calendar_tasks.publish_post", ignore_result=True,
             time_limit=120, soft_time_limit=100)
def publish_post(post_id: int) -> str:
    """Publish one due post; a no-op when another worker already claimed it."""
    return calendar_services.post_publish(post_id=post_id).status


@shared_task(name="channels_app.calendar_tasks.publish_due_posts", ignore_result=True,
             time_limit=120, soft_time_limit=100)
def publish_due_posts() -> int:
    """Recover posts whose worker died, then enqueue every due post once per beat."""
    calendar_services.posts_recover_stale()
    ids = calendar_services.due_post_ids()
    for post_id in ids:
        publish_post.delay(post_id)
    return len(ids)


@shared_task(name="channels_app.calendar_tasks.materialize_recurring_posts",
             ignore_result=True, time_limit=300, soft_time_limit=240)
def materialize_recurring_posts() -> int:
    return calendar_services.recurring_materialize_all()
