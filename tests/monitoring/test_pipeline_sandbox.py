"""The poller against the sandbox networks over real HTTP, with faults switched on.

Whatever the network does (429 with a reset, 500, malformed JSON, empty pages that point on,
items repeated inside and across pages), the pipeline must not crash, lose or duplicate a
mention, and the cursor must end where the network's newest item is.
"""

import threading

import httpx
import pytest

from monitoring import services
from monitoring.models import Case, Mention, PollState
from monitoring.selectors import cases_for_inbox

from .factories import ChannelFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "x": ("1500000000000000001", "AlcSanIsidro", "sandbox-x-alcaldia", "/x"),
    "mastodon": ("109000000000000101", "alcaldia_sanisidro", "sandbox-mastodon-alcaldia",
                 "/mastodon"),
    "bluesky": ("did:plc:alcsanisidro0000000000a", "alcaldiasanisidro.bsky.social",
                "sbx1-alca-ldia-0001", "/bluesky"),
    "youtube": ("UCsanIsidroDelValle0001a", "AlcaldiaSanIsidro", "sandbox-youtube-alcaldia",
                "/youtube"),
}


@pytest.fixture
def sandbox():
    """A fresh sandbox per test (clients cache sessions per base URL, so a new port)."""
    from channels_app.sandbox.app import make_sandbox_server

    server, app = make_sandbox_server("127.0.0.1", 0, rate_per_minute=0.0, history=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def make_channel(entity, sandbox, platform):
    account_id, handle, token, prefix = ACCOUNTS[platform]
    channel = ChannelFactory(entity=entity, platform=platform, handle=handle,
                             account_id=account_id, api_base_url=sandbox + prefix,
                             access_token=token)
    return channel, services.poll_state_for(channel=channel)


def post(sandbox, platform, count, **extra):
    account_id = ACCOUNTS[platform][0]
    answer = httpx.post(f"{sandbox}/_sandbox/posts", json={
        "platform": platform, "account_id": account_id, "count": count, **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["items"]


def fault(sandbox, kind, platform, count=1, **params):
    answer = httpx.post(f"{sandbox}/_sandbox/faults", json={
        "kind": kind, "platform": platform, "count": count, **params})
    assert answer.status_code == 200, answer.text


def truth(sandbox, platform):
    return {i["id"] for i in httpx.get(f"{sandbox}/_sandbox/ground-truth", params={
        "platform": platform, "account_id": ACCOUNTS[platform][0]}).json()["items"]}


def poll_until_quiet(state, rounds=12):
    """Poll as beat would, ignoring pauses (time is not what we test here)."""
    outcomes = []
    for _ in range(rounds):
        PollState.objects.filter(pk=state.pk).update(not_before=None)
        outcomes.append(services.poll_source(poll_state_id=state.pk).status)
    return outcomes


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky", "youtube"])
def test_faults_lose_and_duplicate_nothing(entity, sandbox, platform, pinned_classifier):
    channel, state = make_channel(entity, sandbox, platform)
    post(sandbox, platform, 30)
    fault(sandbox, "rate_limit", platform, reset_in=120)
    fault(sandbox, "error_500", platform, count=5)
    fault(sandbox, "malformed", platform)
    fault(sandbox, "repeat", platform, count=3)
    fault(sandbox, "truncated", platform)
    outcomes = poll_until_quiet(state)
    assert "rate_limited" in outcomes and "ok" in outcomes
    post(sandbox, platform, 7)  # new posts after the faults
    fault(sandbox, "repeat", platform, count=2)
    poll_until_quiet(state, rounds=4)
    expected = truth(sandbox, platform)
    stored = list(Mention.objects.filter(entity=entity, platform=platform)
                  .values_list("external_id", flat=True))
    assert len(stored) == len(set(stored))  # no duplicate
    assert set(stored) == expected  # nothing lost
    state.refresh_from_db()
    assert state.cursor and state.last_success_at and state.lease_until is None
    # A further poll finds nothing new: the cursor is right.
    before = Mention.objects.count()
    poll_until_quiet(state, rounds=1)
    assert Mention.objects.count() == before


def test_rate_limit_reset_is_honoured(entity, sandbox, pinned_classifier):
    channel, state = make_channel(entity, sandbox, "x")
    post(sandbox, "x", 3)
    fault(sandbox, "rate_limit", "x", reset_in=600)
    assert services.poll_source(poll_state_id=state.pk).status == "rate_limited"
    state.refresh_from_db()
    wait = (state.not_before - state.last_attempt_at).total_seconds()
    assert 500 <= wait <= 700
    requests_before = len(httpx.get(f"{sandbox}/_sandbox/requests").json()["requests"])
    assert services.poll_source(poll_state_id=state.pk).status == "skipped"
    requests_after = len(httpx.get(f"{sandbox}/_sandbox/requests").json()["requests"])
    assert requests_after == requests_before  # no call while waiting for the reset


def test_revoked_token_marks_channel_for_reconnection(entity, sandbox, pinned_classifier):
    channel, state = make_channel(entity, sandbox, "mastodon")
    fault(sandbox, "auth", "mastodon")
    assert services.poll_source(poll_state_id=state.pk).status == "auth_error"
    channel.refresh_from_db()
    assert channel.status == "needs_reconnection"


def test_citizen_complaints_reach_the_queue(entity, sandbox, pinned_classifier,
                                           django_capture_on_commit_callbacks):
    channel, state = make_channel(entity, sandbox, "x")
    post(sandbox, "x", 1, text="QUEJA el alumbrado de la calle 8 lleva un mes apagado",
         author="vecina_calle8")
    post(sandbox, "x", 1, text="PREGUNTA ¿hasta cuándo hay descuento en el predial?",
         author="don_jorge")
    # The poll's commit enqueues the triage (run inline here: eager Celery).
    with django_capture_on_commit_callbacks(execute=True):
        assert services.poll_source(poll_state_id=state.pk).status == "ok"
    cases = list(cases_for_inbox(entity))
    assert {c.category for c in cases} == {"complaint", "question"}
    assert all(c.first_response_due and c.channel == channel for c in cases)


def test_case_count_matches_queued_mentions(entity, sandbox, pinned_classifier,
                                            django_capture_on_commit_callbacks):
    channel, state = make_channel(entity, sandbox, "bluesky")
    post(sandbox, "bluesky", 5, text="QUEJA sin agua otra vez")
    with django_capture_on_commit_callbacks(execute=True):
        poll_until_quiet(state, rounds=2)
    queued = Mention.objects.filter(entity=entity, label="complaint")
    assert queued.count() == 5 and not queued.filter(case__isnull=True).exists()
    assert Case.objects.filter(entity=entity).count() <= 5
