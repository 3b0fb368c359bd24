"""Celery tasks of the dashboard (issue 7). Thin: take ids, call one function.

Schedules (config/settings/base.py CELERY_BEAT_SCHEDULE, queue "sweeps"):
- `refresh_rollups` every 10 minutes: today's rollups and any day that received late mentions.
- `sweep_alerts` every 15 minutes: absence, crisis, SLA, contracts, reconnection.
- `rebuild_recent_rollups` nightly: the last 7 days from scratch (belt and braces).
"""

import datetime
import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

ROLLUP_MARK_KEY = "dashboard:rollups:last_run"


@shared_task(name="monitoring.dashboard_tasks.refresh_rollups", ignore_result=True,
             time_limit=600, soft_time_limit=540)
def refresh_rollups() -> int:
    """Recompute today and the days touched since the previous run (with a 5-minute overlap)."""
    from .rollups import rollup_refresh_mark, rollups_refresh_recent

    now = timezone.now()
    last = cache.get(ROLLUP_MARK_KEY)
    since = (datetime.datetime.fromisoformat(last) if last
             else now - datetime.timedelta(hours=1)) - datetime.timedelta(minutes=5)
    done = rollups_refresh_recent(since=since, now=now)
    cache.set(ROLLUP_MARK_KEY, rollup_refresh_mark(now).isoformat(), timeout=None)
    return sum(len(days) for days in done.values())


@shared_task(name="monitoring.dashboard_tasks.recompute_rollup_day", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def recompute_rollup_day(entity_id: int, day: str) -> int:
    from .rollups import rollup_recompute_day

    return rollup_recompute_day(entity_id=entity_id, day=datetime.date.fromisoformat(day))


@shared_task(name="monitoring.dashboard_tasks.rebuild_recent_rollups", ignore_result=True,
             time_limit=3600, soft_time_limit=3500)
def rebuild_recent_rollups(days: int = 7) -> int:
    from protocols.deadlines import entity_tz
    from strategy.models import Entity

    from .rollups import rollup_recompute_range

    total = 0
    now = timezone.now()
    for entity in Entity.objects.all().only("pk", "timezone"):
        today = now.astimezone(entity_tz(entity)).date()
        total += rollup_recompute_range(entity_id=entity.pk,
                                        start=today - datetime.timedelta(days=days - 1),
                                        end=today)
    return total


@shared_task(name="monitoring.dashboard_tasks.sweep_alerts", ignore_result=True,
             time_limit=600, soft_time_limit=540)
def sweep_alerts() -> int:
    from strategy.models import Entity

    from .alerts import alerts_sweep_entity

    raised = 0
    for entity_id in Entity.objects.values_list("pk", flat=True):
        raised += len(alerts_sweep_entity(entity_id=entity_id))
    return raised


@shared_task(name="monitoring.dashboard_tasks.run_report_job", ignore_result=True,
             time_limit=3600, soft_time_limit=3500)
def run_report_job(job_id: int) -> str:
    from .reports import report_job_run

    job = report_job_run(job_id=job_id)
    return job.status if job is not None else "already_claimed"
