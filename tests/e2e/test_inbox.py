"""The inbox in a real browser (Chromium): a community manager filters, claims, answers with a
template and sees the reply published to the sandbox; triage by keyboard alone; axe scans."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from protocols.choices import TemplateStatus
from protocols.models import ResponseTemplate, TemplateVersion
from strategy.choices import Role
from tests.monitoring.test_inbox_helpers import *  # noqa: F403  (fixtures)
from tests.monitoring.test_inbox_helpers import make_case, sandbox_case

from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(entity, member_factory):
    return member_factory(entity, Role.COMMUNITY_MANAGER)


@pytest.fixture
def template(entity):
    template = ResponseTemplate.objects.create(entity=entity, title="Huecos en vías",
                                               category="Vías")
    TemplateVersion.objects.create(
        template=template, number=1, status=TemplateStatus.APPROVED,
        body="Hola {nombre}, gracias por avisarnos. La Secretaría de Obras revisará el sitio.",
        short_body="Hola {nombre}, gracias por avisarnos. Obras revisará el sitio.")
    return template


def inbox_url(entity):
    return reverse("monitoring:inbox", kwargs={"entity_slug": entity.slug})


def test_manager_filters_claims_answers_with_a_template_and_sees_it_published(
        page, login, entity, manager, template, inbox_sandbox):
    case = sandbox_case(entity, inbox_sandbox)
    make_case(entity, category="question", text="¿A qué hora abren la oficina?")
    login(page, manager)
    page.goto(inbox_url(entity))
    page.get_by_label("Categoría").select_option("complaint")
    page.get_by_role("button", name="Aplicar filtros").click()
    page.wait_for_load_state()
    # Auto-waiting assertions: a click starts a navigation that load_state may not await.
    expect(page.locator("tr[data-case-row]")).to_have_count(1)
    page.get_by_role("button", name=f"Tomar el caso de {case.author}").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=str(case.author)).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Asignado a").first).to_be_visible()
    page.get_by_label("Plantilla").select_option(label="Vías: Huecos en vías")
    page.get_by_role("button", name="Insertar plantilla").click()
    text = page.get_by_label("Su respuesta al ciudadano")
    # (wait_for_function would eval a string, which the CSP forbids)
    expect(text).not_to_have_value("")
    assert text.input_value().startswith(f"Hola {case.author.name}, gracias por avisarnos.")
    page.locator("#composer-feedback").get_by_text("de 280 caracteres").wait_for()
    page.get_by_role("button", name="Publicar respuesta").click()
    page.wait_for_load_state()
    expect(page.locator("[data-reply-status]").first).to_have_text("Publicada")
    expect(page.locator("[data-reply-link]")).to_have_count(1)
    [recorded] = inbox_sandbox.replies()
    assert recorded["text"].startswith(f"Hola {case.author.name}, gracias por avisarnos.")


def test_triage_by_keyboard_alone(page, login, entity, manager):
    first = make_case(entity, text="Primer reclamo por basuras")
    make_case(entity, text="Segundo reclamo por alumbrado")
    login(page, manager)
    page.goto(inbox_url(entity))
    page.keyboard.press("?")
    assert page.locator("#keyboard-help").is_visible()
    page.keyboard.press("?")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.closest('tr').dataset.caseId")
    assert focused == str(first.public_id)
    page.keyboard.press("c")  # claim from the list
    page.get_by_text("El caso es suyo.").wait_for()
    page.keyboard.press("j")
    page.keyboard.press("Enter")  # open the focused case
    page.wait_for_url(f"**/casos/{first.public_id}/")
    assert "Primer reclamo por basuras" in page.content()
    first.refresh_from_db()
    assert first.assignee == manager
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"
    # Typing "c" in the reply does not trigger the claim shortcut.
    page.keyboard.type("cc")
    assert page.locator("#reply-text").input_value() == "cc"


def test_inbox_and_case_pages_pass_axe(page, login, entity, manager, template):
    case = make_case(entity)
    login(page, manager)
    page.goto(inbox_url(entity))
    assert axe_violations(page) == []
    page.goto(reverse("monitoring:case_detail", kwargs={"entity_slug": entity.slug,
                                                        "case_id": case.public_id}))
    assert axe_violations(page) == []


def test_a_colleagues_claim_shows_on_reload_and_by_the_poll(page, login, entity, manager,
                                                            colleague):
    """The inbox reuses an unchanged page (page cache): a colleague's change must still show
    on the next reload, and by the 10 s poll without one."""
    from monitoring import inbox_services

    first, second = make_case(entity), make_case(entity)
    login(page, manager)
    page.goto(inbox_url(entity))
    page.reload()  # the second load stores the page, the third comes from the cache
    page.reload()
    row = page.locator(f'tr[data-case-id="{first.public_id}"]')
    expect(row.get_by_role("button", name="Tomar")).to_be_visible()
    inbox_services.case_claim(actor=colleague, case=first)
    page.reload()
    expect(row).to_contain_text(colleague.display_name)
    inbox_services.case_claim(actor=colleague, case=second)
    other = page.locator(f'tr[data-case-id="{second.public_id}"]')
    expect(other).to_contain_text(colleague.display_name, timeout=25_000)
    expect(page.get_by_text("La lista se actualizó")).to_be_visible()
