"""API tokens and outgoing webhooks: the writes and the delivery worker's logic.

Outgoing webhook deliveries are signed like Stripe's: header
`X-Redes-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
so receivers can refuse replays older than a few minutes.
"""

import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta

import httpx
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .integration_models import (
    ApiToken,
    DeliveryState,
    TokenScope,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventDelivery,
)
from .services import audit_record

TOKEN_PREFIX = "re_"  # noqa: S105  (a public marker, not a secret)
MAX_TOKEN_DAYS = 366
# Seconds to wait before each retry; after the last one the delivery is marked failed.
WEBHOOK_RETRY_DELAYS = (30, 120, 600, 3600, 6 * 3600)
WEBHOOK_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, entity, name: str, scopes: list[str], days: int,
                     rate_limit_per_minute: int = 120) -> tuple[ApiToken, str]:
    """Create a token; return it with the clear value, which is never stored nor shown again."""
    unknown = set(scopes) - set(TokenScope.values)
    if not scopes or unknown:
        raise ValidationError(_("Choose at least one valid scope."))
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(_("A token lasts between 1 and %(max)s days.")
                              % {"max": MAX_TOKEN_DAYS})
    prefix = secrets.token_hex(4)
    clear = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        entity=entity, user=actor, name=name, prefix=prefix, token_hash=_hash(clear),
        scopes=sorted(scopes), expires_at=timezone.now() + timedelta(days=days),
        rate_limit_per_minute=rate_limit_per_minute)
    audit_record(entity=entity, actor=actor, action="api_token.create", obj=token,
                 after={"name": name, "scopes": sorted(scopes), "days": days})
    return token, clear


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(entity=token.entity, actor=actor, action="api_token.revoke", obj=token)


def api_token_lookup(clear: str) -> ApiToken | None:
    """The usable token with this value, or None. Constant-time over the stored hash."""
    if not clear.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("entity", "user")
             .filter(token_hash=_hash(clear)).first())
    if token is None or not hmac.compare_digest(token.token_hash, _hash(clear)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    return token


def api_token_touch(token: ApiToken) -> None:
    # At most one write a minute per token: the API's hot path stays read-only.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@transaction.atomic
def webhook_endpoint_create(*, actor, entity, url: str, events: list[str]) -> WebhookEndpoint:
    if not events or set(events) - set(WebhookEvent.values):
        raise ValidationError(_("Choose at least one valid event."))
    endpoint = WebhookEndpoint(entity=entity, url=url, events=sorted(events),
                               secret=secrets.token_urlsafe(32), created_by=actor)
    endpoint.full_clean()
    endpoint.save()
    audit_record(entity=entity, actor=actor, action="webhook.create", obj=endpoint,
                 after={"url": url, "events": sorted(events)})
    return endpoint


@transaction.atomic
def webhook_endpoint_deactivate(*, actor, endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    audit_record(entity=endpoint.entity, actor=actor, action="webhook.deactivate", obj=endpoint)


def webhook_emit(*, entity, event: str, payload: dict) -> list[WebhookEventDelivery]:
    """Record one delivery per subscribed endpoint; workers send them after the commit."""
    return webhook_emit_many(entity=entity, event=event, payloads=[payload])


def webhook_emit_many(*, entity, event: str, payloads) -> list[WebhookEventDelivery]:
    """The batched form for workers: one query for the endpoints, one INSERT for the rows.

    `payloads` may be a generator: it is only consumed when some endpoint listens.
    """
    from .tasks import deliver_webhook

    endpoints = [e for e in WebhookEndpoint.objects.filter(entity=entity, is_active=True)
                 if event in e.events]
    if not endpoints:
        return []
    bodies = [json.loads(json.dumps(p, cls=DjangoJSONEncoder)) for p in payloads]
    now = timezone.now()
    deliveries = WebhookEventDelivery.objects.bulk_create([
        WebhookEventDelivery(endpoint=endpoint, event=event, payload=body, next_attempt_at=now)
        for endpoint in endpoints for body in bodies
    ])
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.delay(pk))
    return deliveries


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def webhook_body(delivery: WebhookEventDelivery) -> bytes:
    envelope = {"id": str(delivery.public_id), "event": delivery.event,
                "entity": delivery.endpoint.entity.slug,
                "created_at": delivery.created_at.isoformat(), "data": delivery.payload}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_deliver(delivery_id: int, *, http_client: httpx.Client | None = None) -> str:
    """Send one delivery if it is due; record the outcome. Returns the new state."""
    now = timezone.now()
    # Claim the row: two workers never send the same delivery at once.
    claimed = WebhookEventDelivery.objects.filter(
        pk=delivery_id, state__in=[DeliveryState.PENDING, DeliveryState.RETRYING],
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + timedelta(minutes=5))
    if claimed != 1:
        return "skipped"
    delivery = WebhookEventDelivery.objects.select_related("endpoint__entity").get(pk=delivery_id)
    body = webhook_body(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "RedesEstado-Webhooks/1.0",
        "X-Redes-Event": delivery.event,
        "X-Redes-Delivery": str(delivery.public_id),
        "X-Redes-Signature": webhook_signature(delivery.endpoint.secret, timestamp, body),
    }
    client = http_client or httpx.Client(timeout=WEBHOOK_TIMEOUT)
    status_code, error = None, ""
    try:
        response = client.post(delivery.endpoint.url, content=body, headers=headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = _("The receiver answered HTTP %(status)s.") % {"status": status_code}
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    finally:
        if http_client is None:
            client.close()
    return _record_attempt(delivery, status_code=status_code, error=error)


def _record_attempt(delivery: WebhookEventDelivery, *, status_code, error: str) -> str:
    attempts = delivery.attempts + 1
    now = timezone.now()
    update = {"attempts": attempts, "last_status_code": status_code, "last_error": error}
    if not error:
        update.update(state=DeliveryState.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif attempts > len(WEBHOOK_RETRY_DELAYS):
        update.update(state=DeliveryState.FAILED, next_attempt_at=None)
    else:
        delay = WEBHOOK_RETRY_DELAYS[attempts - 1]
        update.update(state=DeliveryState.RETRYING,
                      next_attempt_at=now + timedelta(seconds=delay))
    WebhookEventDelivery.objects.filter(pk=delivery.pk).update(**update)
    return update["state"]


@transaction.atomic
def webhook_resend(*, actor, delivery: WebhookEventDelivery) -> WebhookEventDelivery:
    """A person asks to send an event again: a new delivery row, the old one stays in the log."""
    from .tasks import deliver_webhook

    copy = WebhookEventDelivery.objects.create(
        endpoint=delivery.endpoint, event=delivery.event, payload=delivery.payload,
        next_attempt_at=timezone.now())
    audit_record(entity=delivery.endpoint.entity, actor=actor, action="webhook.resend",
                 obj=delivery.endpoint, after={"delivery": str(delivery.public_id)})
    transaction.on_commit(lambda: deliver_webhook.delay(copy.pk))
    return copy


def webhook_due_delivery_ids(limit: int = 500) -> list[int]:
    return list(WebhookEventDelivery.objects.filter(
        state__in=[DeliveryState.PENDING, DeliveryState.RETRYING],
        next_attempt_at__lte=timezone.now()).values_list("pk", flat=True)[:limit])
