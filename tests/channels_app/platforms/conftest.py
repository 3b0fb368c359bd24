"""Fixtures for the network clients: the sandbox served over real HTTP, recorded payloads."""

import json
import pathlib
import threading

import httpx
import pytest

from channels_app.platforms import client_for as make_client
from channels_app.platforms.bluesky import forget_sessions
from channels_app.sandbox import make_sandbox_server
from channels_app.sandbox.accounts import BASE_PATHS, DEMO_ACCOUNTS

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
PLATFORMS = ("x", "facebook", "instagram", "youtube", "mastodon", "bluesky")


def fixture_json(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def demo_account(platform: str, theme: str = "alcaldia"):
    return next(a for a in DEMO_ACCOUNTS if a.platform == platform and a.theme == theme)


class Sandbox:
    """A running sandbox: its URL, its world, and helpers for tests."""

    def __init__(self, server, app):
        self.server = server
        self.app = app
        self.world = app.world
        self.url = f"http://127.0.0.1:{server.server_address[1]}"

    def control(self, method: str, control_path: str, /, **body):
        response = httpx.request(method, f"{self.url}/_sandbox{control_path}",
                                 json=body if body else None, timeout=10)
        response.raise_for_status()
        return response.json()

    def fault(self, kind: str, **params):
        return self.control("POST", "/faults", kind=kind, **params)

    def post(self, platform: str, account_id: str, **params):
        return self.control("POST", "/posts", platform=platform, account_id=account_id,
                            **params)["items"]

    def ground_truth(self, platform: str, account_id: str):
        return httpx.get(f"{self.url}/_sandbox/ground-truth",
                         params={"platform": platform, "account_id": account_id}).json()["items"]

    def client(self, platform: str, *, theme: str = "alcaldia", token: str | None = None,
               http_client: httpx.Client | None = None, **overrides):
        account = demo_account(platform, theme)
        client = make_client(platform, base_url=self.url + BASE_PATHS[platform],
                             token=account.token if token is None else token,
                             account_id=account.account_id, handle=account.handle,
                             http_client=http_client)
        client.transport.backoff_base = 0.001  # keep retries fast in tests
        for key, value in overrides.items():
            setattr(client, key, value)
        return client


@pytest.fixture(scope="session")
def sandbox_server():
    server, app = make_sandbox_server("127.0.0.1", 0, rate_per_minute=0, history=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Sandbox(server, app)
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox(sandbox_server):
    """The shared sandbox, reset to an empty, quiet world for each test."""
    sandbox_server.world.reset(seed=2026, rate_per_minute=0, history=0)
    forget_sessions()
    yield sandbox_server
    sandbox_server.world.clear_faults()
    forget_sessions()
