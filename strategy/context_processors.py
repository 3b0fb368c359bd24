from . import permissions
from .navigation import sections_for
from .tenancy import memberships_of


def shell(request):
    """What the base layout needs: the current entity, the switcher and the navigation.

    The switcher's entities come from the request's memberships (loaded once per request by
    the two-factor middleware or the tenant gate), not from a query of their own."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entity = getattr(request, "entity", None)
    context = {
        "my_entities": [m.entity for m in memberships_of(request)],
        "current_entity": entity,
    }
    if entity is not None:
        context["nav_sections"] = sections_for(request, entity)
        context["current_role"] = permissions.role_of(user, entity)
        context["allowed"] = permissions.allowed_actions(user, entity)
    return context
