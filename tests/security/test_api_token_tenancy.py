"""The cross-tenant matrix for API tokens (tests/test_cross_tenant.py covers sessions).

A token of another entity — every scope, created by that entity's admin, who is *also* a
member of the victim entity — must get 404 on every endpoint of the victim: a token works
only in its own entity, whatever its user may do elsewhere.
"""

import pytest
from rest_framework.test import APIClient

from strategy.choices import Role
from strategy.integration_models import TokenScope
from strategy.integrations import api_token_create
from tests.factories import MembershipFactory

from .routes import API_ROUTES, fill

METHODS = ("get", "post", "patch", "delete")


@pytest.mark.django_db
@pytest.mark.parametrize("also_member_of_victim", [False, True], ids=["stranger", "agency"])
def test_foreign_token_gets_404_on_every_endpoint(entity, other_entity, also_member_of_victim):
    attacker = MembershipFactory(entity=other_entity, role=Role.ENTITY_ADMIN).user
    if also_member_of_victim:
        MembershipFactory(entity=entity, user=attacker, role=Role.ENTITY_ADMIN)
    _token, clear = api_token_create(actor=attacker, entity=other_entity, name="atacante",
                                     scopes=list(TokenScope.values), days=1,
                                     rate_limit_per_minute=100000)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    leaks, memo = [], {}
    for route, name in API_ROUTES:
        url = fill(route, entity, memo)
        statuses = {m: getattr(client, m)(url, {}, format="json").status_code
                    for m in METHODS}
        if not set(statuses.values()) <= {404, 405} or 404 not in statuses.values():
            leaks.append(f"{url} ({name}): {statuses}")
    assert not leaks, leaks


@pytest.mark.django_db
def test_revoked_or_unknown_token_gets_401_everywhere(entity, admin_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer re_00000000_inventado")
    memo = {}
    for route, _name in API_ROUTES:
        assert client.get(fill(route, entity, memo)).status_code == 401
