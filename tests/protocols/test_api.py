import pytest

from protocols.models import EscalationRule, RaciAssignment, Risk
from strategy.choices import Role

from .factories import (
    ApprovalRequestFactory,
    AreaFactory,
    EscalationRuleFactory,
    RaciActivityFactory,
    ResponseTemplateFactory,
)

pytestmark = pytest.mark.django_db


def api(entity, path):
    return f"/api/v1/e/{entity.slug}/protocolos/{path}"


def test_crud_a_risk_through_the_api(entity, admin_user, client_for):
    client = client_for(admin_user)
    owner = AreaFactory(entity=entity)
    response = client.post(api(entity, "riesgos/"), {
        "kind": "misinformation", "title": "Bulo sobre subsidios", "likelihood": 4,
        "impact": 4, "owner": str(owner.public_id), "mitigation": "Aclarar con la fuente."},
        content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["score"] == 16 and data["owner"] == str(owner.public_id)
    response = client.patch(api(entity, f"riesgos/{data['id']}/"), {"impact": 5},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["score"] == 20
    bad = client.post(api(entity, "riesgos/"), {"kind": "misinformation", "title": "x",
                                                "likelihood": 8, "impact": 1,
                                                "mitigation": "m"},
                      content_type="application/json")
    assert bad.status_code == 400
    assert client.delete(api(entity, f"riesgos/{data['id']}/")).status_code == 204
    assert not Risk.objects.exists()


def test_api_refuses_other_entity_references(entity, other_entity, admin_user, client_for):
    foreign = AreaFactory(entity=other_entity)
    response = client_for(admin_user).post(api(entity, "riesgos/"), {
        "kind": "data_leak", "title": "x", "likelihood": 1, "impact": 1, "mitigation": "m",
        "owner": str(foreign.public_id)}, content_type="application/json")
    assert response.status_code == 400


def test_readers_cannot_write(entity, member_factory, client_for):
    client = client_for(member_factory(entity, Role.AUDITOR))
    assert client.get(api(entity, "riesgos/")).status_code == 200
    assert client.post(api(entity, "riesgos/"), {}, content_type="application/json"
                       ).status_code == 403


def test_escalation_try_and_problems(entity, member_factory, client_for):
    EscalationRuleFactory(entity=entity, name="Todo", position=1, stop_processing=True,
                          keywords=["corrupción"], crisis_candidate=True,
                          require_approval_role=Role.APPROVER)
    client = client_for(member_factory(entity, Role.COMMUNITY_MANAGER))
    response = client.post(api(entity, "escalamiento/probar/"), {
        "text": "Hay CORRUPCIÓN", "category": "complaint", "platform": "x"},
        content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["matches"][0]["name"] == "Todo" and data["approval_role"] == "approver"
    assert {a["kind"] for a in data["matches"][0]["actions"]} == {"crisis_candidate",
                                                                   "require_approval"}
    assert client.get(api(entity, "escalamiento/problemas/")).json() == []


def test_unreachable_rule_is_a_400(entity, admin_user, client_for):
    EscalationRuleFactory(entity=entity, name="Todo", position=1, stop_processing=True,
                          notify_roles=["approver"])
    response = client_for(admin_user).post(api(entity, "escalamiento/"), {
        "name": "Nunca", "position": 5, "categories": ["complaint"],
        "crisis_candidate": True}, content_type="application/json")
    assert response.status_code == 400
    assert not EscalationRule.objects.filter(name="Nunca").exists()


def test_raci_put_and_get(entity, admin_user, client_for):
    act = RaciActivityFactory(entity=entity)
    a, b = AreaFactory(entity=entity), AreaFactory(entity=entity)
    client = client_for(admin_user)
    bad = client.put(api(entity, "raci/"), {"cells": [
        {"activity": str(act.public_id), "area": str(a.public_id), "letter": "A"}]},
        content_type="application/json")
    assert bad.status_code == 400
    ok = client.put(api(entity, "raci/"), {"cells": [
        {"activity": str(act.public_id), "area": str(a.public_id), "letter": "A"},
        {"activity": str(act.public_id), "area": str(b.public_id), "letter": "R"}]},
        content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["activities"][0]["problems"] == []
    assert RaciAssignment.objects.count() == 2


def test_deadline_endpoint(entity, member_factory, client_for):
    client = client_for(member_factory(entity, Role.COMMUNITY_MANAGER))
    response = client.get(api(entity, "plazo/"), {"received": "2026-03-20T10:00:00-05:00",
                                                  "type": "peticion"})
    assert response.status_code == 200
    assert response.json()["due"] == "2026-04-15"
    far = client.get(api(entity, "plazo/"), {"received": "2150-03-20T10:00:00-05:00",
                                             "type": "peticion"})
    assert far.status_code == 400 and "2150" in str(far.json())


def test_template_versions_submit_and_render(entity, member_factory, client_for):
    officer = client_for(member_factory(entity, Role.COMMUNICATIONS_OFFICER))
    approver = client_for(member_factory(entity, Role.APPROVER))
    template = ResponseTemplateFactory(entity=entity)
    base = api(entity, f"plantillas/{template.public_id}/")
    bad = officer.post(base + "versiones/", {"body": "Hola {cedula}"},
                       content_type="application/json")
    assert bad.status_code == 400 and "{nombre}" in str(bad.json())
    version = officer.post(base + "versiones/", {
        "body": "Hola, {nombre}. Gracias por escribirnos; su radicado es {radicado}."},
        content_type="application/json").json()
    approval = officer.post(base + f"versiones/{version['id']}/enviar/").json()
    decided = approver.post(api(entity, f"aprobaciones/{approval['id']}/decidir/"),
                            {"approve": True}, content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    rendered = officer.post(base + "renderizar/", {"context": {"nombre": "Ana",
                                                               "radicado": "2026-7"}},
                            content_type="application/json")
    assert rendered.json() == {"text": "Hola, Ana. Gracias por escribirnos; su radicado es "
                                       "2026-7."}


def test_approvals_list_needs_the_right(entity, member_factory, client_for):
    ApprovalRequestFactory(entity=entity)
    cm = client_for(member_factory(entity, Role.COMMUNITY_MANAGER))
    assert cm.get(api(entity, "aprobaciones/")).status_code == 403
    approver = client_for(member_factory(entity, Role.APPROVER))
    assert len(approver.get(api(entity, "aprobaciones/")).json()["results"]) == 1


def test_settings_endpoint(entity, admin_user, client_for):
    client = client_for(admin_user)
    assert client.get(api(entity, "ajustes/")).json()["service_start"] == "08:00"
    bad = client.patch(api(entity, "ajustes/"), {"service_start": "18:00"},
                       content_type="application/json")
    assert bad.status_code == 400
    ok = client.patch(api(entity, "ajustes/"), {"service_end": "16:30", "reclamo_days": 10},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["service_end"] == "16:30"
    too_long = client.patch(api(entity, "ajustes/"), {"queja_days": 20},
                            content_type="application/json")
    assert too_long.status_code == 400
    assert client.options(api(entity, "raci/")).status_code == 200
    assert client.options(api(entity, "ajustes/")).status_code == 200
