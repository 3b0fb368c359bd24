"""The inbox pages: list, filters, search, case page, claim, composer, exports, permissions,
and the query budget of the list and the case page (independent of the page size)."""

import csv
import io
from datetime import timedelta

import httpx
import pytest
import respx
from django.urls import reverse

from monitoring.choices import CaseStatus
from monitoring.inbox_choices import ReplyStatus
from monitoring.inbox_models import Reply
from monitoring.models import Case
from strategy.choices import Role
from strategy.models import AuditEvent

from .factories import ChannelFactory
from .test_inbox_helpers import *  # noqa: F403  (fixtures)
from .test_inbox_helpers import X_BASE, make_case

pytestmark = pytest.mark.django_db


def url(name, entity, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"entity_slug": entity.slug, **kwargs})


def case_ids(response):
    return [str(c.public_id) for c in response.context["cases"]]


def test_inbox_lists_cases_by_deadline_then_urgency(entity, manager, client_for):
    later = make_case(entity, due_in=timedelta(hours=5))
    sooner = make_case(entity, due_in=timedelta(hours=1))
    same_due = sooner.first_response_due
    urgent = make_case(entity, urgency="high")
    Case.objects.filter(pk=urgent.pk).update(first_response_due=same_due)
    closed = make_case(entity, status=CaseStatus.CLOSED)
    response = client_for(manager).get(url("inbox", entity))
    assert response.status_code == 200
    assert case_ids(response) == [str(urgent.public_id), str(sooner.public_id),
                                  str(later.public_id)]
    assert str(closed.public_id) not in response.content.decode()
    assert "Bandeja" in response.content.decode()


def test_inbox_filters_and_counts(entity, manager, colleague, client_for):
    mine = make_case(entity, assignee=manager)
    overdue = make_case(entity, due_in=timedelta(hours=-1))
    flagged = make_case(entity, author_flagged=True)
    question = make_case(entity, category="question")
    client = client_for(manager)
    assert case_ids(client.get(url("inbox", entity), {"mine": "1"})) == [str(mine.public_id)]
    assert case_ids(client.get(url("inbox", entity), {"overdue": "1"})) == \
        [str(overdue.public_id)]
    assert case_ids(client.get(url("inbox", entity), {"flagged": "1"})) == \
        [str(flagged.public_id)]
    response = client.get(url("inbox", entity), {"category": "question"})
    assert case_ids(response) == [str(question.public_id)]
    counts = response.context["counts"]
    assert counts["flags"]["mine"] == 1 and counts["flags"]["overdue"] == 1
    assert counts["category"] == {"complaint": 3, "question": 1}
    channel = question.channel
    assert counts["channel"][channel.pk] == 1 and sum(counts["channel"].values()) == 4
    assert case_ids(client.get(url("inbox", entity), {"channel": str(channel.public_id)})) \
        == [str(question.public_id)]


def test_inbox_search_over_text_and_author(entity, manager, client_for):
    water = make_case(entity, text="Llevamos tres días sin agua en el barrio Belén")
    make_case(entity, text="El alumbrado de la carrera 5 está apagado")
    client = client_for(manager)
    assert case_ids(client.get(url("inbox", entity), {"q": "agua"})) == [str(water.public_id)]
    handle = water.author.handle
    assert case_ids(client.get(url("inbox", entity), {"q": f"@{handle}"})) == \
        [str(water.public_id)]


def test_inbox_search_matching_text_and_author_lists_a_case_once_within_scope(
        entity, manager, client_for, member_factory):
    from .factories import AuthorFactory

    author = AuthorFactory(entity=entity, name="Junta de Agua Belén")
    both = make_case(entity, author=author, text="Sin agua desde el lunes")
    own_channel = ChannelFactory(entity=entity, api_base_url=X_BASE)
    mine = make_case(entity, channel=own_channel, text="Agua turbia en la vereda")
    response = client_for(manager).get(url("inbox", entity), {"q": "agua"})
    assert sorted(case_ids(response)) == sorted([str(both.public_id), str(mine.public_id)])
    scoped = member_factory(entity, Role.COMMUNITY_MANAGER,
                            channel_scope=[str(own_channel.public_id)])
    assert case_ids(client_for(scoped).get(url("inbox", entity), {"q": "agua"})) == \
        [str(mine.public_id)]


def test_inbox_pagination(entity, manager, client_for):
    for _ in range(30):
        make_case(entity)
    response = client_for(manager).get(url("inbox", entity), {"page": "2"})
    assert response.context["page"] == 2 and len(response.context["cases"]) == 5


