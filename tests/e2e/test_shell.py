"""The shell in a real browser: login as the demo community manager, Spanish, entity switch, axe."""

import pytest
from django.core.management import call_command

from strategy.demo import DEMO_PASSWORD

from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo")


def test_login_page_has_no_serious_accessibility_violations(page, demo):
    page.goto("/cuentas/login/")
    assert page.locator("html").get_attribute("lang") == "es-co"
    assert axe_violations(page) == []


def test_community_manager_logs_in_sees_spanish_shell_and_switches_entity(page, login, demo):
    from strategy.models import User

    manager = User.objects.get(email="gestor@demo.gov.co")
    login(page, manager, password=DEMO_PASSWORD)
    # Two entities: the chooser first.
    page.get_by_role("link", name="Alcaldía de San Isidro del Valle").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Alcaldía de San Isidro del Valle"
    assert page.get_by_role("navigation", name="Principal").is_visible()
    assert page.get_by_role("button", name="Cerrar sesión").is_visible()
    assert axe_violations(page) == []

    # Switch entity with the keyboard-accessible switcher.
    page.get_by_label("Entidad").select_option(label="Instituto Departamental de Tránsito")
    page.wait_for_url("**/e/transito-departamental/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Instituto Departamental de Tránsito"


def test_skip_link_reaches_main_content_by_keyboard(page, login, demo):
    from strategy.models import User

    login(page, User.objects.get(email="admin@demo.gov.co"), password=DEMO_PASSWORD)
    page.goto("/e/alcaldia-san-isidro/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Saltar al contenido principal" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
