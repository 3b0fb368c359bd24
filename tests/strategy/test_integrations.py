"""API tokens (scopes, expiry, entity binding, rate limits) and signed outgoing webhooks."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from strategy import integrations
from strategy.choices import Role
from strategy.integration_models import ApiToken, DeliveryState, WebhookEventDelivery


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _token(entity, user, scopes=("read",), days=30, **kwargs):
    return integrations.api_token_create(actor=user, entity=entity, name="Gestor documental",
                                         scopes=list(scopes), days=days, **kwargs)


def _api(clear):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    return client


def test_token_reads_its_entity(entity, admin_user):
    token, clear = _token(entity, admin_user)
    assert token.token_hash != clear and clear not in token.token_hash
    response = _api(clear).get(f"/api/v1/e/{entity.slug}/entidad/")
    assert response.status_code == 200
    assert response.json()["nit"] == entity.nit
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_is_bound_to_its_entity(entity, other_entity, admin_user):
    from strategy.models import Membership

    Membership.objects.create(user=admin_user, entity=other_entity, role=Role.ENTITY_ADMIN)
    _token_obj, clear = _token(entity, admin_user)
    # Its user may see the other entity, the token may not: 404, not its data.
    response = _api(clear).get(f"/api/v1/e/{other_entity.slug}/entidad/")
    assert response.status_code == 404
    listing = _api(clear).get("/api/v1/entidades/").json()
    assert [e["slug"] for e in listing["results"]] == [entity.slug]


def test_read_scope_cannot_write(entity, admin_user):
    _token_obj, clear = _token(entity, admin_user, scopes=("read",))
    response = _api(clear).post(f"/api/v1/e/{entity.slug}/entidad/", {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("state", ["expired", "revoked", "forged"])
def test_unusable_tokens_answer_401(state, entity, admin_user):
    token, clear = _token(entity, admin_user)
    if state == "expired":
        expired = timezone.now() - timedelta(seconds=1)
        ApiToken.objects.filter(pk=token.pk).update(expires_at=expired)
    elif state == "revoked":
        integrations.api_token_revoke(actor=admin_user, token=token)
    else:
        clear = clear[:-4] + "abcd"
    response = _api(clear).get(f"/api/v1/e/{entity.slug}/entidad/")
    assert response.status_code == 401
    assert "no es válido" in response.json()["error"]["message"]


def test_token_rate_limit_answers_429_with_retry_after(entity, admin_user):
    _token_obj, clear = _token(entity, admin_user, rate_limit_per_minute=3)
    client = _api(clear)
    codes = [client.get(f"/api/v1/e/{entity.slug}/entidad/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get(f"/api/v1/e/{entity.slug}/entidad/")
    assert int(limited["Retry-After"]) > 0


def test_bad_scope_or_duration_is_refused(entity, admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _token(entity, admin_user, scopes=("everything",))
    with pytest.raises(ValidationError):
        _token(entity, admin_user, days=1000)


def test_admin_creates_and_revokes_a_token_in_the_ui(entity, admin_user, client_for):
    client = client_for(admin_user)
    url = reverse("strategy:integrations", kwargs={"entity_slug": entity.slug})
    response = client.post(url, {"token-name": "Orfeo", "token-scopes": ["read", "cases"],
                                 "token-days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get(entity=entity, name="Orfeo")
    assert token.scopes == ["cases", "read"]
    assert "re_" + token.prefix in response.content.decode()
    client.post(reverse("strategy:api_token_revoke",
                        kwargs={"entity_slug": entity.slug, "token_id": token.public_id}))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_community_manager_cannot_manage_integrations(entity, member_factory, client_for):
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    url = reverse("strategy:integrations", kwargs={"entity_slug": entity.slug})
    assert client_for(manager).get(url).status_code == 403


class _Receiver:
    """A local HTTP receiver that records deliveries and answers with the codes it is given."""

    def __init__(self, codes):
        self.codes = list(codes)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def make(codes=()):
        made.append(_Receiver(codes))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _verify(secret, headers, body):
    parts = dict(p.split("=", 1) for p in headers["X-Redes-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


def test_webhook_is_signed_and_delivered(entity, admin_user, receiver,
                                         django_capture_on_commit_callbacks):
    local = receiver()
    endpoint = integrations.webhook_endpoint_create(actor=admin_user, entity=entity,
                                                    url=local.url, events=["case.opened"])
    with django_capture_on_commit_callbacks(execute=True):
        integrations.webhook_emit(entity=entity, event="case.opened",
                                  payload={"case": "abc", "categoria": "queja"})
        integrations.webhook_emit(entity=entity, event="reply.published", payload={})
    assert len(local.requests) == 1
    headers, body = local.requests[0]
    assert _verify(endpoint.secret, headers, body)
    assert not _verify("otro-secreto", headers, body)
    assert json.loads(body)["data"] == {"case": "abc", "categoria": "queja"}
    delivery = WebhookEventDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1


def test_webhook_retries_with_backoff_then_fails_and_can_be_resent(
        entity, admin_user, receiver, django_capture_on_commit_callbacks):
    local = receiver(codes=[500] * 10)
    endpoint = integrations.webhook_endpoint_create(actor=admin_user, entity=entity,
                                                    url=local.url, events=["sla.breached"])
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = integrations.webhook_emit(entity=entity, event="sla.breached", payload={})
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.last_status_code == 500
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=20) < first_wait <= timedelta(seconds=30)
    # Not due yet: a second run sends nothing.
    assert integrations.webhook_deliver(delivery.pk) == "skipped"
    for _attempt in integrations.WEBHOOK_RETRY_DELAYS:
        WebhookEventDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        integrations.webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == len(integrations.WEBHOOK_RETRY_DELAYS) + 1
    local.codes = []
    with django_capture_on_commit_callbacks(execute=True):
        copy = integrations.webhook_resend(actor=admin_user, delivery=delivery)
    copy.refresh_from_db()
    assert copy.state == DeliveryState.DELIVERED
    assert endpoint.deliveries.count() == 2


def test_unreachable_receiver_is_recorded_not_raised(entity, admin_user,
                                                     django_capture_on_commit_callbacks):
    integrations.webhook_endpoint_create(actor=admin_user, entity=entity,
                                         url="http://127.0.0.1:9/cerrado", events=["case.opened"])
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = integrations.webhook_emit(entity=entity, event="case.opened", payload={})
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RETRYING
    assert "ConnectError" in delivery.last_error
