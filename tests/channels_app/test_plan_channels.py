"""Step 3 (channels) and step 7 (launch, public page, lookup, embed) of the plan."""

import pytest
from django.urls import reverse

from channels_app import selectors
from channels_app.choices import LaunchStep, Platform
from channels_app.models import Channel, LaunchItem
from strategy.choices import Role
from strategy.models import AuditEvent, Plan
from tests.channels_app.factories import PlanChannelFactory
from tests.strategy.plan_factories import AudienceFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(entity, member_factory):
    return member_factory(entity, Role.COMMUNICATIONS_OFFICER)


@pytest.fixture
def client(officer, client_for):
    return client_for(officer)


def url(name, entity, **kwargs):
    return reverse(name, kwargs={"entity_slug": entity.slug, **kwargs})


# --- Handle consistency ---------------------------------------------------------------------


@pytest.mark.parametrize(("handle", "platform", "core"), [
    ("@AlcaldiaSanIsidro", "x", "alcaldiasanisidro"),
    ("alcaldiasanisidro@mastodon.social", "mastodon", "alcaldiasanisidro"),
    ("alcaldiasanisidro.bsky.social", "bluesky", "alcaldiasanisidro"),
    ("AlcaldiaSanIsidro", "instagram", "alcaldiasanisidro"),
])
def test_handle_core(handle, platform, core):
    assert selectors.handle_core(handle, platform) == core


def test_handle_consistency_flags_the_odd_ones_against_the_chosen_handle(entity):
    Plan.objects.create(entity=entity, official_handle="AlcaldiaSanIsidro")
    ok_x = PlanChannelFactory(entity=entity, platform=Platform.X, handle="AlcaldiaSanIsidro")
    ok_bsky = PlanChannelFactory(entity=entity, platform=Platform.BLUESKY,
                                 handle="alcaldiasanisidro.bsky.social", url="")
    odd = PlanChannelFactory(entity=entity, platform=Platform.INSTAGRAM,
                             handle="alcaldia_san_isidro", url="")
    result = selectors.handle_consistency(entity)
    assert result.chosen and result.reference == "AlcaldiaSanIsidro"
    assert result.odd_ones == [odd]
    assert ok_x not in result.odd_ones and ok_bsky not in result.odd_ones


def test_without_chosen_handle_the_most_common_is_the_reference(entity):
    for platform in (Platform.X, Platform.FACEBOOK):
        PlanChannelFactory(entity=entity, platform=platform, handle="MiEntidad", url="")
    odd = PlanChannelFactory(entity=entity, platform=Platform.YOUTUBE, handle="OtraCosa",
                             url="")
    result = selectors.handle_consistency(entity)
    assert not result.chosen and result.reference == "mientidad"
    assert result.odd_ones == [odd]


def test_coverage_objectives_and_channels(entity):
    served = ObjectiveFactory(entity=entity)
    orphan = ObjectiveFactory(entity=entity)
    channel = PlanChannelFactory(entity=entity)
    idle = PlanChannelFactory(entity=entity)
    channel.objectives.add(served)
    assert list(selectors.objectives_without_channel(entity)) == [orphan]
    assert list(selectors.channels_without_objective(entity)) == [idle]
    missing = [c.missing for c in selectors.channel_checks(entity) if not c.ok]
    assert any(orphan.title in m for m in missing)
    assert any(idle.handle in m for m in missing)


def test_a_channel_serving_a_general_objective_reaches_its_specific_ones(entity):
    general = ObjectiveFactory(entity=entity)
    specific = ObjectiveFactory(entity=entity, parent=general)
    other_general = ObjectiveFactory(entity=entity)
    other_specific = ObjectiveFactory(entity=entity, parent=other_general)
    lonely = ObjectiveFactory(entity=entity)
    PlanChannelFactory(entity=entity).objectives.add(general)
    PlanChannelFactory(entity=entity).objectives.add(other_specific)
    missing = selectors.objectives_without_channel(entity)
    assert missing == [lonely]
    assert specific not in missing and other_general not in missing


# --- Pages ----------------------------------------------------------------------------------


