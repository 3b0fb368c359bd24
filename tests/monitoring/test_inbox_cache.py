"""The inbox page cache: an unchanged page is reused while the queue's marker is unchanged.

Correctness first: every change a colleague can make to what the list shows reaches the next
load and the next poll; a cached page never reaches another user, entity, language or
template variant; flash messages and pages listing closed cases are never reused. And the
point of it: a cached page costs the session, the user, the memberships and the marker.
"""

import re
from datetime import timedelta

import httpx
import pytest
import respx
from django.urls import reverse
from django.utils import timezone, translation

from monitoring import inbox_selectors as selectors
from monitoring import inbox_services as services
from monitoring.choices import CaseStatus
from monitoring.models import Case
from strategy.choices import Role
from strategy.models import Membership

from .test_inbox_helpers import *  # noqa: F403  (fixtures)
from .test_inbox_helpers import X_BASE, make_case

pytestmark = pytest.mark.django_db


def url(name, entity, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"entity_slug": entity.slug, **kwargs})


def cached(response) -> bool:
    """No template was rendered: the page came from the cache."""
    return response.status_code == 200 and not response.templates


def warm(client, path, **extra):
    """Load a page until it is served from the cache (the first visit only gets the CSRF
    cookie, the second stores the page); returns the cached response."""
    for _ in range(2):
        assert client.get(path, **extra).status_code == 200
    response = client.get(path, **extra)
    assert cached(response), "the page should come from the cache by now"
    return response


def spanish(label) -> str:
    with translation.override("es-co"):
        return str(label)


def row(html: str, case) -> str:
    """The table row of one case ('' when the case is not listed)."""
    found = re.search(rf'<tr data-case-row data-case-id="{case.public_id}".*?</tr>', html, re.S)
    return found.group(0) if found else ""


def membership_id(user, entity):
    return Membership.objects.get(user=user, entity=entity).public_id


# --------------------------------------------------------------------------- what it saves


def test_unchanged_page_is_served_from_the_cache_in_four_queries(
        entity, manager, client_for, django_assert_max_num_queries):
    for _ in range(5):
        make_case(entity)
    client = client_for(manager)
    first = warm(client, url("inbox", entity))
    # session, user, the user's memberships with their entities, the queue marker.
    with django_assert_max_num_queries(4):
        again = client.get(url("inbox", entity))
    assert cached(again)
    assert again.content == first.content
    assert "Bandeja" in again.content.decode()


def test_unchanged_poll_costs_what_a_cached_page_costs(entity, manager, client_for,
                                                      django_assert_max_num_queries):
    make_case(entity)
    client = client_for(manager)
    marker = client.get(url("inbox", entity)).context["marker"]
    # session, user, memberships, marker.
    with django_assert_max_num_queries(4):
        response = client.get(url("inbox_poll", entity), {"marker": marker})
    assert response.status_code == 204


def test_counts_and_search_are_reused_across_filters_of_an_unchanged_queue(
        entity, manager, client_for, django_assert_max_num_queries):
    water = make_case(entity, text="Sin agua en el barrio", urgency="high")
    make_case(entity, text="Sin agua en la vereda")
    make_case(entity, text="El alumbrado está apagado")
    client = client_for(manager)
    first = client.get(url("inbox", entity), {"q": "agua"})
    assert first.context["counts"]["flags"]["total"] == 2
    # Another filter within the same search: a new page, but the search (matching case ids)
    # and the facet counts come from the cache: session, user, memberships, marker, COUNT,
    # page, channels, members.
    with django_assert_max_num_queries(8):
        narrowed = client.get(url("inbox", entity), {"q": "agua", "urgency": "high"})
    assert [c.public_id for c in narrowed.context["cases"]] == [water.public_id]
    assert narrowed.context["counts"]["urgency"] == {"high": 1, "normal": 1}


def test_the_cache_can_be_turned_off(entity, manager, client_for, settings):
    settings.INBOX_PAGE_CACHE_SECONDS = 0
    make_case(entity)
    client = client_for(manager)
    for _ in range(3):
        assert not cached(client.get(url("inbox", entity)))


# --------------------------------------------------------------------------- never stale


def _claim(c, entity, case, colleague, manager):
    c.post(url("case_claim", entity, case_id=case.public_id))


def _assign(c, entity, case, colleague, manager):
    c.post(url("case_assign", entity, case_id=case.public_id),
           {"assignee": membership_id(manager, entity)})


def _release(c, entity, case, colleague, manager):
    c.post(url("case_release", entity, case_id=case.public_id))


