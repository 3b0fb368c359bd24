"""The role matrix: through the real views, each role can do exactly what
`strategy.permissions.ROLE_ACTIONS` says — no more, no less.

Every entity-scoped page declares its Action in `entity_view(Action.X)`; every API view its
`read_action` / `write_action`. For each role, every page and endpoint is requested: a role
without the Action gets 403, a role with it never does. Pages whose form posts need a further
Action (checked inside the view) are covered by the explicit write checks below.
"""

import pytest
from django.urls import resolve

from strategy.choices import Role
from strategy.integration_models import TokenScope
from strategy.integrations import api_token_create
from strategy.permissions import ROLE_ACTIONS, Action
from tests.factories import MembershipFactory

from .routes import API_ROUTES, PAGE_ROUTES, api_actions, declared_action, fill

ROLES = list(Role.values)
A = Action

# Views that, besides the Action of their decorator, check more inside (a POST that changes
# something behind a page more roles may read). Each entry: who may, as a predicate over the
# role's Actions, with where the rule lives.
IN_VIEW_RULES = {
    # channels_app/calendar_views.py recurring_action: stopping a series needs PLAN_POSTS.
    "calendar_recurring_action": lambda acts: {A.VIEW_PLAN, A.PLAN_POSTS} <= acts,
    # monitoring/alerts.py can_acknowledge: auditors see alerts but change nothing.
    "alert_acknowledge": lambda acts: A.VIEW_DASHBOARD in acts and (
        A.EDIT_PLAN in acts or A.APPROVE_REPLIES in acts),
    "alert-acknowledge": lambda acts: A.VIEW_DASHBOARD in acts and (
        A.EDIT_PLAN in acts or A.APPROVE_REPLIES in acts),
    # protocols/habeas_views.py: changing a request needs EDIT_PROTOCOLS and EXPORT_DATA.
    "habeas_extend": lambda acts: {A.EDIT_PROTOCOLS, A.EXPORT_DATA} <= acts,
    "habeas_answer": lambda acts: {A.EDIT_PROTOCOLS, A.EXPORT_DATA} <= acts,
    # protocols/api/views.py: trying a mention or rendering a template changes nothing, so
    # their POST needs only VIEW_PROTOCOLS.
    "protocols-escalation-try-mention": lambda acts: A.VIEW_PROTOCOLS in acts,
    "protocols-template-render": lambda acts: A.VIEW_PROTOCOLS in acts,
}
# An approval request is decided only by the role it names (protocols.services
# approval_decide; tests/protocols/test_templates_approvals.py walks that rule).
NOT_BY_ROLE = {"approval_decide", "protocols-approval-decide"}


def _may(name, action, acts) -> bool:
    if name in IN_VIEW_RULES:
        return IN_VIEW_RULES[name](acts)
    return action in acts




def _page_status(client, url):
    """GET the page; for POST-only views (405), POST an empty form instead."""
    status = client.get(url).status_code
    if status == 405:
        status = client.post(url, {}).status_code
    return status


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_403_exactly_when_the_role_lacks_the_action(role, entity, client_for):
    user = MembershipFactory(entity=entity, role=role).user
    client = client_for(user)
    allowed = ROLE_ACTIONS[role]
    wrong, undeclared, checked = [], [], 0
    for route, name in PAGE_ROUTES:
        url = fill(route, entity)
        action = declared_action(resolve(url).func)
        if action is None:
            undeclared.append(name)
            continue
        status = _page_status(client, url)
        checked += 1
        if name in NOT_BY_ROLE:
            if action not in allowed and status != 403:
                wrong.append(f"{name} ({action}): {status}")
            continue
        if _may(name, action, allowed) == (status == 403):
            wrong.append(f"{name} ({action}): {status}")
    assert not undeclared, f"pages without entity_view: {undeclared}"
    assert checked == len(PAGE_ROUTES)
    assert not wrong, f"role {role}: {wrong}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_answers_403_exactly_when_the_role_lacks_the_action(role, entity, client_for):
    user = MembershipFactory(entity=entity, role=role).user
    client = client_for(user)
    allowed = ROLE_ACTIONS[role]
    wrong = []
    for route, name in API_ROUTES:
        url = fill(route, entity)
        read, write, methods = api_actions(url)
        assert read, f"{name} declares no read_action"
        if "GET" in methods:
            status = client.get(url).status_code
            if (read in allowed) == (status == 403):
                wrong.append(f"GET {name} ({read}): {status}")
        for method in ("POST", "PATCH", "PUT", "DELETE") if write else ():
            if method not in methods:
                continue
            response = getattr(client, method.lower())(url, {}, content_type="application/json")
            # Writing needs both the read and the write Action.
            may = _may(name, write, allowed) and read in allowed
            if name in NOT_BY_ROLE:
                if not may and response.status_code != 403:
                    wrong.append(f"{method} {name} ({write}): {response.status_code}")
            elif may == (response.status_code == 403):
                wrong.append(f"{method} {name} ({write}): {response.status_code}")
            break  # one write method per endpoint is enough; the rest mutate the same way
    assert not wrong, f"role {role}: {wrong}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.AUDITOR])
def test_api_token_acts_with_its_users_role(role, entity):
    """A token never widens its user's rights: same 403s as the session, through the token."""
    from rest_framework.test import APIClient

    user = MembershipFactory(entity=entity, role=role).user
    _token, clear = api_token_create(actor=user, entity=entity, name="t",
                                     scopes=list(TokenScope.values), days=1,
                                     rate_limit_per_minute=100000)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    allowed = ROLE_ACTIONS[role]
    wrong = []
    for route, name in API_ROUTES:
        url = fill(route, entity)
        read, _write, methods = api_actions(url)
        if "GET" not in methods:
            continue
        status = client.get(url).status_code
        if (read in allowed) == (status == 403):
            wrong.append(f"GET {name} ({read}): {status}")
    assert not wrong, f"role {role}: {wrong}"


# --- Writes checked inside views (a page readable by more roles than may change it) ----------

WRITE_CHECKS = [
    # (url name, extra kwargs provider key or None, action the POST needs, POST data)
    ("protocols:raci", Action.EDIT_PROTOCOLS, {}),
    ("protocols:pqrsd", Action.EDIT_PROTOCOLS, {"settings-service_start": "08:00"}),
    ("protocols:habeas_list", Action.EDIT_PROTOCOLS, {"kind": "consulta"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "action", "data"), WRITE_CHECKS,
                         ids=[w[0] for w in WRITE_CHECKS])
def test_in_view_write_checks(role, name, action, data, entity, client_for):
    from django.urls import reverse

    client = client_for(MembershipFactory(entity=entity, role=role).user)
    url = reverse(name, kwargs={"entity_slug": entity.slug})
    status = client.post(url, data).status_code
    may = action in ROLE_ACTIONS[role] and declared_action(resolve(url).func) in \
        ROLE_ACTIONS[role]
    assert (status == 403) != may, f"{role} POST {name}: {status}"
