"""Celery tasks of the mention pipeline. Thin: take ids, call one service.

Schedules: one django-celery-beat row per channel and per listening query (kept by
`services.poll_schedules_sync`, editable in Django admin), plus the fixed entries in
config/settings/base.py CELERY_BEAT_SCHEDULE (the reconcile task, the triage sweeper).
"""

import logging

from celery import shared_task

from . import services
from .models import ListeningQuery, PollState

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.tasks.poll_channel", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def poll_channel(channel_id: int) -> str:
    """Poll one channel's mentions. Two beats firing at once: only one holds the lease."""
    state = PollState.objects.filter(channel_id=channel_id,
                                     listening_query__isnull=True).only("pk").first()
    if state is None:
        from channels_app.models import Channel

        channel = Channel.objects.filter(pk=channel_id).first()
        if channel is None:
            return "missing"
        state = services.poll_state_for(channel=channel)
    outcome = services.poll_source(poll_state_id=state.pk)
    return outcome.status


@shared_task(name="monitoring.tasks.poll_listening_query", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def poll_listening_query(query_id: int) -> list[str]:
    """Run a listening query's search on each network it covers (one lease per network)."""
    query = ListeningQuery.objects.filter(pk=query_id, active=True).first()
    if query is None:
        return []
    statuses = []
    for state in services.poll_states_for_listening(query):
        statuses.append(services.poll_source(poll_state_id=state.pk).status)
    return statuses


@shared_task(name="monitoring.tasks.poll_source", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def poll_source(poll_state_id: int) -> str:
    return services.poll_source(poll_state_id=poll_state_id).status


@shared_task(name="monitoring.tasks.process_webhook_delivery", ignore_result=True,
             time_limit=120, soft_time_limit=100)
def process_webhook_delivery(delivery_id: int) -> str:
    delivery = services.webhook_delivery_process(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "already_claimed"


@shared_task(name="monitoring.tasks.triage_mentions", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def triage_mentions(mention_ids: list[int]) -> int:
    """Stage 2 of ingestion for mentions a poll or webhook just stored (enqueued on commit).

    Run twice, or by two workers at once, it triages each mention once (see the service).
    """
    return services.mentions_triage(mention_ids=mention_ids).triaged


@shared_task(name="monitoring.tasks.triage_stranded_mentions", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def triage_stranded_mentions() -> int:
    """Mentions whose triage task was lost (broker down at the commit, worker killed)."""
    return services.mentions_triage_stranded()


@shared_task(name="monitoring.tasks.reconcile_poll_schedules", ignore_result=True,
             time_limit=120, soft_time_limit=100)
def reconcile_poll_schedules() -> int:
    report = services.poll_schedules_sync()
    return report.changed + report.removed


@shared_task(name="monitoring.tasks.retry_stuck_webhook_deliveries", ignore_result=True,
             time_limit=300, soft_time_limit=240)
def retry_stuck_webhook_deliveries() -> int:
    """Deliveries left in 'received' (the enqueue was lost, e.g. broker down) get processed;
    one left in 'processing' for 15 minutes (its worker died: processing takes seconds) too."""
    from datetime import timedelta

    from django.utils import timezone

    from .choices import DeliveryStatus
    from .models import WebhookDelivery

    now = timezone.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.PROCESSING, received_at__lt=now - timedelta(minutes=15),
    ).update(status=DeliveryStatus.RECEIVED)
    ids = list(WebhookDelivery.objects.filter(
        status=DeliveryStatus.RECEIVED, received_at__lt=now - timedelta(minutes=5),
    ).values_list("pk", flat=True)[:200])
    for delivery_id in ids:
        services.webhook_delivery_process(delivery_id=delivery_id)
    return len(ids)


@shared_task(name="monitoring.tasks.retrain_classifier", ignore_result=True,
             time_limit=1800, soft_time_limit=1700)
def retrain_classifier() -> dict:
    """Retrain the classifier on the shipped corpus plus the community managers' corrections."""
    from monitoring.classifier import train

    from .selectors import correction_examples

    report = train(extra_examples=list(correction_examples()))
    logger.info("Classifier retrained: %s", report)
    as_dict = getattr(report, "as_dict", None)
    return as_dict() if callable(as_dict) else {"report": str(report)}


# Register the inbox's and the dashboard's tasks with Celery.
from . import dashboard_tasks, inbox_tasks  # noqa: E402,F401

__import__("monitoring.retention_tasks")  # registers the nightly data retention (Ley 1581)
