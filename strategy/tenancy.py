"""The tenant gate. Every view resolves its entity here: not a member means 404."""

from functools import wraps

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404

from . import permissions
from .models import Entity


def get_entity_for_user(user, slug: str) -> Entity:
    return get_object_or_404(Entity.objects.for_user(user), slug=slug)


def get_object_for_entity(queryset, entity, **lookup):
    """Load one row of `entity`; a row of any other entity answers 404."""
    return get_object_or_404(queryset.filter(entity=entity), **lookup)


def entity_view(action: str):
    """Decorate a view taking `entity_slug`: resolve `request.entity`, 404 or 403 as due.

    Anonymous users are sent to the login page, members of other entities get 404
    (never a hint that the entity exists), members without the right get 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, entity_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            entity = get_entity_for_user(request.user, entity_slug)
            permissions.require(request.user, entity, action)
            request.entity = entity
            request.membership = permissions.membership_for(request.user, entity)
            if request.user.last_entity_id != entity.pk:
                get_user_model().objects.filter(pk=request.user.pk).update(last_entity=entity)
                request.user.last_entity_id = entity.pk
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