def test_create_channel_with_objectives_and_identity(client, entity, officer):
    objective = ObjectiveFactory(entity=entity)
    audience = AudienceFactory(entity=entity)
    response = client.post(url("channels_app:channel_create", entity), {
        "platform": "x", "handle": "@AlcaldiaSanIsidro", "name": "Alcaldía",
        "url": "https://x.com/AlcaldiaSanIsidro", "objectives": [objective.pk],
        "audiences": [audience.pk], "has_avatar": "on", "show_on_public_page": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = Channel.objects.get(entity=entity)
    assert channel.handle == "AlcaldiaSanIsidro"
    assert list(channel.objectives.all()) == [objective]
    event = AuditEvent.objects.get(action="channel.create")
    assert event.actor == officer and "access_token" not in event.after


@pytest.mark.parametrize(("handle", "link"), [
    ("Alcaldía San Isidro", "https://x.com/x"),
    ("<script>alert(1)</script>", "https://x.com/x"),
    ("AlcaldiaSanIsidro", "https://facebook.com/AlcaldiaSanIsidro"),
    ("AlcaldiaSanIsidro", "no es un enlace"),
])
def test_invalid_handles_and_links_are_refused_and_kept(client, entity, handle, link):
    response = client.post(url("channels_app:channel_create", entity), {
        "platform": "x", "handle": handle, "url": link})
    assert response.status_code == 200
    assert not Channel.objects.exists()
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "errorlist" in body


def test_duplicate_handle_gets_a_clear_error(client, entity):
    PlanChannelFactory(entity=entity, platform=Platform.X, handle="Dup")
    response = client.post(url("channels_app:channel_create", entity), {
        "platform": "x", "handle": "Dup", "url": "https://x.com/Dup"})
    assert response.status_code == 200
    assert Channel.objects.filter(entity=entity).count() == 1


def test_channel_list_shows_odd_handles(client, entity):
    Plan.objects.create(entity=entity, official_handle="MiEntidad")
    PlanChannelFactory(entity=entity, handle="MiEntidad")
    PlanChannelFactory(entity=entity, platform=Platform.FACEBOOK, handle="OtraEntidad",
                       url="")
    body = client.get(url("channels_app:channel_list", entity)).content.decode()
    assert "1 canal usa un usuario distinto" in body or "1 channel uses a different" in body


def test_launch_checklist_saves_dates_and_evidence(client, entity):
    data = {}
    for step in LaunchStep.values:
        data[f"{step}-done_on"] = ""
        data[f"{step}-evidence_url"] = ""
        data[f"{step}-notes"] = ""
    data["website-done_on"] = "2026-11-20"
    data["website-evidence_url"] = "https://www.sanisidro.gov.co/noticias/redes"
    response = client.post(url("channels_app:launch", entity), data)
    assert response.status_code == 302
    item = LaunchItem.objects.get(entity=entity, step="website")
    assert item.is_done and item.evidence_url.endswith("/redes")
    data["staff-evidence_url"] = "not a link"
    response = client.post(url("channels_app:launch", entity), data)
    assert response.status_code == 200
    assert "not a link" in response.content.decode()


def test_launch_page_offers_public_page_and_snippet(client, entity):
    body = client.get(url("channels_app:launch", entity)).content.decode()
    assert f"/canales-oficiales/{entity.slug}/" in body
    assert "&lt;iframe" in body  # the snippet is shown as text to copy, not rendered


# --- Public page, lookup and embed ----------------------------------------------------------


@pytest.fixture
def official(entity):
    PlanChannelFactory(entity=entity, platform=Platform.X, handle="AlcaldiaSanIsidro",
                       url="https://x.com/AlcaldiaSanIsidro", access_token="")
    PlanChannelFactory(entity=entity, platform=Platform.MASTODON, handle="alcaldia",
                       url="https://mastodon.social/@alcaldia")
    PlanChannelFactory(entity=entity, platform=Platform.FACEBOOK, handle="Oculta", url="",
                       show_on_public_page=False)
    return entity


def test_public_page_needs_no_login_and_shows_only_official_channels(client, official,
                                                                    other_entity):
    PlanChannelFactory(entity=other_entity, handle="DeOtraEntidad")
    from django.test import Client

    response = Client().get(reverse("official_channels",
                                    kwargs={"entity_slug": official.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "@AlcaldiaSanIsidro" in body and "@alcaldia" in body
    assert "Oculta" not in body and "DeOtraEntidad" not in body
    assert "api_base_url" not in body


@pytest.mark.parametrize(("query", "official_answer"), [
    ("@AlcaldiaSanIsidro", True),
    ("alcaldiasanisidro", True),
    ("https://x.com/AlcaldiaSanIsidro", True),
    ("https://twitter.com/alcaldiasanisidro?lang=es", True),
    ("x.com/AlcaldiaSanIsidro/", True),
    ("https://mastodon.social/@alcaldia", True),
    ("https://otra.instancia/@alcaldia", False),
    ("@Alcaldia_SanIsidro", False),
    ("https://www.instagram.com/AlcaldiaSanIsidro", False),  # not a registered channel
    ("@AlcaldiaSanIsidr0", False),
    ("@Oculta", False),
])
def test_lookup(official, query, official_answer):
    from django.test import Client

    response = Client().get(reverse("official_channels", kwargs={"entity_slug": official.slug}),
                            {"q": query})
    body = response.content.decode()
    assert ('data-testid="lookup-official"' in body) is official_answer
    assert ('data-testid="lookup-not-official"' in body) is (not official_answer)


def test_lookup_escapes_what_the_citizen_typed(official):
    from django.test import Client

    response = Client().get(reverse("official_channels", kwargs={"entity_slug": official.slug}),
                            {"q": "<script>alert(1)</script>"})
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body


def test_public_page_of_unknown_entity_is_404():
    from django.test import Client

    response = Client().get(reverse("official_channels", kwargs={"entity_slug": "no-existe"}))
    assert response.status_code == 404


def test_embed_can_be_framed_and_lists_channels(official):
    from django.test import Client

    response = Client().get(reverse("official_channels_embed",
                                    kwargs={"entity_slug": official.slug}))
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert "@AlcaldiaSanIsidro" in response.content.decode()
    assert "Oculta" not in response.content.decode()


def test_the_rest_of_the_site_still_refuses_framing(client, entity):
    response = client.get(url("channels_app:channel_list", entity))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
