"""The sandbox networks: deterministic Spanish stream, controls, headers, signed webhooks,
and the demo channels that point at it."""

import collections
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from channels_app.demo_data import seed_demo
from channels_app.management.commands.run_sandbox import default_address
from channels_app.models import Channel
from channels_app.platforms import get_client
from channels_app.platforms.signatures import verify_meta_signature, verify_x_signature
from channels_app.platforms.webhooks import parse_meta_delivery, parse_x_delivery
from channels_app.sandbox import SandboxApp
from channels_app.sandbox.accounts import DEMO_ACCOUNTS
from channels_app.sandbox.generator import strip_accents
from tests.factories import EntityFactory

from .platforms import conftest as platform_fixtures
from .platforms.conftest import demo_account

# The same fixtures as tests/channels_app/platforms (a running sandbox, reset per test).
sandbox_server = pytest.fixture(scope="session", name="sandbox_server")(
    platform_fixtures.sandbox_server.__wrapped__)
sandbox = pytest.fixture(name="sandbox")(platform_fixtures.sandbox.__wrapped__)


def texts(app: SandboxApp, platform="x", account="1500000000000000001", count=30):
    account = app.world.account(platform, account)
    return [app.world.generate(account).text for _ in range(count)]


def test_the_stream_is_deterministic_with_a_seed():
    assert texts(SandboxApp(seed=7, history=0)) == texts(SandboxApp(seed=7, history=0))
    assert texts(SandboxApp(seed=7, history=0)) != texts(SandboxApp(seed=8, history=0))


def test_the_stream_is_colombian_spanish_of_every_kind():
    app = SandboxApp(seed=3, history=0)
    account = app.world.account("x", "1500000000000000001")
    items = [app.world.generate(account) for _ in range(300)]
    labels = collections.Counter(item.label for item in items)
    assert set(labels) == {"complaint", "question", "praise", "troll", "spam"}
    assert labels["complaint"] > labels["praise"]
    joined = " ".join(item.text for item in items)
    for word in ("barrio", "PQRS", "predial", "agua"):
        assert word.lower() in joined.lower()
    assert any(item.text == strip_accents(item.text) and "@" in item.text for item in items)
    assert any(item.parent_id for item in items), "follow-ups form threads"
    assert any(item.citizen.suspicious for item in items if item.label in ("troll", "spam"))
    transit = app.world.account("x", "1500000000000000002")
    transit_text = " ".join(app.world.generate(transit).text for _ in range(80)).lower()
    assert "comparendo" in transit_text or "licencia" in transit_text


def test_controls(sandbox):
    assert httpx.get(f"{sandbox.url}/_sandbox/health").json()["ok"] is True
    bad = httpx.post(f"{sandbox.url}/_sandbox/faults", json={"kind": "meteor"})
    assert bad.status_code == 400
    assert httpx.get(f"{sandbox.url}/myspace/api").status_code == 404
    items = sandbox.post("x", "1500000000000000001", count=3, label="question")
    assert [i["label"] for i in items] == ["question"] * 3
    truth = sandbox.ground_truth("x", "1500000000000000001")
    assert {i["id"] for i in truth} == {i["id"] for i in items}
    assert not any(i["served"] for i in truth)
    sandbox.client("x").fetch_mentions(None)
    assert all(i["served"] for i in sandbox.ground_truth("x", "1500000000000000001"))
    sandbox.fault("error_500", platform="x", count=-1)
    assert sandbox.control("DELETE", "/faults")["faults"] == []
    assert sandbox.control("POST", "/reset", history=2)["ok"]
    assert len(sandbox.ground_truth("x", "1500000000000000001")) == 2


def test_native_rate_limit_headers(sandbox):
    x = demo_account("x")
    answer = httpx.get(f"{sandbox.url}/x/2/users/me",
                       headers={"Authorization": f"Bearer {x.token}"})
    assert int(answer.headers["x-rate-limit-reset"]) > 1_700_000_000
    assert answer.headers["x-rate-limit-limit"] == "450"
    mastodon = demo_account("mastodon")
    answer = httpx.get(f"{sandbox.url}/mastodon/api/v1/accounts/verify_credentials",
                       headers={"Authorization": f"Bearer {mastodon.token}"})
    assert answer.headers["x-ratelimit-reset"].endswith("Z")
    facebook = demo_account("facebook")
    answer = httpx.get(f"{sandbox.url}/facebook/v25.0/{facebook.account_id}",
                       params={"access_token": facebook.token})
    assert json.loads(answer.headers["x-app-usage"])["call_count"] >= 0


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", Receiver.received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("platform", ["facebook", "instagram", "x"])
def test_signed_webhook_deliveries(sandbox, receiver, platform):
    url, received = receiver
    account = demo_account(platform)
    answer = sandbox.control("POST", "/webhooks/deliver", platform=platform,
                             account_id=account.account_id, target=url, secret="s3cret",
                             count=2, text=f"@{account.handle} ¿Cuándo arreglan la vía?")
    assert answer["status"] == 200
    headers, body = received[-1]
    headers = {k.lower(): v for k, v in headers.items()}
    if platform == "x":
        assert verify_x_signature(b"s3cret", body, headers["x-twitter-webhooks-signature"])
        mentions = parse_x_delivery(json.loads(body))
    else:
        assert b"\\u00bf" in body  # non-ASCII escaped as Meta does: raw bytes are signed
        assert verify_meta_signature(b"s3cret", body, headers["x-hub-signature-256"])
        assert not verify_meta_signature(b"other", body, headers["x-hub-signature-256"])
        mentions = parse_meta_delivery(json.loads(body))
    assert {m.external_id for m in mentions} == {i["id"] for i in answer["items"]}
    assert all(m.text.startswith(f"@{account.handle} ¿Cuándo") for m in mentions)

    sandbox.control("POST", "/webhooks/deliver", platform=platform,
                    account_id=account.account_id, target=url, secret="s3cret", forge=True)
    headers, body = received[-1]
    headers = {k.lower(): v for k, v in headers.items()}
    if platform == "x":
        assert not verify_x_signature(b"s3cret", body, headers["x-twitter-webhooks-signature"])
    else:
        assert not verify_meta_signature(b"s3cret", body, headers["x-hub-signature-256"])


def test_run_sandbox_reads_sandbox_url(monkeypatch):
    monkeypatch.setenv("SANDBOX_URL", "http://127.0.0.1:9911")
    assert default_address() == ("127.0.0.1", 9911)


@pytest.mark.django_db
def test_demo_channels_point_at_the_sandbox(sandbox, monkeypatch):
    monkeypatch.setenv("SANDBOX_URL", sandbox.url)
    main = EntityFactory(slug="alcaldia-san-isidro")
    second = EntityFactory(slug="transito-departamental")
    context = {"entities": [main, second], "users": {}, "superuser": None}
    channels = seed_demo(context)
    assert len(channels) == len(DEMO_ACCOUNTS) == 12
    seed_demo(context)  # idempotent
    assert Channel.objects.count() == 12
    channel = Channel.objects.get(entity=main, platform="mastodon")
    assert channel.api_base_url == f"{sandbox.url}/mastodon"
    assert channel.access_token == demo_account("mastodon").token  # decrypted by the field
    sandbox.post("mastodon", channel.account_id, count=2)
    for stored in Channel.objects.filter(entity=main):
        client = get_client(stored)
        assert client.profile().external_id == stored.account_id
    assert len(get_client(channel).fetch_mentions(None).mentions) == 2
