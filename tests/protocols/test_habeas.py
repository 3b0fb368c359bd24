"""Habeas data (Ley 1581 de 2012): consultas and reclamos with their business-day terms,
the "reclamo en trámite" legend, export and suppression through monitoring, the audit trail."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.models import ClassificationCorrection, Mention
from protocols import habeas_selectors, habeas_services
from protocols.habeas_models import HabeasKind, HabeasRequest, HabeasStatus, ReclamoType
from strategy.choices import Role
from strategy.models import AuditEvent
from tests.monitoring.factories import AuthorFactory, CaseFactory, MentionFactory

BOGOTA = ZoneInfo("America/Bogota")
# Tuesday 3 November 2026, 10:00 in Bogotá (a business day; 16 November is a holiday).
RECEIVED = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=BOGOTA)


def _create(entity, actor, kind=HabeasKind.CONSULTA, **kwargs):
    defaults = {"handle": "@juana_perez", "requester_name": "Juana Pérez",
                "contact": "juana@example.com", "received_at": RECEIVED}
    if kind == HabeasKind.RECLAMO:
        defaults["reclamo_type"] = ReclamoType.SUPPRESSION
    defaults.update(kwargs)
    return habeas_services.habeas_request_create(actor=actor, entity=entity, kind=kind,
                                                 **defaults)


@pytest.mark.django_db
def test_consulta_is_due_in_ten_business_days_and_extends_by_five(entity, admin_user):
    request = _create(entity, admin_user)
    assert request.handle == "juana_perez"
    assert request.filed_on == datetime.date(2026, 11, 3)
    # 4,5,6,9,10,11,12,13,17,18 (16 November 2026 is a holiday in Colombia).
    assert request.due_on == datetime.date(2026, 11, 18)
    extended = habeas_services.habeas_request_extend(
        actor=admin_user, request=request, reason="Revisión de varias redes",
        today=datetime.date(2026, 11, 10))
    assert extended.extended_due_on == datetime.date(2026, 11, 25)  # 19,20,23,24,25
    with pytest.raises(ValidationError):  # only once
        habeas_services.habeas_request_extend(actor=admin_user, request=extended,
                                              reason="otra vez",
                                              today=datetime.date(2026, 11, 10))
    actions = list(AuditEvent.objects.filter(entity=entity).values_list("action", flat=True))
    assert "habeas.consulta.create" in actions and "habeas.consulta.extend" in actions


@pytest.mark.django_db
def test_reclamo_is_due_in_fifteen_business_days_and_extends_by_eight(entity, admin_user):
    request = _create(entity, admin_user, kind=HabeasKind.RECLAMO)
    assert request.due_on == datetime.date(2026, 11, 25)
    assert request.claim_in_progress
    assert habeas_selectors.claim_in_progress(entity, "JUANA_PEREZ") == request
    extended = habeas_services.habeas_request_extend(
        actor=admin_user, request=request, reason="Consulta a la oficina jurídica",
        today=datetime.date(2026, 11, 25))
    assert extended.extended_due_on == datetime.date(2026, 12, 7)  # 26,27,30,1,2,3,4,7


@pytest.mark.django_db
def test_extension_after_the_term_expired_is_refused(entity, admin_user):
    request = _create(entity, admin_user)
    with pytest.raises(ValidationError):
        habeas_services.habeas_request_extend(actor=admin_user, request=request,
                                              reason="tarde", today=datetime.date(2026, 11, 19))
    with pytest.raises(ValidationError):
        habeas_services.habeas_request_extend(actor=admin_user, request=request, reason="",
                                              today=datetime.date(2026, 11, 5))


@pytest.mark.django_db
def test_request_received_after_hours_is_filed_next_business_day(entity, admin_user):
    friday_evening = datetime.datetime(2026, 11, 6, 18, 30, tzinfo=BOGOTA)
    request = _create(entity, admin_user, received_at=friday_evening)
    assert request.filed_on == datetime.date(2026, 11, 9)


@pytest.mark.django_db
def test_reclamo_needs_its_type_and_handle(entity, admin_user):
    with pytest.raises(ValidationError):
        _create(entity, admin_user, kind=HabeasKind.RECLAMO, reclamo_type="")
    with pytest.raises(ValidationError):
        _create(entity, admin_user, handle=" @ ")
    assert not HabeasRequest.objects.exists()


@pytest.mark.django_db
def test_consulta_answer_exports_only_this_entitys_data(entity, other_entity, admin_user):
    author = AuthorFactory(entity=entity, handle="juana_perez", platform="x")
    mention = MentionFactory(entity=entity, author=author, text="Mi queja sobre el alumbrado")
    CaseFactory(entity=entity, author=author)
    foreign = AuthorFactory(entity=other_entity, handle="juana_perez")
    MentionFactory(entity=other_entity, author=foreign, text="Texto de otra entidad")
    request = _create(entity, admin_user)
    answered = habeas_services.habeas_request_answer(
        actor=admin_user, request=request, resolution="Se envía la copia de sus datos.")
    export = answered.result["export"]["monitoring"]
    assert [m["text"] for m in export["mentions"]] == [mention.text]
    assert len(export["cases"]) == 1 and export["authors"][0]["handle"] == "juana_perez"
    assert "Texto de otra entidad" not in json.dumps(answered.result)
    assert answered.status == HabeasStatus.ANSWERED
    event = AuditEvent.objects.get(entity=entity, action="habeas.consulta.answer")
    assert event.after["exported"] is True
    assert "alumbrado" not in json.dumps(event.after)  # the audit trail holds no citizen data


@pytest.mark.django_db
def test_suppression_reclamo_anonymises_the_handle_everywhere(entity, admin_user):
    author = AuthorFactory(entity=entity, handle="Juana_Perez", name="Juana Pérez")
    mention = MentionFactory(entity=entity, author=author, text="Datos personales míos",
                             raw={"text": "Datos personales míos"})
    ClassificationCorrection.objects.create(entity=entity, mention=mention, text=mention.text,
                                            label="complaint")
    bystander = MentionFactory(entity=entity, text="Otra persona")
    request = _create(entity, admin_user, kind=HabeasKind.RECLAMO)
    with pytest.raises(ValidationError):
        habeas_services.habeas_request_answer(actor=admin_user, request=request, resolution="")
    habeas_services.habeas_request_answer(actor=admin_user, request=request,
                                          resolution="Datos suprimidos.", suppress=True)
    mention.refresh_from_db()
    author.refresh_from_db()
    assert (mention.text, mention.raw, mention.url) == ("", {}, "")
    assert author.handle == "" and author.name == "" and author.external_id.startswith("anon-")
    assert not ClassificationCorrection.objects.exists()
    assert Mention.objects.get(pk=bystander.pk).text == "Otra persona"
    assert AuditEvent.objects.filter(entity=entity, action="habeas.suppress").exists()
    assert habeas_selectors.claim_in_progress(entity, "juana_perez") is None


@pytest.mark.django_db
def test_correction_reclamo_cannot_delete_data(entity, admin_user):
    request = _create(entity, admin_user, kind=HabeasKind.RECLAMO,
                      reclamo_type=ReclamoType.CORRECTION)
    with pytest.raises(ValidationError):
        habeas_services.habeas_request_answer(actor=admin_user, request=request,
                                              resolution="x", suppress=True)


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_and_answer_through_the_pages(entity, admin_user, client_for):
    client = client_for(admin_user)
    url = reverse("protocols:habeas_list", kwargs={"entity_slug": entity.slug})
    response = client.post(url, {"kind": "reclamo", "reclamo_type": "", "handle": "@pedro",
                                 "requester_name": "Pedro", "contact": "p@example.com"})
    assert response.status_code == 200  # the missing claim type is refused, input kept
    assert "@pedro" in response.content.decode()
    assert not HabeasRequest.objects.exists()
    response = client.post(url, {"kind": "reclamo", "reclamo_type": "correction",
                                 "handle": "@pedro", "requester_name": "Pedro",
                                 "contact": "p@example.com"})
    request = HabeasRequest.objects.get()
    assert response.status_code == 302
    detail = client.get(response.url)
    assert "reclamo en trámite" in detail.content.decode()
    kwargs = {"entity_slug": entity.slug, "habeas_id": request.public_id}
    response = client.post(reverse("protocols:habeas_answer", kwargs=kwargs),
                           {"resolution": "Corregido el nombre."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == HabeasStatus.ANSWERED
    listing = client.get(url).content.decode()
    assert "@pedro" in listing and "badge--warn" not in listing


@pytest.mark.django_db
def test_consulta_json_download(entity, admin_user, client_for):
    AuthorFactory(entity=entity, handle="juana_perez")
    request = _create(entity, admin_user)
    kwargs = {"entity_slug": entity.slug, "habeas_id": request.public_id}
    client = client_for(admin_user)
    assert client.get(reverse("protocols:habeas_export_json", kwargs=kwargs)).status_code == 404
    habeas_services.habeas_request_answer(actor=admin_user, request=request, resolution="ok")
    response = client.get(reverse("protocols:habeas_export_json", kwargs=kwargs))
    assert response.status_code == 200
    assert json.loads(response.content)["monitoring"]["authors"][0]["handle"] == "juana_perez"


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "read", "write"), [
    (Role.ENTITY_ADMIN, 200, 302), (Role.STRATEGY_OWNER, 200, 302),
    (Role.COMMUNICATIONS_OFFICER, 200, 302), (Role.AUDITOR, 200, 403),
    (Role.APPROVER, 403, 403), (Role.COMMUNITY_MANAGER, 403, 403),
])
def test_roles(entity, member_factory, client_for, role, read, write):
    client = client_for(member_factory(entity, role))
    url = reverse("protocols:habeas_list", kwargs={"entity_slug": entity.slug})
    assert client.get(url).status_code == read
    response = client.post(url, {"kind": "consulta", "handle": "x1", "requester_name": "A",
                                 "contact": "a@example.com"})
    assert response.status_code == write
    assert HabeasRequest.objects.exists() == (write == 302)


@pytest.mark.django_db
def test_retention_settings_page(entity, admin_user, member_factory, client_for):
    url = reverse("protocols:habeas_settings", kwargs={"entity_slug": entity.slug})
    auditor = client_for(member_factory(entity, Role.AUDITOR))
    assert auditor.post(url, {"retention_months": 6}).status_code == 403
    client = client_for(admin_user)
    assert client.post(url, {"retention_months": 0, "retention_action": "purge"}).status_code \
        == 200
    response = client.post(url, {"retention_months": 12, "retention_action": "purge"})
    assert response.status_code == 302
    settings = habeas_services.data_protection_settings_for(entity)
    assert (settings.retention_months, settings.retention_action) == (12, "purge")
    assert AuditEvent.objects.filter(entity=entity, action="data_protection.settings").exists()