def _reply(c, entity, case, colleague, manager):
    c.post(url("reply_submit", entity, case_id=case.public_id),
           {"text": "Hola, ya reportamos el hueco a la Secretaría de Obras."})


def _close(c, entity, case, colleague, manager):
    c.post(url("case_outcome", entity, case_id=case.public_id, outcome="close"),
           {"resolution": "Arreglado."})


def _spam(c, entity, case, colleague, manager):
    c.post(url("case_outcome", entity, case_id=case.public_id, outcome="spam"),
           {"reason": "Publicidad.", "kind": "spam"})


def _classify(c, entity, case, colleague, manager):
    c.post(url("case_classify", entity, case_id=case.public_id),
           {"category": "complaint", "pqrsd_type": "queja", "urgency": "high"})


def _register(c, entity, case, colleague, manager):
    c.post(url("case_outcome", entity, case_id=case.public_id, outcome="register"),
           {"pqrsd_type": "peticion"})


def _not_petition(c, entity, case, colleague, manager):
    c.post(url("case_outcome", entity, case_id=case.public_id, outcome="not_petition"),
           {"reason": "Es una opinión."})


CHANGES = {
    # action: (what the colleague does, how the next load of the list shows it)
    "claim": (_claim, lambda html, case, colleague, manager:
              colleague.display_name in row(html, case) and "Tomar" not in row(html, case)),
    "assign": (_assign, lambda html, case, colleague, manager:
               manager.display_name in row(html, case)),
    "release": (_release, lambda html, case, colleague, manager:
                colleague.display_name not in row(html, case) and "Tomar" in row(html, case)),
    "reply": (_reply, lambda html, case, colleague, manager:
              spanish(CaseStatus.IN_PROGRESS.label) in row(html, case)),
    "close": (_close, lambda html, case, colleague, manager: row(html, case) == ""),
    "spam": (_spam, lambda html, case, colleague, manager: row(html, case) == ""),
    "classify": (_classify, lambda html, case, colleague, manager: "Alta" in row(html, case)),
    "register": (_register, lambda html, case, colleague, manager: "Legal:" in row(html, case)),
    "not_petition": (_not_petition, lambda html, case, colleague, manager:
                     "Legal:" not in row(html, case)),
}


@pytest.mark.parametrize("action", list(CHANGES))
def test_a_colleagues_change_shows_on_the_next_load_and_poll(action, entity, manager,
                                                             colleague, client_for):
    do, shows = CHANGES[action]
    case = make_case(entity, legal_due=timezone.localdate() + timedelta(days=15)
                     if action == "not_petition" else None)
    if action == "release":
        services.case_claim(actor=colleague, case=case)
    mine, theirs = client_for(manager), client_for(colleague)
    before = warm(mine, url("inbox", entity))
    marker = selectors.newest_case_marker(manager, entity)
    assert not shows(before.content.decode(), case, colleague, manager)

    do(theirs, entity, case, colleague, manager)

    after = mine.get(url("inbox", entity))
    assert not cached(after)
    assert shows(after.content.decode(), case, colleague, manager)
    poll = mine.get(url("inbox_poll", entity), {"marker": marker})
    assert poll.status_code == 200
    assert shows(poll.content.decode(), case, colleague, manager)


def test_a_new_case_shows_on_the_next_load(entity, manager, client_for):
    make_case(entity)
    client = client_for(manager)
    warm(client, url("inbox", entity))
    new = make_case(entity, text="Nuevo reclamo por basuras")
    after = client.get(url("inbox", entity))
    assert not cached(after)
    assert row(after.content.decode(), new)


def test_a_published_answer_shows_on_the_next_load(entity, manager, colleague, client_for):
    case = make_case(entity)
    client = client_for(manager)
    reply = services.reply_submit(actor=colleague, case=case, text="Hola, ya está reportado.")
    warm(client, url("inbox", entity))
    with respx.mock(base_url=X_BASE) as network:
        network.post("/2/tweets").mock(return_value=httpx.Response(
            201, json={"data": {"id": "1900000000000000001", "text": "ok"}}))
        assert services.reply_publish(reply_id=reply.pk).status == "published"
    after = client.get(url("inbox", entity))
    assert not cached(after)
    assert spanish(CaseStatus.ANSWERED.label) in row(after.content.decode(), case)


def test_a_tag_shows_on_the_tag_filter(entity, manager, colleague, client_for):
    case = make_case(entity)
    client = client_for(manager)
    path = url("inbox", entity) + "?tag=acueducto"
    assert row(warm(client, path).content.decode(), case) == ""
    client_for(colleague).post(url("case_tags", entity, case_id=case.public_id),
                               {"add": "acueducto"})
    assert row(client.get(path).content.decode(), case)


