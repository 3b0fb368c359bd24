"""The plan in Django admin: every model lists, opens and adds for a superuser."""

import pytest
from django.urls import reverse

from tests.channels_app.factories import PlanChannelFactory
from tests.factories import UserFactory
from tests.strategy.plan_factories import (
    AudienceFactory,
    KpiFactory,
    PlanActivityFactory,
    PlanPersonFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db



@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["strategy.plan", "strategy.planperson", "strategy.objective",
                                   "strategy.audience", "strategy.kpi", "strategy.toneguide",
                                   "strategy.resource", "strategy.planactivity",
                                   "channels_app.launchitem", "channels_app.channel"])
def test_changelist_and_add_pages(admin_client, entity, model):
    app, name = model.split(".")
    PlanPersonFactory(entity=entity)
    KpiFactory(entity=entity)
    AudienceFactory(entity=entity)
    ResourceFactory(entity=entity)
    PlanActivityFactory(entity=entity)
    PlanChannelFactory(entity=entity)
    assert admin_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 200


def test_kpi_change_page_with_measurements(admin_client, entity):
    kpi = KpiFactory(entity=entity)
    response = admin_client.get(reverse("admin:strategy_kpi_change", args=[kpi.pk]))
    assert response.status_code == 200
