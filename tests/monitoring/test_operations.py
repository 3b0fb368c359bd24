"""The operations page and its JSON: sources, errors, next poll, queues, failed deliveries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.choices import ChannelStatus
from monitoring import services
from monitoring.choices import DeliveryStatus
from monitoring.models import PollState, WebhookDelivery
from strategy.choices import Role
from strategy.models import AuditEvent

from .factories import CaseFactory, ChannelFactory, ListeningQueryFactory, WebhookDeliveryFactory

pytestmark = pytest.mark.django_db


def url(entity, name="operations"):
    return f"/e/{entity.slug}/operaciones/" + ("estado.json" if name == "json" else "")


@pytest.fixture
def sources(entity):
    channel = ChannelFactory(entity=entity, handle="alcaldia")
    broken = ChannelFactory(entity=entity, platform="mastodon", handle="alcaldia_masto",
                            status=ChannelStatus.NEEDS_RECONNECTION)
    query = ListeningQueryFactory(entity=entity, name="Vías", platforms=["x"])
    services.poll_schedules_sync(entity=entity)
    now = timezone.now()
    PollState.objects.filter(channel=channel, listening_query__isnull=True).update(
        last_success_at=now - timedelta(minutes=2), next_due_at=now + timedelta(minutes=1),
        last_fetched=4)
    PollState.objects.filter(channel=broken).update(
        last_error="La red rechazó las credenciales", last_error_at=now,
        consecutive_failures=1)
    return channel, broken, query


def test_admin_sees_sources_errors_and_failed_deliveries(entity, admin_user, client_for,
                                                         sources):
    channel, broken, query = sources
    delivery = WebhookDeliveryFactory(entity=entity, error="ValueError: JSON cortado")
    CaseFactory(entity=entity)
    response = client_for(admin_user).get(url(entity))
    assert response.status_code == 200
    html = response.content.decode()
    assert "@alcaldia" in html and "Vías" in html
    assert "La red rechazó las credenciales" in html
    assert "JSON cortado" in html
    assert f"/operaciones/entregas/{delivery.public_id}/reintentar/" in html
    # Embedded broker in tests: the page says it cannot count, rather than showing zeros.
    assert response.context["queues"].broker in {"embedded", "redis"}


def test_json_for_monitoring_systems(entity, admin_user, client_for, sources):
    WebhookDeliveryFactory(entity=entity)
    data = client_for(admin_user).get(url(entity, "json")).json()
    assert data["entity"] == entity.slug
    by_name = {(s["kind"], s["name"]): s for s in data["sources"]}
    x_row = by_name[("channel", "X @alcaldia")]
    assert x_row["last_success_at"] and x_row["next_due_at"] and x_row["last_fetched"] == 4
    assert by_name[("channel", "Mastodon @alcaldia_masto")]["last_error"]
    assert ("listening", "Vías") in by_name
    assert len(data["failed_deliveries"]) == 1
    assert data["webhook_deliveries"]["failed"] == 1
    assert data["channels_needing_reconnection"][0]["platform"] == "mastodon"
    assert set(data["cases"]) == {"open", "answered", "closed", "overdue"}


def test_other_entities_data_is_not_shown(entity, other_entity, admin_user, client_for):
    ChannelFactory(entity=other_entity, handle="ajena")
    WebhookDeliveryFactory(entity=other_entity, error="secreto ajeno")
    services.poll_schedules_sync()
    data = client_for(admin_user).get(url(entity, "json")).json()
    assert data["sources"] == [] and data["failed_deliveries"] == []
    assert "secreto ajeno" not in client_for(admin_user).get(url(entity)).content.decode()


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.AUDITOR, Role.APPROVER])
def test_only_administrators(entity, member_factory, client_for, role):
    user = member_factory(entity, role)
    assert client_for(user).get(url(entity)).status_code == 403
    assert client_for(user).get(url(entity, "json")).status_code == 403


def test_retry_button_requeues_a_failed_delivery(entity, admin_user, client_for, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    delivery = WebhookDeliveryFactory(entity=entity)
    processed = []
    monkeypatch.setattr("monitoring.tasks.process_webhook_delivery.delay",
                        lambda delivery_id: processed.append(delivery_id))
    path = f"/e/{entity.slug}/operaciones/entregas/{delivery.public_id}/reintentar/"
    client = client_for(admin_user)
    assert client.get(path).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RECEIVED and processed == [delivery.pk]
    assert AuditEvent.objects.filter(action="webhook_delivery.retry",
                                     actor=admin_user).exists()
    # A second click does nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    assert processed == [delivery.pk]


def test_retry_of_another_entitys_delivery_is_404(entity, other_entity, admin_user,
                                                  client_for):
    foreign = WebhookDeliveryFactory(entity=other_entity)
    path = f"/e/{entity.slug}/operaciones/entregas/{foreign.public_id}/reintentar/"
    assert client_for(admin_user).post(path).status_code == 404
    assert WebhookDelivery.objects.get(pk=foreign.pk).status == DeliveryStatus.FAILED


def test_query_count_is_bounded(entity, admin_user, client_for, sources,
                                django_assert_max_num_queries):
    for _ in range(5):
        WebhookDeliveryFactory(entity=entity)
    client = client_for(admin_user)
    client.get(url(entity))  # warm the session and membership lookups
    # session, user, entity, membership, last_entity update, shell (entities, nav),
    # channels, queries, poll states, periodic tasks, deliveries, counts (cases ×2,
    # deliveries), reconnection list.
    with django_assert_max_num_queries(22):
        client.get(url(entity))
