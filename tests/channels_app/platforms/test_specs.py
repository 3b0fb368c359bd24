"""The sandbox cannot drift from the real APIs, nor the clients from what the APIs accept:
every request a client sends to the sandbox and every answer it gets are validated against
the network's published description (see specs.py)."""

import json
import re
from urllib.parse import parse_qs

import httpx
import pytest

from . import specs
from .conftest import demo_account


def exchanges_for(sandbox, platform):
    """Run a client through fetch (paged), search, reply and profile; return the traffic."""
    traffic = []

    def keep(response):
        response.read()
        traffic.append(response)

    account = demo_account(platform)
    root = sandbox.post(platform, account.account_id, count=1, label="complaint")[0]
    sandbox.post(platform, account.account_id, count=6, in_reply_to=root["id"],
                 text=f"@{account.handle} x2, hueco en mi cuadra también")
    sandbox.post(platform, account.account_id, count=9)
    with httpx.Client(event_hooks={"response": [keep]}, timeout=10) as http:
        client = sandbox.client(platform, http_client=http)
        for name in ("page_size", "comments_per_page"):
            if hasattr(client, name):
                setattr(client, name, 5)
        mentions = client.fetch_mentions(None).mentions
        client.search("hueco" if platform != "instagram" else "#hueco", None)
        client.reply(in_reply_to=mentions[0], text="Buenos días, ya radicamos su solicitud. 🙏")
        client.profile()
    assert traffic
    return traffic


def query_of(response) -> dict[str, list[str]]:
    return parse_qs(response.request.url.query.decode(), keep_blank_values=True)


def body_of(response):
    content = response.request.content
    if not content:
        return None
    if response.request.headers.get("content-type", "").startswith("application/json"):
        return json.loads(content)
    return {k: v[-1] for k, v in parse_qs(content.decode()).items()}


def path_of(response, prefix):
    return response.request.url.path.split(prefix, 1)[1]


def test_x_traffic_matches_the_openapi_spec(sandbox):
    api = specs.OpenAPI("x/latest-openapi.json")
    routes = [(r"/2/users/[0-9]+/mentions", "/2/users/{id}/mentions"),
              (r"/2/tweets/search/recent", "/2/tweets/search/recent"),
              (r"/2/tweets", "/2/tweets"), (r"/2/users/me", "/2/users/me")]
    seen = set()
    for response in exchanges_for(sandbox, "x"):
        path = path_of(response, "/x")
        method = response.request.method.lower()
        template = next(t for pattern, t in routes if re.fullmatch(pattern, path))
        seen.add(template)
        assert api.request_errors(template, method, query_of(response),
                                  body_of(response)) == []
        assert api.response_errors(template, method, response.status_code,
                                   response.json()) == []
    assert seen == {t for _p, t in routes}


def test_x_sandbox_speaks_the_post_fields_dialect_too(sandbox):
    account = demo_account("x")
    sandbox.post("x", account.account_id, count=3)
    sandbox.post("x", account.account_id, count=1, in_reply_to=sandbox.post(
        "x", account.account_id)[0]["id"], text="@AlcSanIsidro ¿y?")
    # 2.167 has no author_id nor referenced_posts among post.fields: request what it lists.
    params = {"post.fields": "created_at,conversation_id,public_metrics,lang",
              "expansions": "author_id", "user.fields": "username,name", "max_results": "5"}
    api = specs.OpenAPI("x/openapi.json")
    assert api.request_errors("/2/users/{id}/mentions", "get",
                              {k: [v] for k, v in params.items()}) == []
    answer = httpx.get(f"{sandbox.url}/x/2/users/{account.account_id}/mentions", params=params,
                       headers={"Authorization": f"Bearer {account.token}"}).json()
    assert api.response_errors("/2/users/{id}/mentions", "get", 200, answer) == []
    assert all("edit_history_post_ids" in post for post in answer["data"])
    assert all("repost_count" in post["public_metrics"] for post in answer["data"])


def test_x_spec_catches_a_drifting_field():
    api = specs.OpenAPI("x/latest-openapi.json")
    bad = {"data": [{"id": "12", "text": "hola", "author_id": "not-a-number"}],
           "meta": {"result_count": "1"}}
    assert len(api.response_errors("/2/users/{id}/mentions", "get", 200, bad)) >= 2


def test_mastodon_traffic_matches_the_openapi_spec(sandbox):
    api = specs.OpenAPI("mastodon/schema.json")
    routes = {"/api/v1/notifications": "get", "/api/v2/search": "get",
              "/api/v1/statuses": "post", "/api/v1/accounts/verify_credentials": "get"}
    seen = set()
    for response in exchanges_for(sandbox, "mastodon"):
        path = path_of(response, "/mastodon")
        method = response.request.method.lower()
        assert routes[path] == method
        seen.add(path)
        assert api.request_errors(path, method, query_of(response), body_of(response)) == []
        assert api.response_errors(path, method, response.status_code, response.json()) == []
    assert seen == set(routes)


