"""The API's tenant gate: every entity-scoped endpoint lives under /api/v1/e/<entity_slug>/."""

from django.http import Http404
from rest_framework import permissions as drf_permissions

from strategy import permissions
from strategy.integration_models import ApiToken, TokenScope
from strategy.tenancy import get_entity_for_user


def token_allows(request, view, entity) -> bool:
    """An API token works only in its own entity (else 404) and within its scopes."""
    token = request.auth
    if not isinstance(token, ApiToken):
        return True
    if token.entity_id != entity.pk:
        raise Http404
    if request.method in drf_permissions.SAFE_METHODS:
        needed = TokenScope.READ
    else:
        needed = getattr(view, "token_write_scope", TokenScope.WRITE)
    return needed in token.scopes


class EntityActionPermission(drf_permissions.BasePermission):
    """Reads need `read_action`, writes `write_action` (set on the view)."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        entity = view.get_entity()  # 404 for an entity the user does not belong to
        if not token_allows(request, view, entity):
            return False
        is_read = request.method in drf_permissions.SAFE_METHODS
        action = view.read_action if is_read else (view.write_action or view.read_action)
        return permissions.can(request.user, entity, action)


class EntityScopedMixin:
    """Resolve `self.entity` through the tenant gate and scope querysets to it.

    Set `queryset = Model.objects...` on the view: `get_queryset()` filters it on
    `entity_field` (default "entity") = the URL's entity, and returns nothing while
    drf-spectacular generates the schema.
    """

    read_action: str = permissions.Action.VIEW_ENTITY
    write_action: str | None = None
    # Non-read requests need this token scope ("cases" for case work, else "write").
    token_write_scope: str = TokenScope.WRITE
    entity_field: str = "entity"
    permission_classes = [EntityActionPermission]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.filter(**{self.entity_field: self.get_entity()})

    def get_entity(self):
        if not hasattr(self, "_entity"):
            self._entity = get_entity_for_user(self.request.user, self.kwargs["entity_slug"])
        return self._entity

    @property
    def entity(self):
        return self.get_entity()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["entity"] = self.get_entity()
        return context
