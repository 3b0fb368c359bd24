"""Browser: a communications officer fills in step 2 and sees the completeness change;
a citizen uses the public page and its lookup."""

import re

import pytest

from strategy.choices import Role
from tests.channels_app.factories import PlanChannelFactory
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_fills_step_2_and_sees_completeness_change(page, login, entity,
                                                           member_factory):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    login(page, officer)
    page.goto(f"/e/{entity.slug}/plan/objetivos/")
    before = int(re.search(r"(\d+)", page.get_by_test_id("step-percent").inner_text()).group(1))
    page.get_by_label("¿Por qué estar en redes sociales?").fill(
        "Para estar cerca de la ciudadanía y responder a tiempo.")
    page.get_by_label("¿Qué busca la entidad allí?").fill("Informar, escuchar y rendir cuentas.")
    page.get_by_role("button", name="Guardar respuestas").click()
    page.wait_for_load_state("networkidle")
    after = int(re.search(r"(\d+)", page.get_by_test_id("step-percent").inner_text()).group(1))
    assert after > before
    page.get_by_text("Agregar un objetivo").click()
    page.locator("#id_objective-title").fill("Mejorar la atención en redes")
    page.get_by_role("button", name="Agregar objetivo").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Mejorar la atención en redes").first.is_visible()
    final = int(re.search(r"(\d+)", page.get_by_test_id("step-percent").inner_text()).group(1))
    assert final > after
    page.goto(f"/e/{entity.slug}/plan/")
    assert page.get_by_test_id("step-2-percent").inner_text() == f"{final} %"
    assert axe_violations(page) == []


def test_public_page_and_lookup(page, entity):
    PlanChannelFactory(entity=entity, platform="x", handle="AlcaldiaSanIsidro",
                       url="https://x.com/AlcaldiaSanIsidro")
    page.goto(f"/canales-oficiales/{entity.slug}/")
    assert page.get_by_text("@AlcaldiaSanIsidro").first.is_visible()
    page.get_by_label("Usuario o enlace de la cuenta").fill("https://x.com/AlcaldiaSanIsidro")
    page.get_by_role("button", name="Verificar").click()
    assert page.get_by_test_id("lookup-official").is_visible()
    page.get_by_label("Usuario o enlace de la cuenta").fill("@Alcaldia_SanIsidro")
    page.get_by_role("button", name="Verificar").click()
    assert page.get_by_test_id("lookup-not-official").is_visible()
    assert axe_violations(page) == []


def test_tone_page_gives_live_language_feedback(page, login, entity, member_factory):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    login(page, officer)
    page.goto(f"/e/{entity.slug}/plan/tono/")
    page.get_by_label("Texto para revisar").fill("xq no vienen a la oficina?")
    findings = page.locator("#text-findings")
    findings.get_by_text("Abreviatura de chat").first.wait_for()
    assert "porque" in findings.inner_text()
    # The tone guide's own example reply is checked as it is typed, too.
    page.get_by_label("Ejemplos para seguir").fill(
        "Hola, Ana. Gracias por escribirnos; ya revisamos tu solicitud.")
    page.locator("#do_examples-findings").get_by_text("Correcto").wait_for()
    assert axe_violations(page) == []
