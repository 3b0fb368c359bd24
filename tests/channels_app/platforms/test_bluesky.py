"""Bluesky client against recorded XRPC payloads (respx)."""

import json

import httpx
import pytest
import respx

from channels_app.platforms import AuthError, client_for
from channels_app.platforms.bluesky import forget_sessions

from .conftest import fixture_json

BASE = "https://bsky.social"


def make():
    forget_sessions()
    return client_for("bluesky", token="abcd-efgh-ijkl-mnop",
                      account_id="did:plc:alcsanisidro0000000000a",
                      handle="alcaldiasanisidro.bsky.social")


@respx.mock
def test_session_notifications_and_reply_refs():
    login = respx.post(f"{BASE}/xrpc/com.atproto.server.createSession").mock(
        return_value=httpx.Response(200, json=fixture_json("bluesky_session.json")))
    listing = respx.get(f"{BASE}/xrpc/app.bsky.notification.listNotifications").mock(
        side_effect=[httpx.Response(200, json=fixture_json("bluesky_notifications.json")),
                     httpx.Response(200, json={"notifications": []})])
    create = respx.post(f"{BASE}/xrpc/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json={
            "uri": "at://did:plc:alcsanisidro0000000000a/app.bsky.feed.post/3lzzz",
            "cid": "bafyreinew", "commit": {"cid": "bafyreic", "rev": "3lzzz"},
            "validationStatus": "valid"}))
    client = make()
    [mention] = client.fetch_mentions(None).mentions
    assert json.loads(login.calls[0].request.content) == {
        "identifier": "alcaldiasanisidro.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
    assert listing.calls[1].request.url.params["cursor"] == "2026-08-20T14:03:12.001Z"
    assert listing.calls[0].request.url.params.get_list("reasons") == ["mention", "reply",
                                                                       "quote"]
    assert mention.url == "https://bsky.app/profile/juana.bsky.social/post/3lxyzabcd2k2a"
    assert mention.thread_external_id.endswith("/3lxyz0000aa2a")
    client.reply(in_reply_to=mention, text="Hola Juana, ya lo reportamos.")
    body = json.loads(create.calls[0].request.content)
    assert body["repo"] == "did:plc:alcsanisidro0000000000a"
    assert body["record"]["reply"]["parent"] == {
        "uri": mention.external_id, "cid": mention.raw["cid"]}
    assert body["record"]["reply"]["root"]["cid"] == "bafyreiroot"
    assert login.call_count == 1  # the session is reused


@respx.mock
def test_expired_token_is_refreshed_once():
    respx.post(f"{BASE}/xrpc/com.atproto.server.createSession").mock(
        return_value=httpx.Response(200, json=fixture_json("bluesky_session.json")))
    refresh = respx.post(f"{BASE}/xrpc/com.atproto.server.refreshSession").mock(
        return_value=httpx.Response(200, json={**fixture_json("bluesky_session.json"),
                                               "accessJwt": "fresh"}))
    listing = respx.get(f"{BASE}/xrpc/app.bsky.notification.listNotifications").mock(
        side_effect=[httpx.Response(400, json=fixture_json("bluesky_expired.json")),
                     httpx.Response(200, json=fixture_json("bluesky_notifications.json")),
                     httpx.Response(200, json={"notifications": []})])
    assert len(make().fetch_mentions(None).mentions) == 1
    assert refresh.call_count == 1
    assert listing.calls[1].request.headers["authorization"] == "Bearer fresh"


@respx.mock
def test_invalid_token_and_refused_refresh_log_in_again_once():
    """InvalidToken on a call, ExpiredToken on the refresh: a new session from the app
    password, and the call sent again with it."""
    login = respx.post(f"{BASE}/xrpc/com.atproto.server.createSession").mock(side_effect=[
        httpx.Response(200, json=fixture_json("bluesky_session.json")),
        httpx.Response(200, json={**fixture_json("bluesky_session.json"),
                                  "accessJwt": "second"})])
    refresh = respx.post(f"{BASE}/xrpc/com.atproto.server.refreshSession").mock(
        return_value=httpx.Response(400, json=fixture_json("bluesky_expired.json")))
    listing = respx.get(f"{BASE}/xrpc/app.bsky.notification.listNotifications").mock(
        side_effect=[httpx.Response(200, json={"notifications": []}),
                     httpx.Response(400, json={"error": "InvalidToken",
                                               "message": "Token could not be verified"}),
                     httpx.Response(200, json=fixture_json("bluesky_notifications.json")),
                     httpx.Response(200, json={"notifications": []})])
    client = make()
    client.fetch_mentions(None)
    assert len(client.fetch_mentions(None).mentions) == 1
    assert (login.call_count, refresh.call_count) == (2, 1)
    assert listing.calls[2].request.headers["authorization"] == "Bearer second"
    assert "authorization" not in login.calls[1].request.headers


@respx.mock
def test_takedown_is_an_auth_error_without_a_new_login():
    login = respx.post(f"{BASE}/xrpc/com.atproto.server.createSession").mock(
        return_value=httpx.Response(200, json=fixture_json("bluesky_session.json")))
    respx.get(f"{BASE}/xrpc/app.bsky.notification.listNotifications").mock(
        return_value=httpx.Response(400, json={"error": "AccountTakedown",
                                               "message": "Account has been taken down"}))
    with pytest.raises(AuthError):
        make().fetch_mentions(None)
    assert login.call_count == 1


@respx.mock
def test_a_new_client_sends_the_process_session_without_refreshing_it():
    """Each poll builds a new client; the session the process already holds must go on its
    first request (not a 401 first, which would spend a refresh JWT shared by the process)."""
    login = respx.post(f"{BASE}/xrpc/com.atproto.server.createSession").mock(
        return_value=httpx.Response(200, json=fixture_json("bluesky_session.json")))
    refresh = respx.post(f"{BASE}/xrpc/com.atproto.server.refreshSession").mock(
        return_value=httpx.Response(500))
    listing = respx.get(f"{BASE}/xrpc/app.bsky.notification.listNotifications").mock(
        return_value=httpx.Response(200, json={"notifications": []}))
    make().fetch_mentions(None)
    second = client_for("bluesky", token="abcd-efgh-ijkl-mnop",
                        account_id="did:plc:alcsanisidro0000000000a",
                        handle="alcaldiasanisidro.bsky.social")
    second.fetch_mentions(None)
    access = fixture_json("bluesky_session.json")["accessJwt"]
    assert [c.request.headers.get("authorization") for c in listing.calls] == [
        f"Bearer {access}", f"Bearer {access}"]
    assert login.call_count == 1
    assert refresh.call_count == 0
