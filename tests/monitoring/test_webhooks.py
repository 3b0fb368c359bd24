"""Webhooks: signatures over the raw body, handshakes, idempotent storage, worker processing."""

import json

import pytest
from django.test import Client
from django.test.utils import override_settings

from channels_app.platforms.signatures import meta_signature, x_crc_response, x_signature
from monitoring import services, tasks
from monitoring.choices import DeliveryStatus
from monitoring.models import Case, Mention, WebhookDelivery

from .factories import ChannelFactory

pytestmark = pytest.mark.django_db

META_SECRET = "test-meta-app-secret"
X_SECRET = "test-x-consumer-secret"


def meta_body(page_id="1234", comment_id="555_1", text="QUEJA: ¿cuándo arreglan el hueco?",
              author="777"):
    payload = {"object": "page", "entry": [{"id": page_id, "time": 1787234591, "changes": [
        {"field": "feed", "value": {
            "item": "comment", "verb": "add", "post_id": f"{page_id}_555",
            "comment_id": comment_id, "parent_id": f"{page_id}_555",
            "from": {"id": author, "name": "Doña Rosa Pérez"},
            "message": text, "created_time": 1787234590}}]}]}
    # Meta escapes non-ASCII as \uXXXX: the signature is over exactly these bytes.
    return json.dumps(payload).encode()


def x_body(user_id="999", tweet_id="1800", text="PREGUNTA ¿horario de atención?"):
    payload = {"for_user_id": user_id, "tweet_create_events": [{
        "id_str": tweet_id, "created_at": "Thu Nov 19 14:03:11 +0000 2026",
        "text": text, "in_reply_to_status_id_str": None,
        "user": {"id_str": "42", "screen_name": "vecina_sanisidro", "name": "Vecina",
                 "followers_count": 85, "created_at": "Mon Jan 05 10:00:00 +0000 2015"}}]}
    return json.dumps(payload, ensure_ascii=False).encode()


def post_meta(client, body, signature=None):
    headers = {}
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post("/webhooks/meta/", data=body, content_type="application/json",
                       **headers)


def post_x(client, body, signature=None):
    headers = {}
    if signature is not None:
        headers["HTTP_X_TWITTER_WEBHOOKS_SIGNATURE"] = signature
    return client.post("/webhooks/x/", data=body, content_type="application/json", **headers)


@pytest.fixture
def fb_channel(entity):
    return ChannelFactory(entity=entity, platform="facebook", handle="alcaldiasanisidro",
                          account_id="1234")


@pytest.fixture
def x_channel(entity):
    return ChannelFactory(entity=entity, platform="x", handle="alcaldia", account_id="999")


def test_meta_handshake():
    client = Client()
    ok = client.get("/webhooks/meta/", {"hub.mode": "subscribe", "hub.challenge": "1158201444",
                                        "hub.verify_token": "test-meta-verify-token"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get("/webhooks/meta/", {"hub.mode": "subscribe", "hub.challenge": "1",
                                         "hub.verify_token": "wrong"})
    assert bad.status_code == 403


@override_settings(META_VERIFY_TOKEN="")
def test_meta_handshake_refused_when_not_configured():
    response = Client().get("/webhooks/meta/", {"hub.mode": "subscribe", "hub.challenge": "1",
                                                "hub.verify_token": ""})
    assert response.status_code == 403


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha1=abc",
                                       meta_signature(b"another-secret", meta_body())])
def test_meta_forged_or_missing_signature_stores_nothing(fb_channel, signature):
    response = post_meta(Client(), meta_body(), signature)
    assert response.status_code == 403
    assert WebhookDelivery.objects.count() == 0 and Mention.objects.count() == 0


def test_meta_tampered_body_is_refused(fb_channel):
    body = meta_body()
    signature = meta_signature(META_SECRET, body)
    response = post_meta(Client(), body.replace(b"QUEJA", b"queja"), signature)
    assert response.status_code == 403 and WebhookDelivery.objects.count() == 0


def test_meta_valid_delivery_is_acknowledged_and_processed(
        fb_channel, pinned_classifier, django_capture_on_commit_callbacks):
    body = meta_body()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_meta(Client(), body, meta_signature(META_SECRET, body))
    # Two stages after the commit: the delivery's processing (stores the mention), then the
    # triage task that processing enqueued at its own commit (classifies, opens the case).
    assert response.status_code == 200 and len(callbacks) == 2
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body and delivery.entity == fb_channel.entity
    assert delivery.status == DeliveryStatus.PROCESSED and delivery.mentions_created == 1
    assert "x-hub-signature-256" in delivery.headers
    mention = Mention.objects.get()
    assert mention.source == "webhook" and mention.channel == fb_channel
    assert mention.author.name == "Doña Rosa Pérez"
    assert Case.objects.get().mentions.get() == mention


