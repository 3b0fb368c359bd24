"""REST endpoints of the plan and channels (issue 3)."""

import pytest

from strategy.choices import PlanPersonRole, Role
from strategy.models import AuditEvent, PlanPerson
from tests.channels_app.factories import PlanChannelFactory
from tests.strategy.plan_factories import KpiFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(entity, member_factory, client_for):
    return client_for(member_factory(entity, Role.COMMUNICATIONS_OFFICER))


def test_people_crud_and_one_owner_rule(api, entity):
    base = f"/api/v1/e/{entity.slug}/plan/personas/"
    response = api.post(base, {"role": "owner", "name": "Luz"}, content_type="application/json")
    assert response.status_code == 201, response.content
    response = api.post(base, {"role": "owner", "name": "Otra"},
                        content_type="application/json")
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    assert PlanPerson.objects.filter(entity=entity, role=PlanPersonRole.OWNER).count() == 1
    listing = api.get(base).json()
    assert [p["name"] for p in listing["results"]] == ["Luz"]
    person_id = listing["results"][0]["public_id"]
    response = api.patch(f"{base}{person_id}/", {"position": "Jefa"},
                         content_type="application/json")
    assert response.status_code == 200 and response.json()["position"] == "Jefa"
    assert AuditEvent.objects.filter(action="plan.planperson.update").exists()


def test_kpi_refuses_another_entitys_objective(api, entity, other_entity):
    foreign = ObjectiveFactory(entity=other_entity)
    response = api.post(f"/api/v1/e/{entity.slug}/plan/indicadores/", {
        "objective": str(foreign.public_id), "metric": "m", "unit": "u", "baseline": "1",
        "target": "2", "due_date": "2027-01-01"}, content_type="application/json")
    assert response.status_code == 400


def test_kpi_measurements(api, entity):
    kpi = KpiFactory(entity=entity)
    url = f"/api/v1/e/{entity.slug}/plan/indicadores/{kpi.public_id}/mediciones/"
    response = api.post(url, {"measured_on": "2026-11-01", "value": "250"},
                        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"]
    assert api.get(url).json()["results"][0]["value"] == "250.00"


def test_plan_and_tone_guide_and_completeness(api, entity):
    response = api.patch(f"/api/v1/e/{entity.slug}/plan/",
                         {"why_be_there": "Para estar presentes.", "official_handle": "@Mia"},
                         content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["official_handle"] == "Mia"
    response = api.patch(f"/api/v1/e/{entity.slug}/plan/tono/",
                         {"forbidden_words": "usuario\nbeneficiario"},
                         content_type="application/json")
    assert response.status_code == 200
    data = api.get(f"/api/v1/e/{entity.slug}/plan/completitud/").json()
    assert 0 <= data["readiness"] <= 100
    assert [s["number"] for s in data["steps"]] == list(range(1, 9))


def test_language_check_endpoint_uses_forbidden_words(api, entity):
    api.patch(f"/api/v1/e/{entity.slug}/plan/tono/", {"forbidden_words": "usuario"},
              content_type="application/json")
    response = api.post(f"/api/v1/e/{entity.slug}/lenguaje/revisar/",
                        {"text": "Estimado usuario, gracias por escribirnos.",
                         "network": "x"}, content_type="application/json")
    assert response.status_code == 200
    kinds = [f["kind"] for f in response.json()["findings"]]
    assert "forbidden_word" in kinds
    response = api.post(f"/api/v1/e/{entity.slug}/lenguaje/revisar/",
                        {"text": "hola", "network": "myspace"}, content_type="application/json")
    assert response.status_code == 400


def test_language_check_htmx_view(api, entity):
    response = api.post(f"/e/{entity.slug}/lenguaje/revisar/",
                        {"field": "text", "text": "xq no responden", "network": "x"})
    assert response.status_code == 200
    assert "sms_abbreviation" in response.content.decode()


def test_channels_api_hides_tokens_and_scopes_objectives(api, entity, other_entity):
    PlanChannelFactory(entity=entity, access_token="secreto-123")
    listing = api.get(f"/api/v1/e/{entity.slug}/canales/").json()
    assert "access_token" not in str(listing) and "secreto-123" not in str(listing)
    foreign = ObjectiveFactory(entity=other_entity)
    response = api.post(f"/api/v1/e/{entity.slug}/canales/", {
        "platform": "x", "handle": "Nueva", "objectives": [str(foreign.public_id)]},
        content_type="application/json")
    assert response.status_code == 400
    mine = ObjectiveFactory(entity=entity)
    response = api.post(f"/api/v1/e/{entity.slug}/canales/", {
        "platform": "x", "handle": "@Nueva", "objectives": [str(mine.public_id)]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["handle"] == "Nueva"


def test_launch_api(api, entity):
    url = f"/api/v1/e/{entity.slug}/lanzamiento/"
    response = api.put(url, [{"step": "staff", "done_on": "2026-11-02",
                              "evidence_url": "https://intranet.example/boletin"}],
                       content_type="application/json")
    assert response.status_code == 200, response.content
    assert {r["step"]: r["done_on"] for r in response.json()}["staff"] == "2026-11-02"
    assert api.put(url, [{"step": "nope"}], content_type="application/json").status_code == 400


def test_auditor_reads_but_cannot_write(entity, member_factory, client_for):
    api = client_for(member_factory(entity, Role.AUDITOR))
    assert api.get(f"/api/v1/e/{entity.slug}/plan/personas/").status_code == 200
    response = api.post(f"/api/v1/e/{entity.slug}/plan/personas/", {"role": "team", "name": "x"},
                        content_type="application/json")
    assert response.status_code == 403


def test_other_entity_gets_404(api, other_entity):
    assert api.get(f"/api/v1/e/{other_entity.slug}/plan/personas/").status_code == 404


@pytest.mark.parametrize("path", [
    "plan/personas/null,null/", "plan/indicadores/abc/mediciones/", "canales/no-es-uuid/",
    "plan/objetivos/00000000-0000-0000-0000-000000000000/"])
def test_malformed_or_unknown_ids_answer_json_404(api, entity, path):
    response = api.get(f"/api/v1/e/{entity.slug}/{path}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
