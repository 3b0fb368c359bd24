"""The one place that answers "may this user do X in this entity?".

Views, the API, the admin and the tasks all ask `can()` / `require()`; nothing else
looks at roles. The table below is the contract: tests walk every cell of it.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Role


class Action(models.TextChoices):
    VIEW_ENTITY = "view_entity", _("See the entity's workspace")
    MANAGE_MEMBERS = "manage_members", _("Invite and manage members")
    MANAGE_SETTINGS = "manage_settings", _("Change the entity's settings")
    VIEW_PLAN = "view_plan", _("Read the plan")
    EDIT_PLAN = "edit_plan", _("Edit the plan")
    MANAGE_CHANNELS = "manage_channels", _("Manage channels")
    VIEW_PROTOCOLS = "view_protocols", _("Read the protocols")
    EDIT_PROTOCOLS = "edit_protocols", _("Edit the protocols")
    VIEW_CASES = "view_cases", _("Read the inbox")
    TRIAGE_CASES = "triage_cases", _("Claim, assign and classify cases")
    REPLY_CASES = "reply_cases", _("Write replies")
    APPROVE_REPLIES = "approve_replies", _("Approve replies and escalations")
    PLAN_POSTS = "plan_posts", _("Plan posts in the calendar")
    APPROVE_POSTS = "approve_posts", _("Approve posts")
    VIEW_DASHBOARD = "view_dashboard", _("See the dashboard and reports")
    EXPORT_DATA = "export_data", _("Export data")
    VIEW_AUDIT = "view_audit", _("Read the audit trail")
    MANAGE_INTEGRATIONS = "manage_integrations", _("Manage API tokens and webhooks")


A = Action
_READ_ALL = {A.VIEW_ENTITY, A.VIEW_PLAN, A.VIEW_PROTOCOLS, A.VIEW_CASES, A.VIEW_DASHBOARD}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ENTITY_ADMIN: frozenset(Action.values),
    Role.STRATEGY_OWNER: frozenset(_READ_ALL | {
        A.EDIT_PLAN, A.MANAGE_CHANNELS, A.EDIT_PROTOCOLS, A.APPROVE_REPLIES, A.APPROVE_POSTS,
        A.PLAN_POSTS, A.EXPORT_DATA, A.VIEW_AUDIT,
    }),
    Role.COMMUNICATIONS_OFFICER: frozenset(_READ_ALL | {
        A.EDIT_PLAN, A.MANAGE_CHANNELS, A.EDIT_PROTOCOLS, A.TRIAGE_CASES, A.REPLY_CASES,
        A.PLAN_POSTS, A.EXPORT_DATA,
    }),
    Role.COMMUNITY_MANAGER: frozenset({
        A.VIEW_ENTITY, A.VIEW_PLAN, A.VIEW_PROTOCOLS, A.VIEW_CASES, A.TRIAGE_CASES,
        A.REPLY_CASES, A.PLAN_POSTS,
    }),
    Role.APPROVER: frozenset(_READ_ALL | {A.APPROVE_REPLIES, A.APPROVE_POSTS, A.EDIT_PROTOCOLS}),
    # Internal control reads everything, the audit trail included, and changes nothing.
    Role.AUDITOR: frozenset(_READ_ALL | {A.VIEW_AUDIT, A.EXPORT_DATA}),
}


def membership_for(user, entity):
    """The user's active membership in the entity, or None. Cached on the user object."""
    if not getattr(user, "is_authenticated", False) or entity is None:
        return None
    cache = user.__dict__.setdefault("_membership_cache", {})
    if entity.pk not in cache:
        cache[entity.pk] = (
            entity.memberships.filter(user=user, is_active=True).first()
        )
    return cache[entity.pk]


def remember_memberships(user, memberships) -> None:
    """Prime `membership_for`'s cache with active memberships already loaded (the tenant
    gate's per-request list), so `can()` and `role_of()` ask the database no more."""
    cache = user.__dict__.setdefault("_membership_cache", {})
    for membership in memberships:
        cache.setdefault(membership.entity_id, membership)


def role_of(user, entity) -> str | None:
    membership = membership_for(user, entity)
    return membership.role if membership else None


def can(user, entity, action: str, *, channel=None) -> bool:
    """May `user` do `action` in `entity` (and, for channel work, on `channel`)?"""
    membership = membership_for(user, entity)
    if membership is None:
        return False
    if action not in ROLE_ACTIONS.get(membership.role, frozenset()):
        return False
    if channel is not None and membership.channel_scope:
        return str(channel.public_id) in membership.channel_scope
    return True


def require(user, entity, action: str, *, channel=None) -> None:
    """Raise PermissionDenied unless `can()`; callers have already proved membership (else 404)."""
    if not can(user, entity, action, channel=channel):
        raise PermissionDenied(_("Your role in this entity does not allow this action."))


def allowed_actions(user, entity) -> frozenset[str]:
    membership = membership_for(user, entity)
    if membership is None:
        return frozenset()
    return ROLE_ACTIONS.get(membership.role, frozenset())
