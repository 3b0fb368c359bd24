"""Foundation tasks."""

from celery import shared_task
from django.db import connection


@shared_task(name="strategy.ping_database", time_limit=30, soft_time_limit=20)
def ping_database(entity_public_id: str) -> dict:
    """A round-trip check used by the health page and the integration tests.

    It proves a worker is consuming the queue and reaching the same database.
    """
    from .models import Entity

    entity = Entity.objects.only("name", "slug").get(public_id=entity_public_id)
    return {"entity": entity.slug, "name": entity.name, "database": connection.vendor}


@shared_task(name="strategy.deliver_webhook", time_limit=60, soft_time_limit=45)
def deliver_webhook(delivery_id: int) -> str:
    from .integrations import webhook_deliver

    return webhook_deliver(delivery_id)


@shared_task(name="strategy.retry_due_webhooks", time_limit=300, soft_time_limit=240)
def retry_due_webhooks() -> int:
    """Beat sends the retries whose time has come (the delays live on the rows)."""
    from .integrations import webhook_due_delivery_ids

    ids = webhook_due_delivery_ids()
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)
