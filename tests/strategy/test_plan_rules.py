"""Rules of the plan: one owner (database and service), completeness, readiness, escaping."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from strategy import plan_selectors, plan_services
from strategy.choices import PlanPersonRole, Role
from strategy.models import Objective, PlanPerson
from tests.channels_app.factories import PlanChannelFactory
from tests.strategy.plan_factories import (
    AudienceFactory,
    KpiFactory,
    ObjectiveFactory,
    PlanPersonFactory,
)

pytestmark = pytest.mark.django_db


def test_database_refuses_a_second_owner(entity):
    PlanPersonFactory(entity=entity, role=PlanPersonRole.OWNER)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanPerson.objects.create(entity=entity, role=PlanPersonRole.OWNER, name="Segunda")


def test_two_entities_each_have_their_own_owner(entity, other_entity):
    PlanPersonFactory(entity=entity, role=PlanPersonRole.OWNER)
    PlanPersonFactory(entity=other_entity, role=PlanPersonRole.OWNER)
    assert PlanPerson.objects.filter(role=PlanPersonRole.OWNER).count() == 2


def test_service_refuses_a_second_owner_and_allows_a_handover(entity, admin_user):
    first = plan_services.plan_item_create(actor=admin_user, entity=entity, model=PlanPerson,
                                           data={"role": "owner", "name": "Primera"})
    with pytest.raises(ValidationError) as info:
        plan_services.plan_item_create(actor=admin_user, entity=entity, model=PlanPerson,
                                       data={"role": "owner", "name": "Segunda"})
    assert "role" in info.value.error_dict
    # Hand over: the first stops being owner, then the second can be named.
    plan_services.plan_item_update(actor=admin_user, instance=first, data={"role": "team"})
    second = plan_services.plan_item_create(actor=admin_user, entity=entity, model=PlanPerson,
                                            data={"role": "owner", "name": "Segunda"})
    assert plan_selectors.owner_of(entity) == second
    # Editing the owner itself is not "a second owner".
    plan_services.plan_item_update(actor=admin_user, instance=second, data={"name": "Segunda B"})


def test_specific_objective_cannot_hang_from_a_specific_one(entity, admin_user):
    general = ObjectiveFactory(entity=entity)
    specific = ObjectiveFactory(entity=entity, parent=general)
    with pytest.raises(ValidationError):
        plan_services.plan_item_create(actor=admin_user, entity=entity, model=Objective,
                                       data={"title": "Nieto", "parent": specific})


def test_owner_step_completeness_counts_each_group(entity):
    status = plan_selectors.step_status(entity, 1)
    assert status.percent == 0 and len(status.missing) == 4
    PlanPersonFactory(entity=entity, role=PlanPersonRole.OWNER)
    PlanPersonFactory(entity=entity, role=PlanPersonRole.TEAM)
    status = plan_selectors.step_status(entity, 1)
    assert status.percent == 50
    assert any("formulación" in m or "formulating" in m for m in status.missing)


def test_contract_warnings_do_not_lower_the_score(entity):
    for role in PlanPersonRole.values:
        PlanPersonFactory(entity=entity, role=role)
    PlanPersonFactory(entity=entity, role=PlanPersonRole.COMMUNITY_MANAGER, is_outsourced=True,
                      agency="Agencia X",
                      contract_end=timezone.localdate() - datetime.timedelta(days=1))
    status = plan_selectors.step_status(entity, 1)
    assert status.percent == 100
    assert len(status.warnings) == 1 and "Agencia X" in status.warnings[0]


def test_objectives_completeness_needs_specifics_kpis_and_audiences(entity):
    general = ObjectiveFactory(entity=entity, title="General A")
    status = plan_selectors.step_status(entity, 2)
    assert any("General A" in m for m in status.missing)
    ObjectiveFactory(entity=entity, parent=general)
    KpiFactory(entity=entity, objective=general)
    AudienceFactory(entity=entity)
    status = plan_selectors.step_status(entity, 2)
    assert not any("General A" in m for m in status.missing)
    # Only the four questions remain.
    assert len(status.missing) == 4


def test_readiness_is_the_mean_of_measured_steps(entity):
    steps, readiness = plan_selectors.plan_completeness(entity)
    measured = [s.percent for s in steps if s.percent is not None]
    assert readiness == round(sum(measured) / len(measured))
    assert steps[5].percent is None  # step 6 (response) has no measure of its own


def test_html_in_text_fields_is_escaped_everywhere(entity, member_factory, client_for):
    client = client_for(member_factory(entity, Role.COMMUNICATIONS_OFFICER))
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    objective = ObjectiveFactory(entity=entity, title=evil)
    PlanChannelFactory(entity=entity, name=evil).objectives.add(objective)
    PlanPersonFactory(entity=entity, name=evil, role=PlanPersonRole.OWNER)
    for name in ("strategy:plan_overview", "strategy:plan_objectives", "strategy:plan_owner",
                 "channels_app:channel_list"):
        body = client.get(reverse(name, kwargs={"entity_slug": entity.slug})).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, name
        assert "&lt;script&gt;" in body, name
    response = client.get(reverse("strategy:plan_export_pdf",
                                  kwargs={"entity_slug": entity.slug}))
    assert response.status_code == 200


def test_overview_query_count_does_not_grow_with_the_plan(entity, member_factory, client_for,
                                                         django_assert_max_num_queries):
    client = client_for(member_factory(entity, Role.COMMUNICATIONS_OFFICER))
    for _ in range(3):
        general = ObjectiveFactory(entity=entity)
        ObjectiveFactory(entity=entity, parent=general)
        KpiFactory(entity=entity, objective=general)
        PlanChannelFactory(entity=entity).objectives.add(general)
    url = reverse("strategy:plan_overview", kwargs={"entity_slug": entity.slug})
    client.get(url)
    # session, user, entity gate, membership, one or two per step and the shell's menu.
    with django_assert_max_num_queries(45):
        client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(5):
        general = ObjectiveFactory(entity=entity)
        PlanChannelFactory(entity=entity).objectives.add(general)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_a_person_can_only_be_linked_to_a_member_of_the_entity(entity, other_entity,
                                                               member_factory, admin_user):
    outsider = member_factory(other_entity, Role.COMMUNICATIONS_OFFICER)
    with pytest.raises(ValidationError) as info:
        plan_services.plan_item_create(actor=admin_user, entity=entity, model=PlanPerson,
                                       data={"role": "team", "name": "X", "user": outsider})
    assert "user" in info.value.error_dict
    insider = member_factory(entity, Role.COMMUNITY_MANAGER)
    person = plan_services.plan_item_create(actor=admin_user, entity=entity, model=PlanPerson,
                                            data={"role": "team", "name": "Y", "user": insider})
    assert person.user == insider
