"""Services of the inbox: claim, assign, release, replies and publishing, approvals, outcomes,
radicados, sweeps, bulk actions. Network calls go to respx (the X client's real wire format)."""

import datetime
from datetime import timedelta

import httpx
import pytest
import respx
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring import inbox_services as services
from monitoring.choices import CaseStatus
from monitoring.inbox_choices import OutcomeKind, ReplyStatus
from monitoring.inbox_models import (
    CaseOutcome,
    CasePresence,
    InboxSettings,
    NotificationPreference,
    PqrsdRegistration,
    RadicadoCounter,
    Reply,
    SlaNotice,
)
from monitoring.models import Case, Mention
from strategy.choices import Role
from strategy.models import AuditEvent

from .factories import ChannelFactory
from .test_inbox_helpers import *  # noqa: F403  (fixtures)
from .test_inbox_helpers import X_BASE, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service and then its on-commit work (the eager publish task), as after COMMIT."""

    def run(func, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(**kwargs)

    return run


def audit_actions(case):
    return list(AuditEvent.objects.filter(object_type="monitoring.case",
                                          object_id=str(case.public_id))
                .order_by("at", "pk").values_list("action", flat=True))


# --------------------------------------------------------------------------- claim


def test_claim_first_wins_second_is_told_who_has_it(case, manager, colleague):
    claimed = services.case_claim(actor=manager, case=case)
    assert claimed.assignee == manager
    assert claimed.status == CaseStatus.IN_PROGRESS
    with pytest.raises(services.CaseAlreadyClaimed) as info:
        services.case_claim(actor=colleague, case=case)
    assert info.value.holder == manager
    assert manager.display_name in info.value.messages[0]
    assert audit_actions(case) == ["case.claim"]
    event = AuditEvent.objects.get(action="case.claim")
    assert event.actor == manager
    assert event.before["assignee"] is None and event.after["assignee"] == manager.email


def test_claim_is_idempotent_for_the_holder(case, manager):
    services.case_claim(actor=manager, case=case)
    again = services.case_claim(actor=manager, case=case)
    assert again.assignee == manager
    assert audit_actions(case) == ["case.claim"]


def test_auditor_cannot_claim(case, auditor):
    with pytest.raises(PermissionDenied):
        services.case_claim(actor=auditor, case=case)
    assert Case.objects.get(pk=case.pk).assignee is None


def test_channel_scoped_manager_cannot_work_other_channels(entity, member_factory, case):
    own = ChannelFactory(entity=entity)
    scoped = member_factory(entity, Role.COMMUNITY_MANAGER, channel_scope=[str(own.public_id)])
    with pytest.raises(PermissionDenied):
        services.case_claim(actor=scoped, case=case)
    mine = make_case(entity, channel=own)
    assert services.case_claim(actor=scoped, case=mine).assignee == scoped


def test_assign_and_release(case, manager, colleague, auditor):
    services.case_assign(actor=manager, case=case, assignee=colleague)
    assert Case.objects.get(pk=case.pk).assignee == colleague
    with pytest.raises(ValidationError):
        services.case_assign(actor=manager, case=case, assignee=auditor)
    services.case_release(actor=manager, case=case)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.assignee is None and fresh.status == CaseStatus.OPEN
    assert audit_actions(case) == ["case.assign", "case.release"]


def test_untouched_claim_returns_to_the_queue(entity, manager, colleague):
    InboxSettings.objects.create(entity=entity, claim_timeout_minutes=30)
    stale = make_case(entity)
    touched = make_case(entity)
    services.case_claim(actor=manager, case=stale)
    services.case_claim(actor=colleague, case=touched)
    later = timezone.now() + timedelta(minutes=45)
    # The colleague is still on their case (a presence heartbeat within the timeout).
    CasePresence.objects.update_or_create(case=touched, user=colleague,
                                          defaults={"last_seen": later - timedelta(minutes=5)})
    CasePresence.objects.filter(case=stale).update(last_seen=timezone.now() - timedelta(hours=1))
    assert services.claims_release_stale(now=later) == 1
    assert Case.objects.get(pk=stale.pk).assignee is None
    assert Case.objects.get(pk=touched.pk).assignee == colleague
    assert "case.release_stale" in audit_actions(stale)
    # Nothing more to do the second time.
    assert services.claims_release_stale(now=later) == 0


def test_presence_shows_others_viewing_and_drafting(case, manager, colleague):
    from monitoring.inbox_selectors import others_on_case

    services.presence_touch(user=manager, case=case)
    services.reply_draft_save(actor=colleague, case=case, text="Hola")
    others = {p.user: p.activity for p in others_on_case(case, manager)}
    assert others == {colleague: "drafting"}
    assert [p.user for p in others_on_case(case, colleague)] == [manager]


# --------------------------------------------------------------------------- replies


def tweet_ok(reply_id="1900000000000000001"):
    return httpx.Response(201, json={"data": {"id": reply_id, "text": "ok"}})


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_reply_is_queued_then_published_once(respx_mock, case, manager, committed):
    route = respx_mock.post("/2/tweets").mock(return_value=tweet_ok())
    services.reply_draft_save(actor=manager, case=case, text="Hola, borrador")
    assert Reply.objects.get(case=case).status == ReplyStatus.DRAFT
    reply = committed(services.reply_submit, actor=manager, case=case,
                      text="Hola, ya reportamos el hueco a la Secretaría de Obras.")
    # Autosaved draft became the reply: still one row. Eager Celery published it on commit.
    assert Reply.objects.filter(case=case).count() == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert reply.external_id == "1900000000000000001"
    assert reply.attempts == 1
    assert route.call_count == 1
    sent = route.calls[0].request
    assert b"in_reply_to_tweet_id" in sent.content
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == CaseStatus.ANSWERED
    assert fresh.first_response_at is not None
    assert CaseOutcome.objects.filter(case=case, kind=OutcomeKind.RESPONDED).exists()
    # A second run of the task does nothing: the row is no longer queued.
    assert services.reply_publish(reply_id=reply.pk).status == "not_due"
    assert route.call_count == 1
    assert audit_actions(case)[-2:] == ["reply.queue", "reply.publish"]


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_transient_failure_backs_off_then_fails_then_retry_publishes(respx_mock, case,
                                                                     manager, committed):
    route = respx_mock.post("/2/tweets").mock(return_value=httpx.Response(
        429, headers={"retry-after": "1"}, json={"title": "Too Many Requests"}))
    reply = committed(services.reply_submit, actor=manager, case=case,
                      text="Hola, gracias por avisar.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.QUEUED
    assert reply.attempts == 1 and reply.retry_after is not None and reply.error
    # Not due yet: the worker leaves it alone.
    assert services.reply_publish(reply_id=reply.pk).status == "not_due"
    now = timezone.now()
    for _ in services.PUBLISH_BACKOFF:
        now += timedelta(hours=1)
        services.reply_publish(reply_id=reply.pk, now=now)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert reply.attempts == len(services.PUBLISH_BACKOFF) + 1
    assert route.call_count == len(services.PUBLISH_BACKOFF) + 1
    assert "reply.fail" in audit_actions(case)
    # The retry button: the network works again.
    route.mock(return_value=tweet_ok("1900000000000000002"))
    assert committed(services.reply_retry, actor=manager, reply=reply) is True
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert reply.external_id == "1900000000000000002"
    assert services.reply_retry(actor=manager, reply=reply) is False


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_permanent_failure_is_stored_at_once(respx_mock, case, manager, committed):
    respx_mock.post("/2/tweets").mock(return_value=httpx.Response(
        403, json={"title": "Forbidden", "detail": "You are not permitted", "status": 403}))
    reply = committed(services.reply_submit, actor=manager, case=case,
                      text="Hola, gracias por avisar.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert reply.attempts == 1
    assert reply.error


def test_due_replies_include_stuck_sending(case, manager):
    reply = Reply.objects.create(entity=case.entity, case=case, author=manager, text="x",
                                 status=ReplyStatus.SENDING,
                                 updated_at=timezone.now() - timedelta(hours=1))
    assert services.replies_due() == [reply.pk]


def test_reply_longer_than_the_network_allows_is_refused(case, manager):
    with pytest.raises(ValidationError) as info:
        services.reply_submit(actor=manager, case=case, text="a" * 300)
    assert "280" in str(info.value)
    assert not Reply.objects.exclude(status=ReplyStatus.DRAFT).exists()


def test_reply_check_reports_length_and_findings(case):
    result = services.reply_check(case=case, text="q necesita??")
    assert result["limit"] == 280
    assert result["length"] == len("q necesita??")
    assert result["findings"], "the language checker flags the abbreviation"


def test_only_the_assignee_replies_when_the_entity_says_so(entity, case, manager, colleague):
    InboxSettings.objects.create(entity=entity, only_assignee_replies=True)
    services.case_claim(actor=manager, case=case)
    with pytest.raises(PermissionDenied):
        services.reply_draft_save(actor=colleague, case=case, text="Hola")
    services.reply_draft_save(actor=manager, case=case, text="Hola")


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_approval_flow_approve_publishes_reject_returns(respx_mock, entity, manager,
                                                        approver, committed):
    from protocols.models import ApprovalRequest
    from protocols.services import approval_decide

    route = respx_mock.post("/2/tweets").mock(return_value=tweet_ok())
    case = make_case(entity, approval_role=Role.APPROVER)
    reply = services.reply_submit(actor=manager, case=case, text="Hola, revisamos su caso.")
    assert reply.status == ReplyStatus.AWAITING_APPROVAL
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PENDING_APPROVAL
    request = ApprovalRequest.objects.get(object_ref=str(reply.public_id))
    assert request.required_role == Role.APPROVER
    assert route.call_count == 0
    committed(approval_decide, actor=approver, request=request, approve=True)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert route.call_count == 1
    assert "reply.approve" in audit_actions(case)

    second = services.reply_submit(actor=manager, case=case, text="Hola de nuevo.")
    request = ApprovalRequest.objects.get(object_ref=str(second.public_id))
    approval_decide(actor=approver, request=request, approve=False, note="Falta el radicado")
    second.refresh_from_db()
    assert second.status == ReplyStatus.REJECTED
    assert second.error == "Falta el radicado"
    assert route.call_count == 1


def test_template_fill_uses_case_values(entity, case, manager):
    from protocols.choices import TemplateStatus
    from protocols.models import ResponseTemplate, TemplateVersion

    template = ResponseTemplate.objects.create(entity=entity, title="Vías", category="Huecos")
    TemplateVersion.objects.create(template=template, number=1, status=TemplateStatus.APPROVED,
                                   body="Hola {nombre}, su radicado es {radicado}.",
                                   short_body="Hola {nombre}, radicado {radicado}.")
    services.pqrsd_register(actor=manager, case=case, pqrsd_type="peticion")
    text = services.template_fill(case=case, template=template)
    registration = PqrsdRegistration.objects.get(case=case)
    assert text == f"Hola {case.author.name}, radicado {registration.radicado}."


# --------------------------------------------------------------------------- outcomes


def test_radicados_are_gapless_per_entity_and_year(entity, other_entity, manager,
                                                   member_factory):
    cases = [make_case(entity) for _ in range(3)]
    numbers = [services.pqrsd_register(actor=manager, case=c, pqrsd_type="peticion").number
               for c in cases]
    assert numbers == [1, 2, 3]
    year = timezone.localdate().year
    assert PqrsdRegistration.objects.get(case=cases[0]).radicado == f"{year}-000001"
    # A refused registration (already registered) consumes no number.
    with pytest.raises(ValidationError):
        services.pqrsd_register(actor=manager, case=cases[0], pqrsd_type="peticion")
    assert RadicadoCounter.objects.get(entity=entity, year=year).last_number == 3
    # Another entity has its own sequence.
    other_manager = member_factory(other_entity, Role.COMMUNITY_MANAGER)
    other = services.pqrsd_register(actor=other_manager, case=make_case(other_entity),
                                    pqrsd_type="queja")
    assert other.number == 1


def test_registration_starts_the_legal_deadline(case, manager):
    from protocols.deadlines import pqrsd_due_date

    registration = services.pqrsd_register(actor=manager, case=case, pqrsd_type="peticion")
    assert registration.legal_due == pqrsd_due_date(case.opened_at, "peticion",
                                                    entity=case.entity)
    assert Case.objects.get(pk=case.pk).legal_due == registration.legal_due
    assert "case.pqrsd_register" in audit_actions(case)


def test_not_a_petition_clears_the_legal_deadline(case, manager):
    Case.objects.filter(pk=case.pk).update(legal_due=timezone.localdate())
    services.case_mark_not_petition(actor=manager, case=case, reason="Es una opinión")
    assert Case.objects.get(pk=case.pk).legal_due is None


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_extension_once_before_expiry_and_at_most_double(respx_mock, case, manager,
                                                         committed):
    respx_mock.post("/2/tweets").mock(return_value=tweet_ok())
    registration = services.pqrsd_register(actor=manager, case=case, pqrsd_type="peticion")
    with pytest.raises(ValidationError):
        services.pqrsd_extend(actor=manager, case=case,
                              new_due=registration.extension_limit + timedelta(days=1),
                              reasons="Requiere visita técnica", message="Le informamos…")
    with pytest.raises(ValidationError):
        services.pqrsd_extend(actor=manager, case=case, new_due=registration.legal_due
                              + timedelta(days=5), reasons="", message="Le informamos")
    new_due = registration.legal_due + timedelta(days=7)
    committed(services.pqrsd_extend, actor=manager, case=case, new_due=new_due,
              reasons="Requiere visita técnica",
                          message="Necesitamos más tiempo para una visita técnica.")
    registration.refresh_from_db()
    assert registration.legal_due == new_due and registration.extended_at is not None
    assert Reply.objects.filter(case=case, status=ReplyStatus.PUBLISHED).count() == 1
    with pytest.raises(ValidationError):
        services.pqrsd_extend(actor=manager, case=case, new_due=new_due + timedelta(days=1),
                              reasons="Otra", message="Otra")


def test_extension_refused_after_expiry(case, manager):
    registration = services.pqrsd_register(actor=manager, case=case, pqrsd_type="peticion")
    PqrsdRegistration.objects.filter(pk=registration.pk).update(
        legal_due=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        services.pqrsd_extend(actor=manager, case=case,
                              new_due=timezone.localdate() + timedelta(days=3),
                              reasons="Tarde", message="Tarde")
    assert "new_due" in info.value.message_dict


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_transfer_tells_the_citizen_and_closes(respx_mock, case, manager, committed):
    route = respx_mock.post("/2/tweets").mock(return_value=tweet_ok())
    committed(services.case_transfer, actor=manager, case=case, target="Gobernación del Valle",
              message="Su solicitud es de la Gobernación; la trasladamos hoy.")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == CaseStatus.CLOSED
    assert route.call_count == 1
    assert CaseOutcome.objects.get(case=case, kind=OutcomeKind.TRANSFERRED).target == \
        "Gobernación del Valle"


def test_transfer_refused_after_the_five_day_term(case, manager):
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=30))
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        services.case_transfer(actor=manager, case=case, target="Otra", message="Mensaje")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_merge_moves_mentions_and_closes_the_duplicate(entity, manager):
    first, duplicate = make_case(entity), make_case(entity)
    services.case_merge(actor=manager, case=duplicate, into=first)
    assert Mention.objects.filter(case=first).count() == 2
    assert Case.objects.get(pk=duplicate.pk).status == CaseStatus.CLOSED
    assert CaseOutcome.objects.get(case=duplicate).merged_into == first


def test_spam_troll_close_and_reopen(entity, manager):
    spam, troll, done = make_case(entity), make_case(entity), make_case(entity)
    with pytest.raises(ValidationError):
        services.case_mark_spam(actor=manager, case=spam, reason=" ")
    services.case_mark_spam(actor=manager, case=spam, reason="Publicidad")
    services.case_mark_spam(actor=manager, case=troll, reason="Insultos", troll=True)
    services.case_close(actor=manager, case=done, resolution="Se tapó el hueco")
    assert set(Case.objects.filter(status=CaseStatus.CLOSED).values_list("pk", flat=True)) == \
        {spam.pk, troll.pk, done.pk}
    troll.author.refresh_from_db()
    assert troll.author.is_suspected_troll
    with pytest.raises(ValidationError):
        services.note_add(actor=manager, case=done, text="")
    services.case_reopen(actor=manager, case=done, reason="El ciudadano escribió de nuevo")
    fresh = Case.objects.get(pk=done.pk)
    assert fresh.status == CaseStatus.OPEN and fresh.closed_at is None


def test_reopen_when_the_citizen_writes_again_absorbs_a_new_case(entity, manager):
    closed = make_case(entity)
    services.case_close(actor=manager, case=closed, resolution="Resuelto")
    # The pipeline opened a fresh case for the new message of the same author and thread.
    newer = make_case(entity, author=closed.author, thread_key=closed.thread_key)
    reopened = services.case_reopen_on_new_mention(case=Case.objects.get(pk=closed.pk))
    assert reopened.status == CaseStatus.OPEN
    assert Case.objects.get(pk=newer.pk).status == CaseStatus.CLOSED
    assert Mention.objects.filter(case=closed).count() == 2


def test_escalate_to_an_area(entity, case, manager, other_entity):
    from protocols.models import Area

    area = Area.objects.create(entity=entity, name="Secretaría de Obras")
    foreign = Area.objects.create(entity=other_entity, name="Ajena")
    with pytest.raises(ValidationError):
        services.case_escalate(actor=manager, case=case, area=foreign, note="")
    services.case_escalate(actor=manager, case=case, area=area, note="Enviar cuadrilla")
    assert CaseOutcome.objects.get(case=case, kind=OutcomeKind.ESCALATED).area == area


def test_classify_corrects_the_case_and_feeds_the_classifier(case, manager):
    from monitoring.models import ClassificationCorrection

    services.case_classify(actor=manager, case=case, category="question",
                           pqrsd_type="peticion", urgency="high")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.category, fresh.pqrsd_type, fresh.urgency) == ("question", "peticion", "high")
    correction = ClassificationCorrection.objects.get()
    assert correction.label == "question" and correction.corrected_by == manager


def test_tags_and_notes(case, manager):
    assert services.case_tag(actor=manager, case=case, add=["Vías", " vías ", "urgente"]) == \
        ["urgente", "vías"]
    assert services.case_tag(actor=manager, case=case, remove=["urgente"]) == ["vías"]
    services.note_add(actor=manager, case=case, text="Llamar a Obras")
    assert case.notes.get().text == "Llamar a Obras"


def test_bulk_actions_skip_what_they_cannot_change(entity, manager, colleague):
    a, b, closed = make_case(entity), make_case(entity), make_case(entity)
    services.case_close(actor=manager, case=closed, resolution="Listo")
    result = services.cases_bulk(actor=manager, cases=[a, b, Case.objects.get(pk=closed.pk)],
                                 action="assign", assignee=colleague)
    assert result.done == 2 and result.skipped == [str(closed.public_id)]
    services.cases_bulk(actor=manager, cases=[a, b], action="tag", tag="lluvias")
    assert set(a.tags.values_list("name", flat=True)) == {"lluvias"}
    services.cases_bulk(actor=manager, cases=[a, b], action="spam", reason="Cadena")
    assert Case.objects.filter(pk__in=[a.pk, b.pk], status=CaseStatus.CLOSED).count() == 2


# --------------------------------------------------------------------------- SLA sweeps


def test_sweep_warns_before_and_escalates_after_once(entity, manager, owner):
    soon = make_case(entity, due_in=timedelta(minutes=30))
    services.case_claim(actor=manager, case=soon)
    late = make_case(entity, due_in=timedelta(minutes=-10))
    make_case(entity, due_in=timedelta(hours=5))  # not yet
    mail.outbox.clear()
    assert services.sla_sweep() == 2
    kinds = dict(SlaNotice.objects.values_list("case_id", "kind"))
    assert kinds == {soon.pk: "warning", late.pk: "escalation"}
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == sorted([manager.email, owner.email])
    # Run again: nothing new.
    assert services.sla_sweep() == 0
    assert len(mail.outbox) == 2


def test_sweep_respects_the_email_preference(entity, manager):
    soon = make_case(entity, due_in=timedelta(minutes=20))
    services.case_claim(actor=manager, case=soon)
    NotificationPreference.objects.create(entity=entity, user=manager,
                                          email_deadline_warnings=False)
    mail.outbox.clear()
    assert services.sla_sweep() == 1
    assert mail.outbox == []


def test_sweep_escalates_an_expired_legal_deadline(entity, manager, owner):
    case = make_case(entity, due_in=timedelta(days=3))
    Case.objects.filter(pk=case.pk).update(
        legal_due=timezone.localdate() - datetime.timedelta(days=1))
    services.sla_sweep()
    assert SlaNotice.objects.get(case=case).kind == "legal_escalation"


# --------------------------------------------------------------------------- outgoing events


@pytest.fixture
def endpoint(entity):
    from strategy.integration_models import WebhookEndpoint

    return WebhookEndpoint.objects.create(
        entity=entity, url="https://sgdea.example.gov.co/hook", secret="s",
        events=["pqrsd.registered", "reply.published", "sla.breached"])


def _events(endpoint):
    return {d.event: d.payload for d in endpoint.deliveries.all()}


def test_registering_a_pqrsd_emits_its_radicado(endpoint, case, manager, monkeypatch):
    monkeypatch.setattr("strategy.tasks.deliver_webhook.delay", lambda pk: None)
    registration = services.pqrsd_register(actor=manager, case=case, pqrsd_type="peticion")
    payload = _events(endpoint)["pqrsd.registered"]
    assert payload["radicado"] == registration.radicado
    assert payload["case"] == str(case.public_id)


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_publishing_a_reply_emits_reply_published(respx_mock, endpoint, case, manager,
                                                  committed, monkeypatch):
    monkeypatch.setattr("strategy.tasks.deliver_webhook.delay", lambda pk: None)
    respx_mock.post("/2/tweets").mock(return_value=tweet_ok())
    committed(services.reply_submit, actor=manager, case=case,
              text="Hola, ya reportamos el hueco a la Secretaría de Obras.")
    payload = _events(endpoint)["reply.published"]
    assert payload["reply_text"].startswith("Hola, ya reportamos")


def test_a_missed_deadline_emits_sla_breached_once(endpoint, entity, owner, monkeypatch):
    monkeypatch.setattr("strategy.tasks.deliver_webhook.delay", lambda pk: None)
    late = make_case(entity, due_in=timedelta(minutes=-10))
    services.sla_sweep()
    services.sla_sweep()
    deliveries = endpoint.deliveries.filter(event="sla.breached")
    assert deliveries.count() == 1
    assert deliveries.get().payload["case"] == str(late.public_id)