def test_reopening_a_closed_case_shows_it_again(entity, manager, colleague, client_for):
    case = make_case(entity, status=CaseStatus.CLOSED, closed_at=timezone.now())
    client = client_for(manager)
    assert row(warm(client, url("inbox", entity)).content.decode(), case) == ""
    client_for(colleague).post(url("case_outcome", entity, case_id=case.public_id,
                                   outcome="reopen"), {"reason": "Volvió a escribir."})
    assert row(client.get(url("inbox", entity)).content.decode(), case)


def test_stale_claims_released_by_the_sweep_show(entity, manager, colleague, client_for):
    case = make_case(entity)
    services.case_claim(actor=colleague, case=case)
    Case.objects.filter(pk=case.pk).update(claimed_at=timezone.now() - timedelta(days=1))
    client = client_for(manager)
    warm(client, url("inbox", entity))
    assert services.claims_release_stale() == 1
    assert "Tomar" in row(client.get(url("inbox", entity)).content.decode(), case)


# --------------------------------------------------------------------------- the marker


@pytest.mark.parametrize("service", [
    "claim", "assign", "release", "note", "tag", "classify", "reply", "register",
    "not_petition", "escalate", "close", "spam", "reopen", "merge"])
def test_every_service_that_changes_the_list_changes_the_marker(service, entity, manager,
                                                               colleague):
    from protocols.models import Area

    case = make_case(entity)
    other = make_case(entity)
    if service in ("release", "reopen"):
        services.case_claim(actor=manager, case=case)
    if service == "reopen":
        services.case_close(actor=manager, case=case, resolution="Listo.")
    case.refresh_from_db()
    before = selectors.newest_case_marker(manager, entity)
    calls = {
        "claim": lambda: services.case_claim(actor=manager, case=case),
        "assign": lambda: services.case_assign(actor=manager, case=case, assignee=colleague),
        "release": lambda: services.case_release(actor=manager, case=case),
        "note": lambda: services.note_add(actor=manager, case=case, text="Llamar mañana."),
        "tag": lambda: services.case_tag(actor=manager, case=case, add=["acueducto"]),
        "classify": lambda: services.case_classify(actor=manager, case=case,
                                                   category="question", pqrsd_type="peticion",
                                                   urgency="low"),
        "reply": lambda: services.reply_submit(actor=manager, case=case, text="Hola."),
        "register": lambda: services.pqrsd_register(actor=manager, case=case,
                                                    pqrsd_type="peticion"),
        "not_petition": lambda: services.case_mark_not_petition(actor=manager, case=case,
                                                                reason="Opinión."),
        "escalate": lambda: services.case_escalate(
            actor=manager, case=case, area=Area.objects.create(entity=entity, name="Obras"),
            note="Urgente."),
        "close": lambda: services.case_close(actor=manager, case=case, resolution="Listo."),
        "spam": lambda: services.case_mark_spam(actor=manager, case=case, reason="Spam."),
        "reopen": lambda: services.case_reopen(actor=manager, case=case, reason="Otra vez."),
        "merge": lambda: services.case_merge(actor=manager, case=case, into=other),
    }
    calls[service]()
    assert selectors.newest_case_marker(manager, entity) != before


def test_the_marker_sees_changes_within_the_same_second(entity, manager):
    case = make_case(entity)
    seen = {selectors.newest_case_marker(manager, entity)}
    for _ in range(3):
        services.case_claim(actor=manager, case=case)
        seen.add(selectors.newest_case_marker(manager, entity))
        services.case_release(actor=manager, case=case)
        seen.add(selectors.newest_case_marker(manager, entity))
    assert len(seen) == 7


def test_the_marker_sees_a_change_stamped_before_the_newest_activity(entity, manager):
    """A transaction that stamped its time before another's but committed after it, or a
    case carrying a future time: the newest activity time does not move, the marker must."""
    ahead, touched = make_case(entity), make_case(entity)
    Case.objects.filter(pk=ahead.pk).update(last_activity_at=timezone.now()
                                            + timedelta(days=2))
    before = selectors.newest_case_marker(manager, entity)
    Case.objects.filter(pk=touched.pk).update(last_activity_at=timezone.now())
    assert selectors.newest_case_marker(manager, entity) != before


# --------------------------------------------------------------------------- never leaks


