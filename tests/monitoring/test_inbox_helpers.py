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


class RunningSandbox:
    """The sandbox networks on a free local port (channels_app.sandbox), for the inbox tests."""

    def __init__(self, server, app):
        self.server, self.app = server, app
        self.url = f"http://127.0.0.1:{server.server_address[1]}"

    def control(self, method, control_path, /, **body):
        import httpx

        response = httpx.request(method, f"{self.url}/_sandbox{control_path}", json=body or None,
                                 timeout=10)
        response.raise_for_status()
        return response.json()

    def citizen_post(self, text, platform="x"):
        from channels_app.sandbox.accounts import DEMO_ACCOUNTS

        account = next(a for a in DEMO_ACCOUNTS if a.platform == platform
                       and a.theme == "alcaldia")
        [item] = self.control("POST", "/posts", platform=platform,
                              account_id=account.account_id, text=text)["items"]
        return account, item

    def replies(self, platform="x"):
        return self.control("GET", f"/replies?platform={platform}")["replies"]


@pytest.fixture(scope="session")
def inbox_sandbox_server():
    import threading

    from channels_app.sandbox import make_sandbox_server

    server, app = make_sandbox_server("127.0.0.1", 0, rate_per_minute=0, history=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RunningSandbox(server, app)
    server.shutdown()
    server.server_close()


@pytest.fixture
def inbox_sandbox(inbox_sandbox_server):
    inbox_sandbox_server.app.world.reset(seed=2026, rate_per_minute=0, history=0)
    return inbox_sandbox_server


def sandbox_case(entity, sandbox, text="Hay un hueco enorme en la calle 10, ¿quién responde?",
                 platform="x"):
    """A case whose citizen message really exists in the sandbox (so replies can thread)."""
    from channels_app.sandbox.accounts import BASE_PATHS

    account, item = sandbox.citizen_post(text, platform=platform)
    channel = ChannelFactory(entity=entity, platform=platform, handle=account.handle,
                             account_id=account.account_id, access_token=account.token,
                             api_base_url=sandbox.url + BASE_PATHS[platform])
    author = AuthorFactory(entity=entity, platform=platform,
                           handle=item["author"] or "ciudadana")
    case = CaseFactory(entity=entity, channel=channel, author=author, platform=platform,
                       thread_key=item["thread"] or item["id"],
                       first_response_due=timezone.now() + timedelta(hours=2))
    MentionFactory(entity=entity, author=author, channel=channel, case=case, text=item["text"],
                   external_id=item["id"], thread_key=case.thread_key, platform=platform,
                   in_reply_to_external_id=item["in_reply_to"] or "")
    return case
