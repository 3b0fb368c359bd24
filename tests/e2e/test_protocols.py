"""Protocols in a real browser: an approver edits the RACI grid; a community manager tries
a mention against the escalation rules."""

import pytest

from protocols.models import RaciAssignment
from strategy.choices import Role
from tests.factories import EntityFactory, MembershipFactory
from tests.protocols.factories import AreaFactory, EscalationRuleFactory, RaciActivityFactory

from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_approver_edits_the_raci_grid(page, login, transactional_db):
    entity = EntityFactory(slug="alcaldia-e2e")
    approver = MembershipFactory(entity=entity, role=Role.APPROVER).user
    activity = RaciActivityFactory(entity=entity, name="Gestionar una crisis")
    top = AreaFactory(entity=entity, name="Alta dirección", kind="top_management", position=0)
    comms = AreaFactory(entity=entity, name="Comunicaciones", position=1)
    login(page, approver)
    page.goto(f"/e/{entity.slug}/protocolos/")
    page.get_by_role("link", name="Responsabilidades (RACI)").click()
    page.wait_for_url("**/protocolos/responsabilidades/")
    assert page.get_by_role("heading", level=1).inner_text() == "Responsabilidades (RACI)"

    # Two Accountables: refused, what was chosen stays on screen.
    page.get_by_label("Gestionar una crisis — Alta dirección").select_option("A")
    page.get_by_label("Gestionar una crisis — Comunicaciones").select_option("A")
    page.get_by_role("button", name="Guardar responsabilidades").click()
    page.wait_for_load_state()
    assert page.get_by_text("debe haber exactamente uno").is_visible()
    assert page.get_by_label("Gestionar una crisis — Comunicaciones").input_value() == "A"
    assert not RaciAssignment.objects.exists()

    page.get_by_label("Gestionar una crisis — Comunicaciones").select_option("R")
    page.get_by_role("button", name="Guardar responsabilidades").click()
    page.wait_for_load_state()
    assert page.get_by_text("Responsabilidades guardadas.").is_visible()
    cells = dict(RaciAssignment.objects.filter(activity=activity)
                 .values_list("area_id", "letter"))
    assert cells == {top.pk: "A", comms.pk: "R"}
    assert axe_violations(page) == []


def test_community_manager_tries_a_mention(page, login, transactional_db):
    entity = EntityFactory(slug="alcaldia-e2e-2")
    manager = MembershipFactory(entity=entity, role=Role.COMMUNITY_MANAGER).user
    legal = AreaFactory(entity=entity, name="Oficina jurídica")
    EscalationRuleFactory(entity=entity, name="Corrupción o denuncias graves", position=1,
                          keywords=["corrupción", "soborno"], assign_area=legal,
                          crisis_candidate=True, require_approval_role=Role.APPROVER)
    EscalationRuleFactory(entity=entity, name="Solo Facebook", position=2,
                          platforms=["facebook"], notify_roles=[Role.STRATEGY_OWNER])
    login(page, manager)
    page.goto(f"/e/{entity.slug}/protocolos/escalamiento/")
    assert page.get_by_role("heading", name="Probar una mención").is_visible()
    assert page.get_by_role("link", name="Agregar").count() == 0  # read-only for this role
    page.get_by_label("Texto de la mención").fill("Denuncio un soborno en la obra del parque")
    page.get_by_label("Categoría").select_option("complaint")
    page.get_by_label("Red").select_option("x")
    page.get_by_role("button", name="Probar", exact=True).click()
    result = page.locator("#try-result")
    result.get_by_text("Corrupción o denuncias graves").wait_for()
    text = result.inner_text()
    assert "«soborno»" in text
    assert "Asignar a Oficina jurídica" in text
    assert "Marcar como posible crisis" in text
    assert "Solo Facebook" not in text
    assert "La respuesta requiere aprobación de: Aprobador" in text
    # The htmx swap kept the page: still one h1, no full reload.
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


PAGES = ["", "responsabilidades/", "pqrsd/?received=2026-03-20T10:00&pqrsd_type=peticion",
         "tiempos-respuesta/", "tiempos-respuesta/nuevo/", "escalamiento/nuevo/",
         "plantillas/", "reglas-aprobacion/nuevo/", "aprobaciones/", "riesgos/", "crisis/",
         "custodia/", "custodia/nuevo/", "areas/", "dias-no-habiles/nuevo/"]


def test_protocol_pages_have_no_serious_accessibility_violations(page, login,
                                                                  transactional_db):
    from protocols.demo_data import seed_demo
    from tests.protocols.factories import ChannelFactory

    entity = EntityFactory(slug="alcaldia-e2e-3", website="https://www.sanisidro.gov.co")
    users = {role: MembershipFactory(entity=entity, role=role).user for role in Role.values}
    ChannelFactory(entity=entity, platform="x", handle="alcaldia")
    ChannelFactory(entity=entity, platform="facebook", handle="alcaldia")
    seed_demo({"entities": [entity, EntityFactory()], "users": users, "superuser": None})
    login(page, users[Role.ENTITY_ADMIN])
    for path in PAGES:
        page.goto(f"/e/{entity.slug}/protocolos/{path}")
        assert page.locator("html").get_attribute("lang") == "es-co", path
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
