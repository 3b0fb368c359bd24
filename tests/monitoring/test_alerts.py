"""Alerts: each rule, no duplicates, e-mail once, acknowledged by a named person (issue 7)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from monitoring import alerts
from monitoring.dashboard_models import Alert
from strategy.choices import Role
from strategy.models import AuditEvent, PlanPerson
from tests.monitoring.factories import CaseFactory, ChannelFactory, MentionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)


def kinds(entity):
    return sorted(Alert.objects.filter(entity=entity).values_list("kind", flat=True))


def test_absence_of_posts(entity):
    quiet = ChannelFactory(entity=entity, platform="x")
    busy = ChannelFactory(entity=entity, platform="facebook")
    MentionFactory(entity=entity, channel=quiet, is_own=True,
                   created_at=NOW - datetime.timedelta(days=5))
    MentionFactory(entity=entity, channel=busy, is_own=True,
                   created_at=NOW - datetime.timedelta(hours=20))
    findings = alerts.find_absence_posts(entity, now=NOW)
    assert [f.channel_id for f in findings] == [quiet.pk]
    assert findings[0].params["days"] == 5


def test_a_new_channel_is_not_absent_at_once(entity):
    ChannelFactory(entity=entity)
    assert alerts.find_absence_posts(entity, now=timezone.now()) == []


def test_unanswered_mentions_and_sla_breaches(entity):
    CaseFactory(entity=entity, opened_at=NOW - datetime.timedelta(hours=30),
                first_response_due=NOW - datetime.timedelta(hours=20))
    CaseFactory(entity=entity, opened_at=NOW - datetime.timedelta(hours=2),
                first_response_due=NOW - datetime.timedelta(hours=1))
    CaseFactory(entity=entity, opened_at=NOW - datetime.timedelta(hours=40),
                first_response_due=NOW - datetime.timedelta(hours=30),
                first_response_at=NOW - datetime.timedelta(hours=35), status="answered")
    CaseFactory(entity=entity, opened_at=NOW - datetime.timedelta(hours=1),
                first_response_due=NOW + datetime.timedelta(hours=3))
    (unanswered,) = alerts.find_absence_unanswered(entity, now=NOW)
    assert unanswered.params == {"count": 1, "hours": 24}
    (breach,) = alerts.find_sla_breaches(entity, now=NOW)
    assert breach.params == {"count": 2}


def test_crisis(entity):
    for back in range(1, 15):
        MentionFactory(entity=entity, sentiment=-0.8,
                       created_at=NOW - datetime.timedelta(days=back, hours=1))
    assert alerts.find_crisis(entity, now=NOW) == []
    for minutes in range(9):
        MentionFactory(entity=entity, sentiment=-0.8,
                       created_at=NOW - datetime.timedelta(minutes=minutes + 1))
    (crisis,) = alerts.find_crisis(entity, now=NOW)
    assert crisis.params["observed"] == 9
    assert crisis.params["baseline"] == 1


def test_contracts_ending_and_reconnection(entity):
    today = timezone.localdate(NOW)
    PlanPerson.objects.create(entity=entity, role="community_manager", name="Agencia Uno",
                              is_outsourced=True, agency="Agencia Uno SAS",
                              contract_end=today + datetime.timedelta(days=10))
    PlanPerson.objects.create(entity=entity, role="community_manager", name="Agencia Dos",
                              is_outsourced=True, agency="Dos",
                              contract_end=today + datetime.timedelta(days=90))
    ChannelFactory(entity=entity, status="needs_reconnection")
    (contract,) = alerts.find_contracts_ending(entity, now=NOW)
    assert contract.params["name"] == "Agencia Uno"
    assert len(alerts.find_reconnection(entity, now=NOW)) == 1


def test_sweep_raises_once_and_emails_once(entity, member_factory):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    ChannelFactory(entity=entity, status="needs_reconnection")
    CaseFactory(entity=entity, opened_at=NOW - datetime.timedelta(hours=30),
                first_response_due=NOW - datetime.timedelta(hours=20))
    raised = alerts.alerts_sweep_entity(entity_id=entity.pk, now=NOW)
    assert sorted(a.kind for a in raised) == [
        "absence_unanswered", "channel_reconnection", "sla_breach"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    assert manager.email not in mail.outbox[0].to
    assert "reconectar" in mail.outbox[0].body.lower() or "reconect" in mail.outbox[0].body
    again = alerts.alerts_sweep_entity(entity_id=entity.pk, now=NOW + datetime.timedelta(
        minutes=15))
    assert again == []
    assert len(mail.outbox) == 1
    assert Alert.objects.filter(entity=entity).count() == 3


def test_acknowledged_situation_is_not_raised_again(entity, member_factory):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    ChannelFactory(entity=entity, status="needs_reconnection")
    (alert,) = alerts.alerts_sweep_entity(entity_id=entity.pk, now=NOW)
    alerts.alert_acknowledge(actor=officer, alert=alert, note="Ya lo reconectamos")
    assert alerts.alerts_sweep_entity(entity_id=entity.pk, now=NOW) == []


def url(name, entity, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"entity_slug": entity.slug, **kwargs})


def test_acknowledge_from_the_dashboard_records_the_person(entity, member_factory, client_for):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    alert = Alert.objects.create(entity=entity, kind="sla_breach", dedupe_key="x",
                                 params={"count": 4})
    client = client_for(officer)
    page = client.get(url("dashboard", entity)).content.decode()
    assert str(alert.public_id) in page
    response = client.post(url("alert_acknowledge", entity, alert_id=alert.public_id),
                           {"note": "Revisado con el equipo"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == officer
    assert alert.acknowledged_at is not None
    assert alert.acknowledgement_note == "Revisado con el equipo"
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert event.actor == officer
    # Twice: refused with a message naming who did it.
    response = client.post(url("alert_acknowledge", entity, alert_id=alert.public_id),
                           follow=True)
    assert officer.display_name in response.content.decode()
    assert AuditEvent.objects.filter(action="alert.acknowledge").count() == 1
    # Acknowledged alerts leave the dashboard.
    assert str(alert.public_id) not in client.get(url("dashboard", entity)).content.decode()


def test_auditor_sees_alerts_but_cannot_acknowledge(entity, member_factory, client_for):
    auditor = member_factory(entity, Role.AUDITOR)
    alert = Alert.objects.create(entity=entity, kind="sla_breach", dedupe_key="x",
                                 params={"count": 4})
    client = client_for(auditor)
    page = client.get(url("dashboard", entity))
    assert page.status_code == 200
    assert "alert_id" not in page.content.decode()
    response = client.post(url("alert_acknowledge", entity, alert_id=alert.public_id))
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_acknowledge_through_the_api(entity, member_factory, client_for):
    owner = member_factory(entity, Role.STRATEGY_OWNER)
    alert = Alert.objects.create(entity=entity, kind="crisis", dedupe_key="c",
                                 params={"observed": 9, "baseline": 1, "score": 4.1})
    client = client_for(owner)
    listed = client.get(f"/api/v1/e/{entity.slug}/alertas/", {"abiertas": "1"}).json()
    assert [a["id"] for a in listed["results"]] == [str(alert.public_id)]
    response = client.post(f"/api/v1/e/{entity.slug}/alertas/{alert.public_id}/reconocer/",
                           {"note": "Atendido"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == owner.display_name
    response = client.post(f"/api/v1/e/{entity.slug}/alertas/{alert.public_id}/reconocer/",
                           {}, content_type="application/json")
    assert response.status_code == 409
