"""The tenant gate and the shell share one lookup of the user's memberships per request.

A bare page behind `entity_view` that renders the base layout (entity switcher, navigation,
role) pays the session, the user and ONE query of the memberships with their entities,
which the two-factor middleware, the gate and the `shell` context processor all read.
The security behaviour is unchanged: 404 to non-members, 403 without the right, the login
page to anonymous visitors, two-factor set-up when an entity requires it.
"""

import pytest
from django.shortcuts import render
from django.test import override_settings
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from strategy.choices import Role
from strategy.models import Membership
from strategy.permissions import Action
from strategy.tenancy import entity_view

pytestmark = pytest.mark.django_db


@entity_view(Action.VIEW_CASES)
def bare_page(request):
    return render(request, "base.html", {})


# The project's URLs (the layout links them) plus the bare page.
urlpatterns = [path("prueba/<slug:entity_slug>/", bare_page), *app_urlpatterns]
with_bare_page = override_settings(ROOT_URLCONF=__name__)


def bare(entity):
    return f"/prueba/{entity.slug}/"


@with_bare_page
def test_one_membership_query_per_request(entity, other_entity, member_factory, client_for,
                                          django_assert_num_queries):
    user = member_factory(entity, Role.COMMUNITY_MANAGER)
    Membership.objects.create(user=user, entity=other_entity, role=Role.AUDITOR)
    client = client_for(user)
    client.get(bare(entity))  # the first visit also records user.last_entity
    # session, user, the memberships with their entities.
    with django_assert_num_queries(3):
        response = client.get(bare(entity))
    html = response.content.decode()
    assert response.status_code == 200
    # The switcher lists both entities; the navigation follows the role in this entity.
    assert other_entity.name in html and entity.name in html
    assert "Bandeja" in html


@with_bare_page
def test_mandatory_two_factor_adds_only_the_authenticator_check(
        entity, member_factory, client_for, django_assert_num_queries):
    from allauth.mfa.models import Authenticator

    entity.require_two_factor = True
    entity.save()
    user = member_factory(entity, Role.COMMUNITY_MANAGER)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = client_for(user)
    client.get(bare(entity))
    with django_assert_num_queries(4):
        assert client.get(bare(entity)).status_code == 200
    Authenticator.objects.filter(user=user).delete()
    assert client.get(bare(entity))["Location"].startswith("/cuentas/")


@with_bare_page
def test_the_gate_still_answers_404_403_and_login(entity, other_entity, member_factory,
                                                  client_for, client):
    outsider = member_factory(other_entity, Role.ENTITY_ADMIN)
    assert client_for(outsider).get(bare(entity)).status_code == 404
    former = member_factory(entity, Role.ENTITY_ADMIN)
    Membership.objects.filter(user=former).update(is_active=False)
    assert client_for(former).get(bare(entity)).status_code == 404
    strategist = member_factory(entity, Role.APPROVER)
    Membership.objects.filter(user=strategist).update(role=Role.STRATEGY_OWNER)
    assert client_for(strategist).get(bare(entity)).status_code == 200
    owner_only = member_factory(entity, Role.COMMUNITY_MANAGER)
    Membership.objects.filter(user=owner_only).update(role="nonexistent")
    assert client_for(owner_only).get(bare(entity)).status_code == 403
    assert client.get(bare(entity))["Location"].startswith("/cuentas/login/")
