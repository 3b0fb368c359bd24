import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from protocols import services
from protocols.choices import ApprovalKind, ApprovalStatus, TemplateStatus
from protocols.models import ApprovalRequest
from strategy.choices import Role
from strategy.models import AuditEvent

from .factories import ResponseTemplateFactory

pytestmark = pytest.mark.django_db

GOOD = ("Hola, {nombre}. Gracias por escribirnos. Su solicitud quedó registrada con el "
        "radicado {radicado} y le responderemos en un plazo de {plazo}. Puede consultar el "
        "estado en {enlace}.")


def test_render_replaces_placeholders_safely(entity, admin_user):
    template = ResponseTemplateFactory(entity=entity)
    version = services.template_version_create(actor=admin_user, template=template, body=GOOD,
                                               short_body="Hola, {nombre}: radicado {radicado}.")
    text = services.template_render(template=version, context={
        "nombre": "Ana {radicado}", "radicado": "2026-1", "plazo": datetime.date(2026, 4, 15),
        "enlace": "https://www.gov.co"})
    assert "Hola, Ana {radicado}." in text  # values are never expanded again
    assert "15/04/2026" in text
    short = services.template_render(template=version, short=True,
                                     context={"nombre": "Ana", "radicado": "2026-1"})
    assert short == "Hola, Ana: radicado 2026-1."


def test_unknown_placeholders_are_refused_with_the_valid_list(entity, admin_user):
    template = ResponseTemplateFactory(entity=entity)
    with pytest.raises(ValidationError) as info:
        services.template_version_create(actor=admin_user, template=template,
                                         body="Hola {nombre.__class__} {cedula}")
    message = " ".join(info.value.messages)
    assert "{cedula}" in message and "{nombre}" in message and "{enlace}" in message
    assert not template.versions.exists()
    with pytest.raises(ValidationError):
        services.render_text("Hola {nombre}", {})


def test_template_without_approved_version_cannot_render(entity):
    template = ResponseTemplateFactory(entity=entity)
    with pytest.raises(ValidationError):
        services.template_render(template=template, context={})


def test_language_checker_blocks_submission(entity, admin_user):
    template = ResponseTemplateFactory(entity=entity)
    bad = services.template_version_create(actor=admin_user, template=template,
                                           body="q pasa {nombre} xq no responde")
    with pytest.raises(ValidationError):
        services.template_version_submit(actor=admin_user, version=bad)
    bad.refresh_from_db()
    assert bad.status == TemplateStatus.DRAFT
    assert not ApprovalRequest.objects.exists()


def test_full_approval_cycle_with_versions(entity, member_factory):
    writer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    approver = member_factory(entity, Role.APPROVER)
    cm = member_factory(entity, Role.COMMUNITY_MANAGER)
    template = ResponseTemplateFactory(entity=entity)
    v1 = services.template_version_create(actor=writer, template=template, body=GOOD)
    request = services.template_version_submit(actor=writer, version=v1)
    assert request.kind == ApprovalKind.TEMPLATE_VERSION and request.required_role == "approver"
    with pytest.raises(PermissionDenied):
        services.approval_decide(actor=cm, request=request, approve=True)
    with pytest.raises(ValidationError):
        services.approval_decide(actor=approver, request=request, approve=False, note="")
    services.approval_decide(actor=approver, request=request, approve=True, note="Bien")
    v1.refresh_from_db()
    assert v1.status == TemplateStatus.APPROVED and v1.approved_by == approver
    assert template.approved_version == v1
    with pytest.raises(ValidationError):  # decided once
        services.approval_decide(actor=approver, request=request, approve=False, note="x")
    v2 = services.template_version_create(actor=writer, template=template,
                                          body=GOOD.replace("Hola", "Buenos días"))
    assert v2.number == 2
    services.approval_decide(actor=approver, approve=True, note="",
                             request=services.template_version_submit(actor=writer, version=v2))
    v1.refresh_from_db()
    assert v1.status == TemplateStatus.SUPERSEDED
    assert services.template_render(template=template, context={
        "nombre": "Ana", "radicado": "1", "plazo": "15 días", "enlace": "x"}).startswith(
        "Buenos días, Ana.")
    assert AuditEvent.objects.filter(entity=entity, action="approval.approve").count() == 2


def test_generic_approval_requests_for_the_inbox(entity, member_factory):
    cm = member_factory(entity, Role.COMMUNITY_MANAGER)
    owner = member_factory(entity, Role.STRATEGY_OWNER)
    approver = member_factory(entity, Role.APPROVER)
    seen = []
    previous = services.APPROVAL_HANDLERS.get("reply")  # the inbox registers its own
    services.register_approval_handler("reply", lambda req, ok, actor: seen.append((req, ok)))
    try:
        request = services.approval_request_create(
            entity=entity, actor=cm, kind="reply", object_ref="abc", summary="Respuesta",
            required_role=Role.STRATEGY_OWNER)
        with pytest.raises(ValidationError):  # one pending request per object
            services.approval_request_create(entity=entity, actor=cm, kind="reply",
                                             object_ref="abc", summary="Otra vez",
                                             required_role=Role.STRATEGY_OWNER)
        with pytest.raises(PermissionDenied):  # wrong role
            services.approval_decide(actor=approver, request=request, approve=True)
        services.approval_decide(actor=owner, request=request, approve=False, note="Tono")
    finally:
        if previous is None:
            services.APPROVAL_HANDLERS.pop("reply", None)
        else:
            services.APPROVAL_HANDLERS["reply"] = previous
    request.refresh_from_db()
    assert request.status == ApprovalStatus.REJECTED and request.decided_by == owner
    assert seen == [(request, False)]


def test_nobody_approves_their_own_request(entity, member_factory):
    owner = member_factory(entity, Role.STRATEGY_OWNER)
    request = services.approval_request_create(
        entity=entity, actor=owner, kind="reply", object_ref="x", summary="s",
        required_role=Role.STRATEGY_OWNER)
    with pytest.raises(ValidationError):
        services.approval_decide(actor=owner, request=request, approve=True)


def test_tone_guide_forbidden_words_block_and_are_rechecked_at_approval(entity,
                                                                        member_factory):
    from strategy.models import ToneGuide

    writer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    approver = member_factory(entity, Role.APPROVER)
    template = ResponseTemplateFactory(entity=entity)
    version = services.template_version_create(actor=writer, template=template, body=GOOD)
    request = services.template_version_submit(actor=writer, version=version)
    # The entity bans a word the pending version uses: the approval is refused.
    ToneGuide.objects.create(entity=entity, forbidden_words="plazo")
    with pytest.raises(ValidationError):
        services.approval_decide(actor=approver, request=request, approve=True)
    request.refresh_from_db()
    version.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
    assert version.status == TemplateStatus.PENDING
    other = services.template_version_create(actor=writer, template=template,
                                             body=GOOD.replace("en un plazo de", "en"))
    other_body_ok = services.template_language_findings(entity=entity, version=other)
    assert other_body_ok == []
