import os

import pytest
from django.test import Client

from strategy.choices import Role

from .factories import EntityFactory, MembershipFactory

# Playwright's sync API runs an event loop; Django's ORM needs this in the same thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def entity(db):
    return EntityFactory()


@pytest.fixture
def other_entity(db):
    return EntityFactory()


@pytest.fixture
def member_factory(db):
    """member_factory(entity, role) -> a user with that role in that entity."""

    def make(entity, role=Role.COMMUNITY_MANAGER, **kwargs):
        return MembershipFactory(entity=entity, role=role, **kwargs).user

    return make


@pytest.fixture
def admin_user(entity, member_factory):
    return member_factory(entity, Role.ENTITY_ADMIN)


@pytest.fixture
def client_for():
    """client_for(user) -> a Django test client logged in as that user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