def test_inbox_poll_answers_204_until_a_new_case_arrives(entity, manager, client_for):
    make_case(entity)
    client = client_for(manager)
    marker = client.get(url("inbox", entity)).context["marker"]
    assert client.get(url("inbox_poll", entity), {"marker": marker}).status_code == 204
    new = make_case(entity, text="Nuevo reclamo por basuras")
    response = client.get(url("inbox_poll", entity), {"marker": marker})
    assert response.status_code == 200
    assert str(new.public_id) in response.content.decode()


def _queries_for(client, path, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("status", ["active", "all", CaseStatus.CLOSED])
def test_counts_equal_a_count_case_by_case(entity, manager, colleague, status):
    from django.utils import timezone

    from monitoring.choices import ACTIVE_CASE_STATUSES
    from monitoring.inbox_selectors import InboxFilters, inbox_counts

    channel = ChannelFactory(entity=entity)
    make_case(entity, assignee=manager, urgency="high", channel=channel)
    make_case(entity, assignee=colleague, due_in=timedelta(hours=-1), author_flagged=True)
    make_case(entity, due_in=timedelta(hours=2), category="question", channel=channel)
    make_case(entity, status=CaseStatus.IN_PROGRESS, assignee=manager, pqrsd_type="peticion")
    make_case(entity, status=CaseStatus.CLOSED, assignee=manager, author_flagged=True)
    make_case(entity, status=CaseStatus.CLOSED, due_in=timedelta(hours=-3))

    counts = inbox_counts(manager, entity, InboxFilters(status=status))

    cases = list(Case.objects.filter(entity=entity))
    wanted = [c for c in cases if status == "all" or c.status == status
              or (status == "active" and c.status in ACTIVE_CASE_STATUSES)]
    now, today = timezone.now(), timezone.localdate()

    def overdue(c):
        return ((c.first_response_at is None and c.first_response_due < now)
                or (c.legal_due is not None and c.legal_due < today))

    def due_today(c):
        return ((c.first_response_at is None
                 and timezone.localdate(c.first_response_due) == today)
                or c.legal_due == today)

    def by(attribute):
        found = {}
        for c in wanted:
            key = getattr(c, attribute)
            if key is not None:
                found[key] = found.get(key, 0) + 1
        return found

    assert counts["status"] == {s: sum(c.status == s for c in cases)
                                for s in {c.status for c in cases}}
    assert counts["flags"] == {
        "total": len(wanted), "mine": sum(c.assignee_id == manager.pk for c in wanted),
        "unassigned": sum(c.assignee_id is None for c in wanted),
        "flagged": sum(c.author_flagged for c in wanted),
        "overdue": sum(overdue(c) for c in wanted),
        "due_today": sum(due_today(c) for c in wanted)}
    for name, attribute in [("platform", "platform"), ("channel", "channel_id"),
                            ("category", "category"), ("pqrsd", "pqrsd_type"),
                            ("urgency", "urgency"), ("assignee", "assignee_id")]:
        assert counts[name] == by(attribute), name


def test_inbox_query_count_does_not_grow_with_the_page(entity, manager, client_for,
                                                       django_assert_max_num_queries, settings):
    # The page as built (the page cache off; tests/monitoring/test_inbox_cache.py counts a
    # cached page). 9 queries: session, user, the user's memberships with their entities
    # (shared by the two-factor check, the tenant gate and the entity switcher), queue
    # marker, COUNT, the page (author, channel and assignee joined; latest message as a
    # subquery), the facet counts (one grouped query), channels, members. A search adds one
    # (the matching case ids). (The first visit also updates user.last_entity.)
    settings.INBOX_PAGE_CACHE_SECONDS = 0
    client = client_for(manager)
    for _ in range(3):
        make_case(entity)
    client.get(url("inbox", entity))
    small = _queries_for(client, url("inbox", entity), django_assert_max_num_queries, 9)
    for _ in range(22):
        make_case(entity, channel=ChannelFactory(entity=entity))
    large = _queries_for(client, url("inbox", entity), django_assert_max_num_queries, 9)
    assert small == large


def test_case_page_query_count_is_bounded(entity, manager, client_for,
                                          django_assert_max_num_queries):
    from .test_inbox_helpers import add_mention

    case = make_case(entity)
    client = client_for(manager)
    client.get(url("case_detail", entity, case_id=case.public_id))
    # 20 queries: session, user, the user's memberships with their entities (two-factor
    # check, tenant gate, entity switcher), case (author, channel, assignee joined), presence
    # heartbeat, earlier cases, draft, radicado, classification, mentions, replies, notes,
    # outcomes, tags, others present, timeline, inbox settings, templates, areas, members.
    few = _queries_for(client, url("case_detail", entity, case_id=case.public_id),
                       django_assert_max_num_queries, 20)
    for i in range(10):
        add_mention(case, f"Mensaje {i}")
        Reply.objects.create(entity=entity, case=case, author=manager, text=f"Respuesta {i}",
                             status=ReplyStatus.PUBLISHED)
    many = _queries_for(client, url("case_detail", entity, case_id=case.public_id),
                        django_assert_max_num_queries, 20)
    assert few == many


def test_case_page_shows_thread_author_classifier_and_composer(entity, manager, case,
                                                               client_for):
    response = client_for(manager).get(url("case_detail", entity, case_id=case.public_id))
    html = response.content.decode()
    assert "El hueco de la calle 10" in html
    assert 'id="reply-text"' in html
    assert "palabra «hueco»" in html  # the classifier's reasons
    assert str(case.author) in html


def test_claim_race_loser_is_told_who_has_it(entity, case, manager, colleague, client_for):
    first = client_for(manager).post(url("case_claim", entity, case_id=case.public_id),
                                     follow=True)
    assert "El caso es suyo" in first.content.decode() or first.status_code == 200
    second = client_for(colleague).post(url("case_claim", entity, case_id=case.public_id),
                                        follow=True)
    assert manager.display_name in second.content.decode()
    assert Case.objects.get(pk=case.pk).assignee == manager


def test_auditor_reads_but_cannot_act(entity, case, auditor, client_for):
    client = client_for(auditor)
    assert client.get(url("inbox", entity)).status_code == 200
    assert client.get(url("case_detail", entity, case_id=case.public_id)).status_code == 200
    assert client.post(url("case_claim", entity, case_id=case.public_id)).status_code == 403
    assert client.post(url("reply_submit", entity, case_id=case.public_id),
                       {"text": "Hola"}).status_code == 403
    assert client.post(url("case_outcome", entity, case_id=case.public_id, outcome="close"),
                       {"resolution": "x"}).status_code == 403
    response = client.get(url("audit_export", entity))
    assert response.status_code == 200


def test_channel_scoped_member_gets_404_for_other_channels(entity, member_factory, case,
                                                           client_for):
    own = ChannelFactory(entity=entity)
    scoped = member_factory(entity, Role.COMMUNITY_MANAGER, channel_scope=[str(own.public_id)])
    mine = make_case(entity, channel=own)
    client = client_for(scoped)
    assert client.get(url("case_detail", entity, case_id=case.public_id)).status_code == 404
    assert client.get(url("case_detail", entity, case_id=mine.public_id)).status_code == 200
    assert case_ids(client.get(url("inbox", entity))) == [str(mine.public_id)]


def test_composer_autosaves_and_checks(entity, case, manager, client_for):
    response = client_for(manager).post(url("reply_draft", entity, case_id=case.public_id),
                                        {"text": "q necesita?"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "de 280 caracteres" in html
    assert Reply.objects.get(case=case, author=manager, status=ReplyStatus.DRAFT).text == \
        "q necesita?"
    # Reopening the case page brings the draft back.
    page = client_for(manager).get(url("case_detail", entity, case_id=case.public_id))
    assert "q necesita?" in page.content.decode()


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_submit_publishes_and_shows_the_link(respx_mock, entity, case, manager, client_for,
                                             django_capture_on_commit_callbacks):
    respx_mock.post("/2/tweets").mock(return_value=httpx.Response(
        201, json={"data": {"id": "777", "text": "ok"}}))
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("reply_submit", entity, case_id=case.public_id),
                               {"text": "Hola, ya enviamos la cuadrilla."})
    assert response.status_code == 302
    page = client.get(url("case_detail", entity, case_id=case.public_id)).content.decode()
    assert 'data-reply-status="published"' in page
    assert "/status/777" in page


def test_invalid_outcome_keeps_the_typed_text(entity, case, manager, client_for):
    response = client_for(manager).post(
        url("case_outcome", entity, case_id=case.public_id, outcome="transfer"),
        {"target": "", "message": "Texto que no se pierde"})
    assert response.status_code == 400
    assert "Texto que no se pierde" in response.content.decode()


def test_register_pqrsd_from_the_page(entity, case, manager, client_for):
    response = client_for(manager).post(
        url("case_outcome", entity, case_id=case.public_id, outcome="register"),
        {"pqrsd_type": "peticion"}, follow=True)
    assert "-000001" in response.content.decode()


def test_bulk_assign(entity, manager, colleague, client_for):
    from strategy.models import Membership

    a, b = make_case(entity), make_case(entity)
    membership = Membership.objects.get(entity=entity, user=colleague)
    response = client_for(manager).post(url("inbox_bulk", entity), {
        "action": "assign", "assignee": str(membership.public_id),
        "cases": [str(a.public_id), str(b.public_id)]})
    assert response.status_code == 302
    assert set(Case.objects.values_list("assignee", flat=True)) == {colleague.pk}


def test_exports(entity, manager, auditor, client_for):
    case = make_case(entity)
    from monitoring import inbox_services

    inbox_services.case_claim(actor=manager, case=case)
    inbox_services.case_tag(actor=manager, case=case, add=["vías"])
    assert client_for(manager).get(url("audit_export", entity)).status_code == 403
    assert client_for(manager).get(url("case_export", entity)).status_code == 403
    body = b"".join(client_for(auditor).get(url("audit_export", entity)).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any(r[2] == "case.claim" and r[1] == manager.email for r in rows)
    body = b"".join(client_for(auditor).get(url("case_export", entity)).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][0] == str(case.public_id)
    assert rows[1][3] == manager.email and rows[1][4] == "vías"


def test_audit_trail_cannot_be_changed(entity, case, manager):
    from monitoring import inbox_services

    inbox_services.case_claim(actor=manager, case=case)
    event = AuditEvent.objects.get(action="case.claim")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_audit_trail_is_read_only_in_admin(entity, case, manager, rf):
    from django.contrib import admin

    from strategy.models import AuditEvent as Model

    model_admin = admin.site._registry.get(Model)
    if model_admin is None:
        pytest.skip("AuditEvent is not in the admin")
    request = rf.get("/")
    request.user = manager
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)


def test_settings_page_for_admins(entity, admin_user, manager, client_for):
    assert client_for(manager).get(url("inbox_settings", entity)).status_code == 403
    response = client_for(admin_user).post(url("inbox_settings", entity), {
        "only_assignee_replies": "on", "claim_timeout_minutes": "45",
        "warn_before_minutes": "30"})
    assert response.status_code == 302
    assert entity.inbox_settings.only_assignee_replies is True


def test_notification_preferences(entity, manager, client_for):
    response = client_for(manager).post(url("notification_preferences", entity),
                                        {"email_escalations": "on"})
    assert response.status_code == 302
    from monitoring.inbox_models import NotificationPreference

    pref = NotificationPreference.objects.get(user=manager)
    assert pref.email_deadline_warnings is False and pref.email_escalations is True


@respx.mock(base_url=X_BASE, assert_all_called=False)
def test_approver_decides_from_the_case_page(respx_mock, entity, manager, approver,
                                             client_for, django_capture_on_commit_callbacks):
    from monitoring import inbox_services

    respx_mock.post("/2/tweets").mock(return_value=httpx.Response(
        201, json={"data": {"id": "888", "text": "ok"}}))
    case = make_case(entity, approval_role=Role.APPROVER)
    reply = inbox_services.reply_submit(actor=manager, case=case, text="Hola, revisamos.")
    page = client_for(approver).get(url("case_detail", entity, case_id=case.public_id))
    assert "Aprobar" in page.content.decode()
    # A community manager cannot decide.
    assert client_for(manager).post(url("reply_decide", entity, case_id=case.public_id,
                                        reply_id=reply.public_id),
                                    {"decision": "approve"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        client_for(approver).post(url("reply_decide", entity, case_id=case.public_id,
                                      reply_id=reply.public_id), {"decision": "approve"})
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED


def test_failed_reply_shows_reason_and_retry(entity, case, manager, client_for):
    Reply.objects.create(entity=entity, case=case, author=manager, text="Hola",
                         status=ReplyStatus.FAILED, error="Forbidden (403)")
    html = client_for(manager).get(url("case_detail", entity, case_id=case.public_id)) \
        .content.decode()
    assert "Forbidden (403)" in html and "Reintentar" in html


def test_closed_case_page_offers_reopen(entity, case, manager, client_for):
    from monitoring import inbox_services

    inbox_services.case_close(actor=manager, case=case, resolution="Resuelto")
    html = client_for(manager).get(url("case_detail", entity, case_id=case.public_id)) \
        .content.decode()
    assert "Reabrir" in html and 'id="reply-text"' not in html
    response = client_for(manager).post(
        url("case_outcome", entity, case_id=case.public_id, outcome="reopen"),
        {"reason": "Escribió de nuevo"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
