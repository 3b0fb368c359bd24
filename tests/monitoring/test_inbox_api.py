"""The inbox REST API: list, detail, claim (409 for the loser), reply, scoping."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.inbox_models import Reply
from monitoring.models import Case

from .factories import ChannelFactory
from .test_inbox_helpers import *  # noqa: F403  (fixtures)
from .test_inbox_helpers import make_case

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(name, entity, **kwargs):
    return reverse(f"api:{name}", kwargs={"entity_slug": entity.slug, **kwargs})


def test_list_and_detail(entity, manager):
    case = make_case(entity, text="No hay agua en Belén")
    response = api(manager).get(url("inbox-case-list", entity), {"q": "agua"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["id"] == str(case.public_id)
    detail = api(manager).get(url("inbox-case-detail", entity, case_id=case.public_id)).json()
    assert detail["mentions"][0]["text"] == "No hay agua en Belén"


def test_claim_conflict_names_the_holder(entity, manager, colleague):
    case = make_case(entity)
    assert api(manager).post(url("inbox-case-claim", entity, case_id=case.public_id)) \
        .status_code == 200
    response = api(colleague).post(url("inbox-case-claim", entity, case_id=case.public_id))
    assert response.status_code == 409
    assert response.json()["assignee"] == manager.email


def test_reply_validation_and_auditor_refused(entity, manager, auditor):
    case = make_case(entity)
    response = api(manager).post(url("inbox-reply-create", entity, case_id=case.public_id),
                                 {"text": "a" * 400}, format="json")
    assert response.status_code == 400
    assert not Reply.objects.exclude(status="draft").exists()
    response = api(auditor).post(url("inbox-case-claim", entity, case_id=case.public_id))
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).assignee is None


def test_register_and_note(entity, manager):
    case = make_case(entity)
    response = api(manager).post(url("inbox-case-register", entity, case_id=case.public_id),
                                 {"pqrsd_type": "peticion"}, format="json")
    assert response.status_code == 201 and response.json()["radicado"].endswith("-000001")
    response = api(manager).post(url("inbox-case-note", entity, case_id=case.public_id),
                                 {"text": "Llamar"}, format="json")
    assert response.status_code == 201


def test_scoped_member_gets_404_outside_their_channels(entity, member_factory):
    own = ChannelFactory(entity=entity)
    scoped = member_factory(entity, "community_manager", channel_scope=[str(own.public_id)])
    other = make_case(entity)
    response = api(scoped).get(url("inbox-case-detail", entity, case_id=other.public_id))
    assert response.status_code == 404
