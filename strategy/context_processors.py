from . import permissions
from .models import Entity
from .navigation import sections_for


def shell(request):
    """What the base layout needs: the current entity, the switcher and the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entity = getattr(request, "entity", None)
    context = {
        "my_entities": Entity.objects.for_user(user).only("name", "slug"),
        "current_entity": entity,
    }
    if entity is not None:
        context["nav_sections"] = sections_for(request, entity)
        context["current_role"] = permissions.role_of(user, entity)
        context["allowed"] = permissions.allowed_actions(user, entity)
    return context
