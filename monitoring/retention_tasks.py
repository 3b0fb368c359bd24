"""The nightly retention run (Ley 1581 de 2012): one entity at a time, each in its own
transaction, so one entity's failure does not stop the others."""

import logging

from celery import shared_task

from strategy.models import Entity

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.retention_tasks.purge_expired_data", ignore_result=True,
             time_limit=3600, soft_time_limit=3500)
def purge_expired_data() -> dict:
    from .retention import purge_expired

    done = {}
    for entity_id, slug in Entity.objects.values_list("pk", "slug"):
        try:
            result = purge_expired(Entity.objects.get(pk=entity_id))
        except Exception:
            logger.exception("Retention run failed for entity %s", slug)
            continue
        done[slug] = result["mentions"]
    return done
