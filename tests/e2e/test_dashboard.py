"""The dashboard in a real browser: the officer opens it, changes the period, reads a chart's
table, acknowledges an alert and downloads a report; axe finds nothing serious (issue 7)."""

import datetime

import pytest
from django.utils import timezone

from strategy.choices import Role
from tests.factories import MembershipFactory

from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def officer_with_data(transactional_db):
    from monitoring import rollups
    from monitoring.dashboard_models import Alert
    from tests.monitoring.factories import CaseFactory, ChannelFactory, MentionFactory

    membership = MembershipFactory(role=Role.COMMUNICATIONS_OFFICER)
    entity = membership.entity
    now = timezone.now()
    channel = ChannelFactory(entity=entity, platform="x", handle="AlcaldiaPrueba")
    for days, label, sentiment in ((1, "complaint", -0.7), (1, "question", 0.0),
                                   (20, "praise", 0.8), (20, "praise", 0.8), (20, "other", 0)):
        MentionFactory(entity=entity, channel=channel, label=label, sentiment=sentiment,
                       created_at=now - datetime.timedelta(days=days))
    MentionFactory(entity=entity, channel=channel, is_own=True, label="",
                   created_at=now - datetime.timedelta(days=1))
    opened = now - datetime.timedelta(days=2)
    CaseFactory(entity=entity, channel=channel, opened_at=opened,
                first_response_due=opened + datetime.timedelta(hours=4),
                first_response_at=opened + datetime.timedelta(hours=2), status="answered")
    Alert.objects.create(entity=entity, kind="channel_reconnection", severity="critical",
                         dedupe_key="e2e", channel=channel, params={"channel": str(channel)})
    today = timezone.localdate()
    rollups.rollup_recompute_range(entity_id=entity.pk, start=today - datetime.timedelta(days=30),
                                   end=today)
    return membership.user, entity


def test_officer_opens_the_dashboard_and_changes_the_period(page, login, officer_with_data):
    user, entity = officer_with_data
    login(page, user)
    page.goto(f"/e/{entity.slug}/")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Tablero").click()
    page.wait_for_url(f"**/e/{entity.slug}/tablero/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tablero"
    mentions_card = page.locator(".dash-kpis .card").first
    assert mentions_card.locator(".dash-figure").inner_text() == "5"
    assert page.locator("svg[role=img]").count() >= 4
    assert axe_violations(page) == []

    page.get_by_label("Últimos 7 días").check()
    page.get_by_role("button", name="Mostrar").click()
    page.wait_for_url("**periodo=7**")
    assert mentions_card.locator(".dash-figure").inner_text() == "2"
    assert page.get_by_label("Últimos 7 días").is_checked()

    # The data table behind a chart opens with the keyboard.
    summary = page.get_by_text("Ver los datos como tabla").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("table", name="Menciones por día por red").is_visible()

    # A custom period shows the dates once "Personalizado" is chosen.
    page.get_by_label("Personalizado").check()
    assert page.get_by_label("Desde").is_visible()
    assert axe_violations(page) == []


def test_officer_acknowledges_an_alert_and_gets_a_report(page, login, officer_with_data):
    user, entity = officer_with_data
    login(page, user)
    page.goto(f"/e/{entity.slug}/tablero/")
    alerts = page.get_by_role("region", name="Alertas")
    assert "reconectar" in alerts.inner_text()
    alerts.get_by_label("Nota (opcional)").fill("Token renovado")
    alerts.get_by_role("button", name="Reconocer").click()
    page.wait_for_load_state()
    assert "Alerta reconocida." in page.locator(".messages").inner_text()
    assert "No hay alertas abiertas." in page.get_by_role("region", name="Alertas").inner_text()

    page.goto(f"/e/{entity.slug}/reportes/")
    assert axe_violations(page) == []
    page.get_by_label("Reporte", exact=True).select_option("cases_xlsx")
    today = timezone.localdate()
    page.get_by_label("Desde", exact=True).fill((today - datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Hasta", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Generar").click()
    page.wait_for_load_state()
    link = page.get_by_role("link", name="Descargar")
    link.first.wait_for()
    with page.expect_download() as info:
        link.first.click()
    assert info.value.suggested_filename.endswith(".xlsx")