def test_youtube_traffic_matches_the_discovery_document(sandbox):
    routes = {("GET", "/commentThreads"): ("commentThreads", "list",
                                          "CommentThreadListResponse"),
              ("GET", "/comments"): ("comments", "list", "CommentListResponse"),
              ("POST", "/comments"): ("comments", "insert", "Comment"),
              ("GET", "/channels"): ("channels", "list", "ChannelListResponse")}
    seen = set()
    for response in exchanges_for(sandbox, "youtube"):
        key = (response.request.method, path_of(response, "/youtube"))
        resource, method, schema = routes[key]
        seen.add(key)
        assert specs.youtube_request_errors(resource, method, query_of(response)) == []
        if key == ("POST", "/comments"):
            assert specs.youtube_response_errors("Comment", body_of(response)) == []
        assert specs.youtube_response_errors(schema, response.json()) == []
    assert seen == set(routes)


def test_youtube_validator_rejects_invented_fields():
    thread = {"kind": "youtube#commentThread", "id": "x", "snippet": {"invented": 1}}
    assert specs.youtube_response_errors("CommentThread", thread)


def test_bluesky_traffic_matches_the_lexicons(sandbox):
    seen = set()
    for response in exchanges_for(sandbox, "bluesky"):
        nsid = path_of(response, "/bluesky/xrpc/")
        seen.add(nsid)
        query = query_of(response)
        if query:
            assert specs.bluesky_errors(nsid, "params", specs.bluesky_params(nsid, query)) == []
        body = body_of(response)
        if body is not None:
            assert specs.bluesky_errors(nsid, "input", body) == []
            if nsid == "com.atproto.repo.createRecord":
                assert specs.bluesky_errors("app.bsky.feed.post", "main", body["record"]) == []
        assert specs.bluesky_errors(nsid, "output", response.json()) == []
        for notification in response.json().get("notifications", []):
            assert specs.bluesky_errors("app.bsky.feed.post", "main",
                                        notification["record"]) == []
    assert seen == {"com.atproto.server.createSession",
                    "app.bsky.notification.listNotifications", "app.bsky.feed.searchPosts",
                    "com.atproto.repo.createRecord", "app.bsky.actor.getProfile"}


def test_bluesky_lexicon_rejects_a_bad_notification():
    bad = {"notifications": [{"uri": "not-an-at-uri", "reason": "mention"}]}
    assert specs.bluesky_errors("app.bsky.notification.listNotifications", "output", bad)


GRAPH_ROUTES = [
    # (platform, method, path pattern, node for params, edge, node of returned objects)
    ("facebook", "GET", r"/v25\.0/\d+/feed", "Page", "feed", "PagePost"),
    ("facebook", "GET", r"/v25\.0/\d+_\d+/comments", "PagePost", "comments", "Comment"),
    ("facebook", "POST", r"/v25\.0/\d+_\d+/comments", "Comment", "comments", None),
    ("facebook", "GET", r"/v25\.0/\d+", "Page", "#get", "Page"),
    ("instagram", "GET", r"/v25\.0/\d+/media", "IGUser", "media", "IGMedia"),
    ("instagram", "GET", r"/v25\.0/\d+/comments", "IGMedia", "comments", "IGComment"),
    ("instagram", "POST", r"/v25\.0/\d+/replies", "IGComment", "replies", None),
    ("instagram", "GET", r"/v25\.0/ig_hashtag_search", None, None, None),
    ("instagram", "GET", r"/v25\.0/\d+/recent_media", None, None, "IGMedia"),
    ("instagram", "GET", r"/v25\.0/\d+", "IGUser", "#get", "IGUser"),
]


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_graph_traffic_matches_the_meta_sdk_specs(sandbox, platform):
    seen = set()
    for response in exchanges_for(sandbox, platform):
        path = path_of(response, f"/{platform}")
        method = response.request.method
        route = next(r for r in GRAPH_ROUTES if r[0] == platform and r[1] == method and
                     re.fullmatch(r[2], path))
        seen.add((method, route[2]))
        _p, _m, _pattern, node, edge, returned = route
        params = {**{k: v[-1] for k, v in query_of(response).items()},
                  **(body_of(response) or {})}
        if node:
            assert specs.meta_param_errors(node, method, edge, params) == []
        payload = response.json()
        objects = payload.get("data", [payload]) if returned else []
        for obj in objects:
            assert specs.meta_field_errors(returned, obj) == []
            for reply in obj.get("replies", {}).get("data", []):
                assert specs.meta_field_errors("IGComment", reply) == []
    assert len(seen) >= 4


def test_instagram_mention_lookup_matches_the_meta_sdk_specs(sandbox):
    traffic = []

    def keep(response):
        response.read()
        traffic.append(response)

    elsewhere = demo_account("instagram", "transito")
    [comment] = sandbox.post("instagram", elsewhere.account_id, text="@alcaldiasanisidro hola")
    media = sandbox.world.get("instagram", comment["id"]).container_id
    with httpx.Client(event_hooks={"response": [keep]}) as http:
        client = sandbox.client("instagram", http_client=http)
        client.fetch_mention(media_id=media, comment_id=comment["id"])
        client.fetch_mention(media_id=media)
    for response in traffic:
        payload = response.json()
        assert specs.meta_field_errors("IGUser", payload) == []
        if "mentioned_comment" in payload:
            assert specs.meta_field_errors("IGComment", payload["mentioned_comment"]) == []
        else:
            assert specs.meta_field_errors("IGMedia", payload["mentioned_media"]) == []
