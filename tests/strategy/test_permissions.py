"""The permission module over every role and every action."""

import pytest
from django.core.exceptions import PermissionDenied

from strategy import permissions
from strategy.choices import Role
from strategy.permissions import ROLE_ACTIONS, Action

# The contract, written out independently of the module: who may do what.
EXPECTED = {
    Role.ENTITY_ADMIN: set(Action.values),
    Role.STRATEGY_OWNER: {
        "view_entity", "view_plan", "view_protocols", "view_cases", "view_dashboard",
        "edit_plan", "manage_channels", "edit_protocols", "approve_replies", "approve_posts",
        "plan_posts", "export_data", "view_audit"},
    Role.COMMUNICATIONS_OFFICER: {
        "view_entity", "view_plan", "view_protocols", "view_cases", "view_dashboard",
        "edit_plan", "manage_channels", "edit_protocols", "triage_cases", "reply_cases",
        "plan_posts", "export_data"},
    Role.COMMUNITY_MANAGER: {
        "view_entity", "view_plan", "view_protocols", "view_cases", "triage_cases",
        "reply_cases", "plan_posts"},
    Role.APPROVER: {
        "view_entity", "view_plan", "view_protocols", "view_cases", "view_dashboard",
        "approve_replies", "approve_posts", "edit_protocols"},
    Role.AUDITOR: {
        "view_entity", "view_plan", "view_protocols", "view_cases", "view_dashboard",
        "view_audit", "export_data"},
}


def test_every_role_has_a_row():
    assert set(ROLE_ACTIONS) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", Action.values)
def test_role_action_matrix(role, action, entity, member_factory):
    user = member_factory(entity, role)
    expected = action in EXPECTED[role]
    assert permissions.can(user, entity, action) is expected
    if not expected:
        with pytest.raises(PermissionDenied):
            permissions.require(user, entity, action)


def test_auditor_changes_nothing():
    writes = {a for a in Action.values if not a.startswith("view_")} - {"export_data"}
    assert not (ROLE_ACTIONS[Role.AUDITOR] & writes)


@pytest.mark.parametrize("action", Action.values)
def test_non_member_may_do_nothing(action, entity, other_entity, member_factory):
    outsider = member_factory(other_entity, Role.ENTITY_ADMIN)
    assert permissions.can(outsider, entity, action) is False


def test_inactive_membership_grants_nothing(entity, member_factory):
    user = member_factory(entity, Role.ENTITY_ADMIN, is_active=False)
    assert permissions.can(user, entity, Action.VIEW_ENTITY) is False


def test_anonymous_may_do_nothing(entity):
    from django.contrib.auth.models import AnonymousUser

    assert permissions.can(AnonymousUser(), entity, Action.VIEW_ENTITY) is False


def test_channel_scope_limits_an_outsourced_manager(entity, member_factory):
    from channels_app.models import Channel

    allowed = Channel.objects.create(entity=entity, platform="x", handle="permitido")
    other = Channel.objects.create(entity=entity, platform="x", handle="otro")
    user = member_factory(entity, Role.COMMUNITY_MANAGER, agency="Agencia",
                          channel_scope=[str(allowed.public_id)])
    assert permissions.can(user, entity, Action.REPLY_CASES, channel=allowed)
    assert not permissions.can(user, entity, Action.REPLY_CASES, channel=other)
