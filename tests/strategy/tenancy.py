from tests.factories import InvitationFactory, MembershipFactory
from tests.strategy.plan_factories import (
    AudienceFactory,
    KpiFactory,
    ObjectiveFactory,
    PlanActivityFactory,
    PlanPersonFactory,
    ResourceFactory,
)

URL_KWARGS = {
    "membership_id": lambda entity: MembershipFactory(entity=entity).public_id,
    "token": lambda entity: InvitationFactory(entity=entity).token,
    # The plan (issue 3).
    "person_id": lambda entity: PlanPersonFactory(entity=entity).public_id,
    "objective_id": lambda entity: ObjectiveFactory(entity=entity).public_id,
    "audience_id": lambda entity: AudienceFactory(entity=entity).public_id,
    "kpi_id": lambda entity: KpiFactory(entity=entity).public_id,
    "resource_id": lambda entity: ResourceFactory(entity=entity).public_id,
    "activity_id": lambda entity: PlanActivityFactory(entity=entity).public_id,
}


def _api_token(entity):
    from strategy.integrations import api_token_create
    from tests.factories import MembershipFactory

    actor = MembershipFactory(entity=entity, role="entity_admin").user
    return api_token_create(actor=actor, entity=entity, name="t", scopes=["read"], days=1)[0]


def _endpoint(entity):
    from strategy.integration_models import WebhookEndpoint

    return WebhookEndpoint.objects.create(entity=entity, url="https://example.gov.co/hook",
                                          events=["case.opened"], secret="s")


def _delivery(entity):
    from strategy.integration_models import WebhookEventDelivery

    return WebhookEventDelivery.objects.create(endpoint=_endpoint(entity), event="case.opened",
                                               payload={})


URL_KWARGS.update({
    "token_id": lambda entity: _api_token(entity).public_id,
    "endpoint_id": lambda entity: _endpoint(entity).public_id,
    "event_delivery_id": lambda entity: _delivery(entity).public_id,
})
