"""Hypothesis: every parser, fed arbitrary JSON-ish input, raises only PlatformError."""

import json

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels_app.platforms import (
    PlatformError,
    bluesky,
    client_for,
    facebook,
    instagram,
    mastodon,
    webhooks,
    x,
    youtube,
)
from channels_app.platforms.bluesky import forget_sessions

KEYS = st.sampled_from([
    "data", "includes", "users", "meta", "id", "text", "created_at", "author_id", "next_token",
    "newest_id", "referenced_tweets", "type", "username", "public_metrics", "followers_count",
    "message", "from", "name", "created_time", "parent", "paging", "cursors", "after", "next",
    "items", "snippet", "topLevelComment", "replies", "comments", "publishedAt", "textOriginal",
    "textDisplay", "authorChannelId", "value", "nextPageToken", "totalReplyCount", "status",
    "account", "acct", "content", "in_reply_to_id", "notifications", "uri", "cid", "record",
    "author", "did", "handle", "indexedAt", "reply", "root", "cursor", "posts", "object",
    "entry", "changes", "field", "verb", "item", "post_id", "comment_id", "parent_id",
    "tweet_create_events", "for_user_id", "user", "id_str", "timestamp", "media", "error",
    "code", "errors", "reason"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=True), st.text(max_size=30),
                    st.sampled_from(["2026-08-20T14:03:11.000Z", "2026-08-20T14:03:11+0000",
                                     "Thu Aug 20 14:03:11 +0000 2026", "mention", "comment",
                                     "add", "page", "instagram", "feed", "replied_to", "123",
                                     "at://did:plc:x/app.bsky.feed.post/3abc"]))
JSONISH = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=6)),
    max_leaves=30)

PARSERS = [
    x.parse_page, facebook.parse_post, lambda p: facebook.parse_comment(p, "1_2"),
    lambda p: instagram.parse_comments_page(p, {"id": "1"}), instagram.parse_media,
    youtube.parse_threads_page, youtube.reply_counts, mastodon.parse_notifications,
    mastodon.parse_status, bluesky.parse_item, webhooks.parse_meta_delivery,
    webhooks.parse_meta_mention_refs, webhooks.parse_x_delivery,
]


@pytest.mark.parametrize("parser", PARSERS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=JSONISH)
def test_parsers_never_raise_anything_but_platform_errors(parser, payload):
    try:
        parser(payload)
    except PlatformError:
        pass


CLIENT_ROUTES = {
    "x": "https://api.x.com/2/users/1/mentions",
    "facebook": "https://graph.facebook.com/v25.0/1/feed",
    "youtube": "https://www.googleapis.com/youtube/v3/commentThreads",
    "mastodon": "https://mastodon.social/api/v1/notifications",
}


@pytest.mark.parametrize("platform", sorted(CLIENT_ROUTES))
@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(payload=JSONISH, cursor=st.one_of(st.none(), st.text(max_size=20),
                                          JSONISH.map(json.dumps)))
def test_fetch_on_arbitrary_answers_and_cursors(platform, payload, cursor):
    forget_sessions()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(url__startswith=CLIENT_ROUTES[platform].rsplit("/", 1)[0]).mock(
            return_value=httpx.Response(200, content=json.dumps(payload).encode(),
                                        headers={"Content-Type": "application/json"}))
        client = client_for(platform, token="t", account_id="1", handle="h")
        client.max_pages = 3
        try:
            result = client.fetch_mentions(cursor)
        except PlatformError:
            return
        assert isinstance(result.mentions, list)
        assert result.next_cursor is None or isinstance(result.next_cursor, str)
