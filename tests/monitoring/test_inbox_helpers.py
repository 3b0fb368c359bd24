"""Builders shared by the inbox tests (no tests here)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.models import Mention
from strategy.choices import Role

from .factories import AuthorFactory, CaseFactory, ChannelFactory, MentionFactory

X_BASE = "http://sandbox.invalid/x"


def make_case(entity, *, channel=None, text="El hueco de la calle 10 sigue sin arreglar",
              due_in=timedelta(hours=8), author=None, **kwargs):
    """A case with a channel and one citizen mention (what the pipeline would open)."""
    channel = channel or ChannelFactory(entity=entity, api_base_url=X_BASE)
    author = author or AuthorFactory(entity=entity)
    case = CaseFactory(entity=entity, channel=channel, author=author,
                       first_response_due=timezone.now() + due_in, **kwargs)
    MentionFactory(entity=entity, author=author, channel=channel, case=case, text=text,
                   thread_key=case.thread_key, reasons=["palabra «hueco»"], confidence=0.9)
    return case


def add_mention(case, text, **kwargs) -> Mention:
    return MentionFactory(entity=case.entity, author=case.author, channel=case.channel,
                          case=case, text=text, thread_key=case.thread_key, **kwargs)


@pytest.fixture
def manager(entity, member_factory):
    return member_factory(entity, Role.COMMUNITY_MANAGER)


@pytest.fixture
def colleague(entity, member_factory):
    return member_factory(entity, Role.COMMUNITY_MANAGER)


@pytest.fixture
def approver(entity, member_factory):
    return member_factory(entity, Role.APPROVER)


@pytest.fixture
def auditor(entity, member_factory):
    return member_factory(entity, Role.AUDITOR)


@pytest.fixture
def owner(entity, member_factory):
    return member_factory(entity, Role.STRATEGY_OWNER)


@pytest.fixture
def case(entity):
    return make_case(entity)
