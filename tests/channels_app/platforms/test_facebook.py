"""Facebook Pages client against recorded Graph API payloads (respx)."""

import json

import httpx
import pytest
import respx

from channels_app.platforms import AuthError, RateLimited, client_for

from .conftest import fixture_json

BASE = "https://graph.facebook.com/v25.0"
PAGE = "104500000000001"


def make():
    client = client_for("facebook", token="page-token", account_id=PAGE,
                        handle="AlcaldiaSanIsidroDelValle")
    client.transport.backoff_base = 0.001
    return client


def mock_feed():
    respx.get(f"{BASE}/{PAGE}/feed").mock(
        return_value=httpx.Response(200, json=fixture_json("facebook_feed.json")))
    respx.get(f"{BASE}/{PAGE}_100000000000020/comments").mock(
        return_value=httpx.Response(200, json=fixture_json("facebook_comments.json")))
    return respx.get(f"{BASE}/{PAGE}_100000000000031/comments").mock(
        return_value=httpx.Response(200, json=fixture_json("facebook_comments_empty.json")))


@respx.mock
def test_visitor_posts_and_comments_with_replies():
    mock_feed()
    batch = make().fetch_mentions(None)
    ids = [m.external_id for m in batch.mentions]
    assert ids == [f"{PAGE}_100000000000031", "100000000000020_987654321098765",
                   "100000000000020_987654321098799"]
    visitor, comment, reply = batch.mentions
    assert visitor.author.name == "Wilson Patiño"
    assert comment.in_reply_to_external_id == f"{PAGE}_100000000000020"
    assert comment.thread_external_id == f"{PAGE}_100000000000020"
    assert reply.in_reply_to_external_id == "100000000000020_987654321098765"
    assert json.loads(batch.next_cursor)["ids"] == ["100000000000020_987654321098799"]


@respx.mock
def test_the_watermark_is_sent_as_since_and_old_items_are_skipped():
    route = mock_feed()
    client = make()
    first = client.fetch_mentions(None)
    again = client.fetch_mentions(first.next_cursor)
    assert again.mentions == [] and again.next_cursor is None
    since = json.loads(first.next_cursor)["since"]
    assert route.calls[-1].request.url.params["since"] == str(since)
    assert route.calls[-1].request.url.params["filter"] == "stream"


@respx.mock
def test_error_codes():
    respx.get(f"{BASE}/{PAGE}").mock(side_effect=[
        httpx.Response(400, json=fixture_json("facebook_error_token.json")),
        httpx.Response(400, json=fixture_json("facebook_error_throttle.json"), headers={
            "X-Business-Use-Case-Usage": json.dumps({PAGE: [{
                "type": "pages", "call_count": 100, "total_cputime": 10, "total_time": 10,
                "estimated_time_to_regain_access": 7}]})}),
        httpx.Response(500, json=fixture_json("facebook_error_transient.json")),
        httpx.Response(200, json=fixture_json("facebook_page.json")),
    ])
    client = make()
    with pytest.raises(AuthError):
        client.profile()
    with pytest.raises(RateLimited) as caught:
        client.profile()
    assert caught.value.retry_after == 7 * 60
    profile = client.profile()  # the transient code-2 error was retried
    assert profile.followers == 21861 and profile.handle == "AlcaldiaSanIsidroDelValle"


@respx.mock
def test_reply_posts_a_comment():
    route = respx.post(f"{BASE}/100000000000020_987654321098765/comments").mock(
        return_value=httpx.Response(200, json={"id": "100000000000020_987654321099000"}))
    published = make().reply(in_reply_to="100000000000020_987654321098765",
                             text="Buenos días, revisamos su caso.")
    assert published.external_id == "100000000000020_987654321099000"
    assert b"message=Buenos" in route.calls[0].request.content
