"""The plan workspace pages: steps 1, 2, 4, 8, overview, history, exports (issue 3)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy.choices import PlanPersonRole, Role
from strategy.models import AuditEvent, Kpi, Objective, PlanPerson
from tests.strategy.plan_factories import (
    KpiFactory,
    ObjectiveFactory,
    PlanPersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(entity, member_factory):
    return member_factory(entity, Role.COMMUNICATIONS_OFFICER)


@pytest.fixture
def client(officer, client_for):
    return client_for(officer)


def url(name, entity, **kwargs):
    return reverse(name, kwargs={"entity_slug": entity.slug, **kwargs})


@pytest.mark.parametrize("name", ["strategy:plan_overview", "strategy:plan_owner",
                                  "strategy:plan_objectives", "strategy:plan_tone",
                                  "strategy:plan_sustainability", "strategy:plan_history",
                                  "channels_app:channel_list", "channels_app:launch"])
def test_every_plan_page_renders_in_spanish(client, entity, name):
    response = client.get(url(name, entity))
    assert response.status_code == 200
    assert "Plan" in response.content.decode() or "plan" in response.content.decode()


def test_add_owner_then_second_owner_is_refused_with_spanish_error(client, entity):
    data = {"person-role": PlanPersonRole.OWNER, "person-name": "Luz Responsable",
            "person-position": "Jefa de comunicaciones"}
    response = client.post(url("strategy:plan_owner", entity), data)
    assert response.status_code == 302
    data["person-name"] = "Otro Responsable <b>negrita</b>"
    response = client.post(url("strategy:plan_owner", entity), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "ya tiene un responsable" in body.lower() or "already has an owner" in body
    # What the user typed is still there, escaped.
    assert "Otro Responsable &lt;b&gt;negrita&lt;/b&gt;" in body
    assert PlanPerson.objects.filter(entity=entity, role=PlanPersonRole.OWNER).count() == 1


def test_contract_dates_out_of_order_are_refused(client, entity):
    response = client.post(url("strategy:plan_owner", entity), {
        "person-role": PlanPersonRole.COMMUNITY_MANAGER, "person-name": "Agencia CM",
        "person-is_outsourced": "on", "person-agency": "Agencia Andina",
        "person-contract_start": "2026-12-01", "person-contract_end": "2026-01-01"})
    assert response.status_code == 200
    assert not PlanPerson.objects.filter(entity=entity).exists()
    assert "Agencia Andina" in response.content.decode()


def test_contract_ending_within_30_days_warns(client, entity):
    PlanPersonFactory(entity=entity, role=PlanPersonRole.COMMUNITY_MANAGER, name="Gestora",
                      is_outsourced=True, agency="Agencia Sur",
                      contract_end=timezone.localdate() + datetime.timedelta(days=10))
    PlanPersonFactory(entity=entity, role=PlanPersonRole.COMMUNITY_MANAGER, name="Lejana",
                      is_outsourced=True, agency="Agencia Norte",
                      contract_end=timezone.localdate() + datetime.timedelta(days=90))
    body = client.get(url("strategy:plan_overview", entity)).content.decode()
    assert "Agencia Sur" in body
    assert "Agencia Norte" not in body


def test_step_2_answers_objectives_kpis_and_measurement(client, entity, officer):
    overview = url("strategy:plan_overview", entity)
    before = client.get(overview).context["steps"][1].percent
    response = client.post(url("strategy:plan_objectives", entity), {
        "form": "answers", "answers-why_be_there": "Para estar cerca de la ciudadanía.",
        "answers-what_it_seeks": "Informar y escuchar.",
        "answers-audience_characteristics": "Habitantes del municipio.",
        "answers-what_to_achieve": "Confianza y participación."})
    assert response.status_code == 302
    response = client.post(url("strategy:plan_objectives", entity), {
        "form": "objective", "objective-title": "Mejorar la atención", "objective-order": 1})
    assert response.status_code == 302
    general = Objective.objects.get(entity=entity)
    client.post(url("strategy:plan_objectives", entity), {
        "form": "objective", "objective-title": "Responder en menos de un día",
        "objective-parent": general.pk, "objective-order": 2})
    response = client.post(url("strategy:plan_objectives", entity), {
        "form": "kpi", "kpi-objective": general.pk, "kpi-metric": "Tiempo de respuesta",
        "kpi-unit": "horas", "kpi-baseline": "48", "kpi-target": "12",
        "kpi-due_date": "2027-06-30"})
    assert response.status_code == 302
    kpi = Kpi.objects.get(entity=entity)
    response = client.post(url("strategy:plan_kpi_measurement_add", entity,
                               kpi_id=kpi.public_id),
                           {"measurement-measured_on": "2026-11-01",
                            "measurement-value": "30"})
    assert response.status_code == 302
    assert kpi.measurements.get().recorded_by == officer
    after = client.get(overview).context["steps"][1].percent
    assert after > before
    assert AuditEvent.objects.filter(entity=entity, action="plan.objective.create").count() == 2


def test_kpi_due_date_before_baseline_date_is_refused(client, entity):
    objective = ObjectiveFactory(entity=entity)
    response = client.post(url("strategy:plan_objectives", entity), {
        "form": "kpi", "kpi-objective": objective.pk, "kpi-metric": "Alcance",
        "kpi-unit": "personas", "kpi-baseline": "1", "kpi-target": "2",
        "kpi-baseline_date": "2027-01-01", "kpi-due_date": "2026-01-01"})
    assert response.status_code == 200
    assert not Kpi.objects.exists()


def test_another_entitys_objective_cannot_be_chosen(client, entity, other_entity):
    foreign = ObjectiveFactory(entity=other_entity)
    response = client.post(url("strategy:plan_objectives", entity), {
        "form": "kpi", "kpi-objective": foreign.pk, "kpi-metric": "Alcance",
        "kpi-unit": "personas", "kpi-baseline": "1", "kpi-target": "2",
        "kpi-due_date": "2027-01-01"})
    assert response.status_code == 200
    assert not Kpi.objects.exists()


def test_overlong_text_is_refused_and_kept(client, entity):
    title = "x" * 301
    response = client.post(url("strategy:plan_objectives", entity), {
        "form": "objective", "objective-title": title, "objective-order": 1})
    assert response.status_code == 200
    assert title in response.content.decode()
    assert not Objective.objects.exists()


def test_edit_and_delete_keep_history(client, entity, officer):
    objective = ObjectiveFactory(entity=entity, title="Antes")
    edit = url("strategy:plan_objective_edit", entity, objective_id=objective.public_id)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"title": "Después", "order": 3})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="plan.objective.update")
    assert event.before == {"title": "Antes", "order": 0}
    assert event.after == {"title": "Después", "order": 3}
    assert event.actor == officer
    delete = url("strategy:plan_objective_delete", entity, objective_id=objective.public_id)
    assert client.post(delete).status_code == 302
    assert not Objective.objects.exists()
    history = client.get(url("strategy:plan_history", entity)).content.decode()
    assert "plan.objective.delete" in history and "Después" in history


def test_community_manager_reads_but_cannot_edit(entity, member_factory, client_for):
    client = client_for(member_factory(entity, Role.COMMUNITY_MANAGER))
    assert client.get(url("strategy:plan_objectives", entity)).status_code == 200
    response = client.post(url("strategy:plan_objectives", entity), {
        "form": "objective", "objective-title": "No", "objective-order": 1})
    assert response.status_code == 403
    objective = ObjectiveFactory(entity=entity)
    assert client.post(url("strategy:plan_objective_delete", entity,
                           objective_id=objective.public_id)).status_code == 403


def test_sustainability_activity_dates_in_order(client, entity):
    response = client.post(url("strategy:plan_sustainability", entity), {
        "form": "activity", "activity-horizon": "week", "activity-title": "Campaña",
        "activity-start_date": "2026-12-10", "activity-end_date": "2026-12-01",
        "activity-status": "planned"})
    assert response.status_code == 200
    assert "Campaña" in response.content.decode()
    response = client.post(url("strategy:plan_sustainability", entity), {
        "form": "resource", "resource-kind": "people", "resource-name": "Community manager",
        "resource-people": "2", "resource-weekly_hours": "40"})
    assert response.status_code == 302


def test_exports_pdf_and_markdown(client, entity):
    PlanPersonFactory(entity=entity, role=PlanPersonRole.OWNER, name="Íñigo Núñez Peña")
    kpi = KpiFactory(entity=entity, metric="Interacción")
    response = client.get(url("strategy:plan_export_markdown", entity))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/markdown")
    assert "# Plan de gestión de redes sociales" in text
    assert "Íñigo Núñez Peña" in text and kpi.metric in text
    response = client.get(url("strategy:plan_export_pdf", entity))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 2000


def test_pdf_text_contains_spanish_accents(entity):
    from strategy.plan_export import plan_pdf

    PlanPersonFactory(entity=entity, role=PlanPersonRole.OWNER, name="Íñigo Núñez Peña")
    import io

    from pypdf import PdfReader

    data = plan_pdf(entity)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Plan de gestión de redes sociales" in text
    assert "Íñigo Núñez Peña" in text


def test_demo_plan_is_fairly_complete_and_idempotent():
    from strategy.demo import seed
    from strategy.models import Entity
    from strategy.plan_selectors import plan_completeness

    seed()
    seed()
    main = Entity.objects.get(slug="alcaldia-san-isidro")
    steps, readiness = plan_completeness(main)
    assert readiness >= 70
    assert steps[0].percent == 100 and steps[1].percent == 100
    assert PlanPerson.objects.filter(entity=main, role=PlanPersonRole.OWNER).count() == 1