def test_replayed_delivery_changes_nothing(fb_channel, pinned_classifier,
                                           django_capture_on_commit_callbacks):
    body = meta_body()
    signature = meta_signature(META_SECRET, body)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(client, body, signature)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = post_meta(client, body, signature)
    assert again.status_code == 200 and callbacks == []
    assert WebhookDelivery.objects.count() == 1
    assert Mention.objects.count() == 1 and Case.objects.count() == 1


def test_same_comment_in_a_new_delivery_is_not_duplicated(fb_channel, pinned_classifier,
                                                          django_capture_on_commit_callbacks):
    """Meta retries with a new envelope (another entry time): the mention stays single."""
    first = meta_body()
    second = first.replace(b"1787234591", b"1787234600")
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(Client(), first, meta_signature(META_SECRET, first))
        post_meta(Client(), second, meta_signature(META_SECRET, second))
    assert WebhookDelivery.objects.count() == 2
    assert Mention.objects.count() == 1 and Case.objects.count() == 1


def test_delivery_for_unknown_page_is_ignored_not_failed(entity, pinned_classifier):
    body = meta_body(page_id="4321")
    delivery, created = services.webhook_delivery_store(source="meta", body=body, headers={})
    services.webhook_delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.IGNORED and "4321" in delivery.error
    assert Mention.objects.count() == 0


def test_malformed_delivery_fails_and_can_be_retried(fb_channel, pinned_classifier, admin_user,
                                                     django_capture_on_commit_callbacks):
    body = b'{"object": "page", "entry": [{"id": "1234"'  # cut short
    delivery, _ = services.webhook_delivery_store(source="meta", body=body, headers={})
    tasks.process_webhook_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.error
    # Processing twice concurrently: only one run claims it.
    assert services.webhook_delivery_process(delivery_id=delivery.pk) is not None
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PROCESSING)
    assert services.webhook_delivery_process(delivery_id=delivery.pk) is None


def test_x_crc_check():
    response = Client().get("/webhooks/x/", {"crc_token": "abc123"})
    assert response.status_code == 200
    assert response.json() == x_crc_response(X_SECRET, "abc123")
    assert Client().get("/webhooks/x/").status_code == 400


@override_settings(X_CONSUMER_SECRET="")
def test_x_refused_when_not_configured():
    assert Client().get("/webhooks/x/", {"crc_token": "abc"}).status_code == 403
    body = x_body()
    assert post_x(Client(), body, x_signature("", body)).status_code == 403


@pytest.mark.parametrize("signature", [None, "", "sha256=AAAA",
                                       x_signature("other", x_body())])
def test_x_forged_or_missing_signature_stores_nothing(x_channel, signature):
    assert post_x(Client(), x_body(), signature).status_code == 403
    assert WebhookDelivery.objects.count() == 0


def test_x_valid_delivery_opens_a_case(x_channel, pinned_classifier,
                                       django_capture_on_commit_callbacks):
    body = x_body()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_x(Client(), body, x_signature(X_SECRET, body))
    assert response.status_code == 200
    mention = Mention.objects.get()
    assert mention.external_id == "1800" and mention.author.handle == "vecina_sanisidro"
    case = Case.objects.get()
    assert case.category == "question" and case.channel == x_channel


def test_get_and_post_only():
    assert Client().put("/webhooks/meta/").status_code == 405


def test_stuck_deliveries_are_processed(fb_channel, pinned_classifier):
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(minutes=20)
    lost, _ = services.webhook_delivery_store(source="meta", body=meta_body(), headers={})
    died, _ = services.webhook_delivery_store(
        source="meta", body=meta_body(comment_id="555_2", author="778"), headers={})
    fresh, _ = services.webhook_delivery_store(
        source="meta", body=meta_body(comment_id="555_3", author="779"), headers={})
    WebhookDelivery.objects.filter(pk=lost.pk).update(received_at=old)
    WebhookDelivery.objects.filter(pk=died.pk).update(received_at=old,
                                                      status=DeliveryStatus.PROCESSING)
    assert tasks.retry_stuck_webhook_deliveries() == 2
    statuses = dict(WebhookDelivery.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "processed", died.pk: "processed", fresh.pk: "received"}
    assert Mention.objects.count() == 2
