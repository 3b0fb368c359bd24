"""Instagram client against recorded Graph API payloads (respx)."""

import httpx
import respx

from channels_app.platforms import client_for

from .conftest import fixture_json

BASE = "https://graph.facebook.com/v25.0"
IG = "17841400000000101"


def make():
    return client_for("instagram", token="tok", account_id=IG, handle="alcaldiasanisidro")


@respx.mock
def test_comments_and_nested_replies():
    respx.get(f"{BASE}/{IG}/media").mock(
        return_value=httpx.Response(200, json=fixture_json("instagram_media.json")))
    comments = respx.get(f"{BASE}/17918195224117851/comments").mock(
        return_value=httpx.Response(200, json=fixture_json("instagram_comments.json")))
    batch = make().fetch_mentions(None)
    top, reply = batch.mentions
    assert top.external_id == "17870913679156914"
    assert top.author.handle == "nubia_becerra"
    assert top.url == "https://www.instagram.com/p/Cx1/"
    assert top.thread_external_id == "17918195224117851"
    assert reply.in_reply_to_external_id == "17870913679156914"
    assert "replies{" in comments.calls[0].request.url.params["fields"]
    again = make().fetch_mentions(batch.next_cursor)
    assert again.mentions == [] and again.next_cursor is None


@respx.mock
def test_reply_to_a_reply_lands_on_the_top_level_comment():
    respx.get(f"{BASE}/{IG}/media").mock(
        return_value=httpx.Response(200, json=fixture_json("instagram_media.json")))
    respx.get(f"{BASE}/17918195224117851/comments").mock(
        return_value=httpx.Response(200, json=fixture_json("instagram_comments.json")))
    route = respx.post(f"{BASE}/17870913679156914/replies").mock(
        return_value=httpx.Response(200, json={"id": "17870913679157000"}))
    client = make()
    reply = client.fetch_mentions(None).mentions[1]
    assert client.reply(in_reply_to=reply, text="Hasta las 4 p. m.").external_id == \
        "17870913679157000"
    assert route.calls[0].request.url.params["message"] == "Hasta las 4 p. m."


@respx.mock
def test_profile():
    respx.get(f"{BASE}/{IG}").mock(
        return_value=httpx.Response(200, json=fixture_json("instagram_user.json")))
    profile = make().profile()
    assert profile.followers == 20227 and profile.handle == "alcaldiasanisidro"