def test_another_member_never_gets_my_cached_page(entity, manager, colleague, client_for):
    case = make_case(entity, assignee=manager)
    mine = client_for(manager)
    warm(mine, url("inbox", entity) + "?mine=1")
    theirs = client_for(colleague)
    # Even with my CSRF cookie, the colleague gets a page built for them.
    theirs.cookies["csrftoken"] = mine.cookies["csrftoken"].value
    response = theirs.get(url("inbox", entity) + "?mine=1")
    assert not cached(response)
    html = response.content.decode()
    assert f'user-menu__name">{colleague.display_name}<' in html
    assert row(html, case) == ""


def test_a_channel_scoped_member_never_gets_a_colleagues_page(entity, manager, client_for,
                                                              member_factory):
    from .factories import ChannelFactory

    own_channel = ChannelFactory(entity=entity, api_base_url=X_BASE)
    visible = make_case(entity, channel=own_channel)
    hidden = make_case(entity)
    warm(client_for(manager), url("inbox", entity))
    scoped = member_factory(entity, Role.COMMUNITY_MANAGER,
                            channel_scope=[str(own_channel.public_id)])
    client = client_for(scoped)
    for _ in range(3):
        html = client.get(url("inbox", entity)).content.decode()
        assert row(html, visible) and row(html, hidden) == ""


def test_an_agency_members_pages_stay_with_their_entity(entity, other_entity, client_for,
                                                        member_factory):
    agent = member_factory(entity, Role.COMMUNITY_MANAGER)
    Membership.objects.create(user=agent, entity=other_entity, role=Role.COMMUNITY_MANAGER)
    here, there = make_case(entity), make_case(other_entity)
    client = client_for(agent)
    warm(client, url("inbox", entity))
    html = client.get(url("inbox", other_entity)).content.decode()
    assert row(html, there) and row(html, here) == ""


def test_a_deactivated_member_gets_404_not_the_cached_page(entity, manager, client_for):
    make_case(entity)
    client = client_for(manager)
    warm(client, url("inbox", entity))
    Membership.objects.filter(user=manager, entity=entity).update(is_active=False)
    assert client.get(url("inbox", entity)).status_code == 404
    assert client.get(url("inbox_poll", entity), {"marker": "x"}).status_code == 404


def test_a_role_change_is_not_served_the_old_page(entity, manager, client_for):
    case = make_case(entity)
    client = client_for(manager)
    assert "Tomar" in row(warm(client, url("inbox", entity)).content.decode(), case)
    Membership.objects.filter(user=manager, entity=entity).update(role=Role.AUDITOR)
    response = client.get(url("inbox", entity))
    assert not cached(response)
    assert "Tomar" not in row(response.content.decode(), case)


def test_language_and_htmx_variants_are_cached_apart(entity, manager, client_for):
    make_case(entity)
    client = client_for(manager)
    page = warm(client, url("inbox", entity)).content.decode()
    assert "<html" in page
    fragment = client.get(url("inbox", entity), HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="inbox-results").content.decode()
    assert "<html" not in fragment and "inbox-table" in fragment
    client.cookies["django_language"] = "en"
    english = client.get(url("inbox", entity)).content.decode()
    assert "Bandeja" not in english and ">Inbox<" in english


# --------------------------------------------------------------------------- never reused


def test_flash_messages_are_shown_once_never_cached(entity, manager, client_for):
    case, other = make_case(entity), make_case(entity)
    client = client_for(manager)
    warm(client, url("inbox", entity))
    response = client.post(url("case_claim", entity, case_id=case.public_id),
                           {"next": "inbox"}, follow=True)
    assert "El caso es suyo." in response.content.decode()
    assert manager.display_name in row(response.content.decode(), case)
    again = client.get(url("inbox", entity))
    assert "El caso es suyo." not in again.content.decode()
    assert row(again.content.decode(), other)


def test_pages_listing_closed_cases_are_never_cached(entity, manager, colleague, client_for):
    case = make_case(entity, status=CaseStatus.CLOSED, closed_at=timezone.now())
    client = client_for(manager)
    for status in ("closed", "all"):
        path = url("inbox", entity) + f"?status={status}"
        for _ in range(3):
            assert not cached(client.get(path))
    # A change to a closed case moves no marker (it is not in the active queue) and shows.
    services.case_tag(actor=colleague, case=case, add=["acueducto"])
    html = client.get(url("inbox", entity) + "?status=closed&tag=acueducto").content.decode()
    assert row(html, case)


def test_a_first_visit_without_csrf_cookie_is_not_cached(entity, manager, client_for):
    make_case(entity)
    first = client_for(manager).get(url("inbox", entity))
    second = client_for(manager).get(url("inbox", entity))
    assert not cached(first) and not cached(second)
    assert "csrftoken" in second.cookies
