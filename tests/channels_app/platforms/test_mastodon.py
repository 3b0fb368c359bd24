"""Mastodon client against recorded API payloads (respx)."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from channels_app.platforms import AuthError, RateLimited, client_for

from .conftest import fixture_json

BASE = "https://sanisidro.social"


def make():
    return client_for("mastodon", base_url=BASE, token="tok", account_id="14715",
                      handle="alcaldia")


@respx.mock
def test_notifications_min_id_and_html_to_text():
    route = respx.get(f"{BASE}/api/v1/notifications").mock(return_value=httpx.Response(
        200, json=fixture_json("mastodon_notifications.json"), headers={
            "Link": f'<{BASE}/api/v1/notifications?max_id=34975860>; rel="next", '
                    f'<{BASE}/api/v1/notifications?min_id=34975861>; rel="prev"'}))
    batch = make().fetch_mentions('{"min_id": "34975000"}')
    [mention] = batch.mentions  # the favourite is not a mention
    assert mention.text == "@alcaldia no hay luz en el barrio & nadie responde"
    assert mention.author.handle == "jane@other.example"
    assert mention.in_reply_to_external_id == "112999999999999999"
    assert mention.url == "https://other.example/@jane/113000000000000001"
    params = route.calls[0].request.url.params
    assert params.get_list("types[]") == ["mention"] and params["min_id"] == "34975000"
    assert batch.next_cursor == '{"min_id":"34975861"}'


@respx.mock
def test_iso_reset_header_and_invalid_token():
    reset = (datetime.now(tz=UTC) + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    respx.get(f"{BASE}/api/v1/notifications").mock(side_effect=[
        httpx.Response(429, json={"error": "Too many requests"},
                       headers={"X-RateLimit-Reset": reset}),
        httpx.Response(401, json=fixture_json("mastodon_error_token.json")),
    ])
    with pytest.raises(RateLimited) as caught:
        make().fetch_mentions(None)
    assert caught.value.retry_after == pytest.approx(90, abs=3)
    with pytest.raises(AuthError):
        make().fetch_mentions(None)
