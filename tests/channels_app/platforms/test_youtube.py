"""YouTube client against recorded Data API v3 payloads (respx)."""

import json

import httpx
import pytest
import respx

from channels_app.platforms import PermanentError, RateLimited, client_for

from .conftest import fixture_json

BASE = "https://www.googleapis.com/youtube/v3"


def make():
    return client_for("youtube", token="ya29.tok", account_id="UCsanIsidroDelValle0001a",
                      handle="AlcaldiaSanIsidro")


@respx.mock
def test_threads_until_the_watermark():
    route = respx.get(f"{BASE}/commentThreads").mock(side_effect=[
        httpx.Response(200, json=fixture_json("youtube_threads_page1.json")),
        httpx.Response(200, json=fixture_json("youtube_threads_page2.json")),
    ])
    cursor = json.dumps({"since": 1787140800000, "ids": []})  # 2026-08-19T12:00:00Z
    batch = make().fetch_mentions(cursor)
    assert [m.external_id for m in batch.mentions] == ["UgzAbCdEf123", "UgzAbCdEf123.9xYz"]
    top, reply = batch.mentions
    assert top.text == "Y el agua pa' cuándo?"
    assert top.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzAbCdEf123"
    assert reply.in_reply_to_external_id == "UgzAbCdEf123"
    assert reply.thread_external_id == "UgzAbCdEf123"
    params = route.calls[0].request.url.params
    assert params["allThreadsRelatedToChannelId"] == "UCsanIsidroDelValle0001a"
    assert params["order"] == "time"
    assert route.calls[1].request.url.params["pageToken"] == "QURTSl9p"
    state = json.loads(batch.next_cursor)
    assert state["ids"] == ["UgzAbCdEf123.9xYz"]


@respx.mock
def test_quota_and_disabled_comments():
    respx.get(f"{BASE}/commentThreads").mock(
        return_value=httpx.Response(403, json=fixture_json("youtube_quota.json")))
    respx.post(f"{BASE}/comments").mock(
        return_value=httpx.Response(403, json=fixture_json("youtube_comments_disabled.json")))
    client = make()
    with pytest.raises(RateLimited) as caught:
        client.fetch_mentions(None)
    assert 60 <= caught.value.retry_after <= 86400 + 3600
    with pytest.raises(PermanentError):
        client.reply(in_reply_to="UgzAbCdEf123", text="Hola")
