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
