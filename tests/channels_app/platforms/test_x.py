"""X client against recorded X API v2 payloads (respx)."""

import json
import time

import httpx
import pytest
import respx

from channels_app.platforms import AuthError, PermanentError, RateLimited, client_for

from .conftest import fixture_json

BASE = "https://api.x.com"


def make():
    client = client_for("x", token="t0ken", account_id="1500000000000000001",
                        handle="AlcSanIsidro")
    client.transport.backoff_base = 0.001
    return client


@respx.mock
def test_mentions_follow_next_token_and_dedupe():
    route = respx.get(f"{BASE}/2/users/1500000000000000001/mentions").mock(side_effect=[
        httpx.Response(200, json=fixture_json("x_mentions_page1.json")),
        httpx.Response(200, json=fixture_json("x_mentions_page2.json")),
    ])
    batch = make().fetch_mentions(json.dumps({"since_id": "1889999999999999999"}))
    assert [m.external_id for m in batch.mentions] == [
        "1890123456789012399", "1890123456789012345", "1890000000000000100"]
    first, second = route.calls
    assert first.request.headers["authorization"] == "Bearer t0ken"
    assert first.request.url.params["since_id"] == "1889999999999999999"
    assert "pagination_token" not in first.request.url.params
    assert second.request.url.params["pagination_token"] == "7140dibdnow9c7btw4b0jjoqn3oo0"
    assert "author_id" in first.request.url.params["tweet.fields"]
    assert json.loads(batch.next_cursor) == {"since_id": "1890123456789012399"}

    complaint = batch.mentions[0]
    assert complaint.author.handle == "luzdary_ospina"
    assert complaint.author.followers == 312
    assert complaint.author.account_created_at.year == 2014
    assert complaint.url == "https://x.com/luzdary_ospina/status/1890123456789012399"
    assert "😡" in complaint.text
    question = batch.mentions[1]
    assert question.in_reply_to_external_id == "1890120000000000000"
    assert question.thread_external_id == "1890120000000000000"


@respx.mock
def test_post_fields_dialect_is_parsed():
    respx.get(f"{BASE}/2/tweets/search/recent").mock(
        return_value=httpx.Response(200, json=fixture_json("x_search_posts_dialect.json")))
    [mention] = make().search("@AlcSanIsidro agua", None).mentions
    assert mention.in_reply_to_external_id == "1890123456789019000"
    assert mention.author.handle == "vecina_sanisidro"


@respx.mock
def test_empty_answer_keeps_the_cursor():
    respx.get(f"{BASE}/2/users/1500000000000000001/mentions").mock(
        return_value=httpx.Response(200, json=fixture_json("x_empty.json")))
    cursor = json.dumps({"since_id": "1890000000000000000"})
    batch = make().fetch_mentions(cursor)
    assert batch.mentions == [] and batch.next_cursor is None


@respx.mock
def test_429_uses_the_reset_header():
    reset = int(time.time()) + 120
    route = respx.get(f"{BASE}/2/users/1500000000000000001/mentions").mock(
        return_value=httpx.Response(429, json=fixture_json("x_rate_limited.json"),
                                    headers={"x-rate-limit-reset": str(reset)}))
    with pytest.raises(RateLimited) as caught:
        make().fetch_mentions(None)
    assert caught.value.retry_after == pytest.approx(120, abs=3)
    assert route.call_count == 1


@respx.mock
def test_402_credits_depleted_is_permanent_and_401_is_auth():
    respx.get(f"{BASE}/2/users/me").mock(side_effect=[
        httpx.Response(402, json=fixture_json("x_credits_depleted.json")),
        httpx.Response(401, json={"title": "Unauthorized", "status": 401}),
    ])
    with pytest.raises(PermanentError):
        make().profile()
    with pytest.raises(AuthError):
        make().profile()


@respx.mock
def test_reply_and_profile():
    post = respx.post(f"{BASE}/2/tweets").mock(return_value=httpx.Response(
        201, json={"data": {"id": "1890200000000000000", "text": "Hola",
                            "edit_history_tweet_ids": ["1890200000000000000"]}}))
    respx.get(f"{BASE}/2/users/me").mock(
        return_value=httpx.Response(200, json=fixture_json("x_users_me.json")))
    client = make()
    published = client.reply(in_reply_to="1890123456789012399", text="Hola")
    assert published.external_id == "1890200000000000000"
    assert json.loads(post.calls[0].request.content) == {
        "text": "Hola", "reply": {"in_reply_to_tweet_id": "1890123456789012399"}}
    profile = client.profile()
    assert (profile.handle, profile.followers) == ("AlcSanIsidro", 5502)
