"""The tenant gate. Every view resolves its entity here: not a member means 404."""

from functools import wraps

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import permissions
from .models import Entity, Membership


def get_entity_for_user(user, slug: str) -> Entity:
    return get_object_or_404(Entity.objects.for_user(user), slug=slug)


def get_object_for_entity(queryset, entity, **lookup):
    """Load one row of `entity`; a row of any other entity answers 404."""
    return get_object_or_404(queryset.filter(entity=entity), **lookup)


def memberships_of(request) -> list[Membership]:
    """The requesting user's active memberships with their entities (ordered by entity name),
    loaded once per request: the two-factor middleware, the tenant gate and the entity
    switcher all read this list instead of each asking the database (one query, not four).

    Same rows as `Entity.objects.for_user(user)`: active memberships only. The list lives on
    the request, so a change made by another request is seen on the next one.
    """
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return []
    # Keyed by the user's id: a view that logs someone in mid-request must not see the list
    # of the previous user.
    owner, memo = getattr(request, "_active_memberships", (None, None))
    if memo is None or owner != user.pk:
        memo = list(Membership.objects.filter(user=user, is_active=True)
                    .select_related("entity").order_by("entity__name", "entity_id"))
        permissions.remember_memberships(user, memo)
        request._active_memberships = (user.pk, memo)
    return memo


def entity_of_request(request, slug: str) -> tuple[Entity, Membership]:
    """The entity `slug` among the user's memberships, and the membership; 404 otherwise
    (never a hint that the entity exists)."""
    for membership in memberships_of(request):
        if membership.entity.slug == slug:
            return membership.entity, membership
    raise Http404


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
            entity, membership = entity_of_request(request, entity_slug)
            permissions.require(request.user, entity, action)
            request.entity = entity
            request.membership = membership
            if request.user.last_entity_id != entity.pk:
                get_user_model().objects.filter(pk=request.user.pk).update(last_entity=entity)
                request.user.last_entity_id = entity.pk
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
