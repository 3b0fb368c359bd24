"""Outgoing webhook events emitted by the pipeline: the entity's systems hear of new cases."""

import pytest

from monitoring import services
from monitoring.choices import MentionSource
from monitoring.models import Case
from strategy.integration_models import WebhookEndpoint, WebhookEventDelivery

from .conftest import nm
from .factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_opening_a_case_emits_case_opened(entity, other_entity, pinned_classifier,
                                          django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("strategy.tasks.deliver_webhook.delay", sent.append)
    endpoint = WebhookEndpoint.objects.create(entity=entity, url="https://orfeo.example/hook",
                                              events=["case.opened"], secret="s")
    WebhookEndpoint.objects.create(entity=other_entity, url="https://otra.example/hook",
                                   events=["case.opened"], secret="s")
    channel = ChannelFactory(entity=entity)
    with django_capture_on_commit_callbacks(execute=True):
        services.mention_ingest_batch(
            entity=entity, channel=channel, source=MentionSource.POLL,
            mentions=[nm(1, "QUEJA el hueco"), nm(2, "hola", author="c2")])
    case = Case.objects.get(entity=entity)
    (delivery,) = WebhookEventDelivery.objects.all()
    assert delivery.endpoint == endpoint and delivery.event == "case.opened"
    assert delivery.payload["case"] == str(case.public_id)
    assert delivery.payload["url"].endswith(f"/bandeja/casos/{case.public_id}/")
    assert sent == [delivery.pk]


def test_no_endpoint_costs_no_delivery(entity, pinned_classifier):
    channel = ChannelFactory(entity=entity)
    services.mention_ingest_batch(entity=entity, channel=channel, source=MentionSource.POLL,
                                  mentions=[nm(3, "QUEJA sin agua")])
    assert Case.objects.count() == 1
    assert not WebhookEventDelivery.objects.exists()
