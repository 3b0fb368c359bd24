"""Payloads of the outgoing webhook events about cases (see strategy.integrations)."""

from django.conf import settings
from django.urls import reverse


def case_webhook_payload(case, *, entity) -> dict:
    """What an entity's PQRSD or document system needs to file the case on its side."""
    path = reverse("monitoring:case_detail",
                   kwargs={"entity_slug": entity.slug, "case_id": case.public_id})
    return {
        "case": str(case.public_id),
        "status": case.status,
        "platform": case.platform,
        "category": case.category,
        "pqrsd_type": case.pqrsd_type,
        "urgency": case.urgency,
        "opened_at": case.opened_at,
        "first_response_due": case.first_response_due,
        "legal_due": case.legal_due,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
