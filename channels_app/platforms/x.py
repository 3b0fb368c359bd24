"""X API v2: mentions timeline, recent search, replies with POST /2/tweets, /2/users/me.

Cursor: {"since_id": newest id already stored} plus, while a long backlog is being read
in several calls, {"token": next pagination token, "pending": newest id of that backlog}.
X answers newest first, so `since_id` only moves once every page down to it was read.
Both field dialects are parsed (tweet.fields/referenced_tweets and post.fields/
referenced_posts); the request uses the long-standing tweet.fields names.
"""

from __future__ import annotations

from typing import Any

import httpx

from .base import (
    AuthorData,
    FetchResult,
    NormalizedMention,
    PermanentError,
    Profile,
    PublishedReply,
    RateLimited,
)
from .common import (
    BaseClient,
    Deduper,
    as_dict,
    as_list,
    dig,
    dump_cursor,
    int_or_none,
    load_cursor,
    parse_time,
    require_dict,
    text_of,
)
from .transport import retry_after_from

TWEET_FIELDS = ("created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,"
                "public_metrics,lang")
USER_FIELDS = "username,name,created_at,public_metrics,profile_image_url"


def _id_value(value: str) -> int:
    return int(value) if value.isdigit() else -1


def parse_users(payload: Any) -> dict[str, AuthorData]:
    users = {}
    for user in as_list(dig(payload, "includes", "users")):
        user_id = text_of(dig(user, "id"))
        if not user_id:
            continue
        users[user_id] = AuthorData(
            external_id=user_id,
            handle=text_of(dig(user, "username")),
            name=text_of(dig(user, "name")),
            followers=int_or_none(dig(user, "public_metrics", "followers_count")),
            account_created_at=parse_time(dig(user, "created_at")),
            profile_url=(f"https://x.com/{text_of(dig(user, 'username'))}"
                         if text_of(dig(user, "username")) else ""),
        )
    return users


def parse_tweet(tweet: Any, users: dict[str, AuthorData]) -> NormalizedMention | None:
    tweet = as_dict(tweet)
    tweet_id = text_of(tweet.get("id"))
    created = parse_time(tweet.get("created_at"))
    if not tweet_id or created is None:
        return None
    author_id = text_of(tweet.get("author_id"))
    author = users.get(author_id) or AuthorData(external_id=author_id, handle="")
    refs = as_list(tweet.get("referenced_tweets")) or as_list(tweet.get("referenced_posts"))
    in_reply_to = ""
    for ref in refs:
        if text_of(dig(ref, "type")) == "replied_to":
            in_reply_to = text_of(dig(ref, "id"))
    url = f"https://x.com/{author.handle}/status/{tweet_id}" if author.handle else \
        f"https://x.com/i/web/status/{tweet_id}"
    return NormalizedMention(
        platform="x", external_id=tweet_id, author=author, text=text_of(tweet.get("text")),
        created_at=created, url=url, in_reply_to_external_id=in_reply_to,
        thread_external_id=text_of(tweet.get("conversation_id")) or tweet_id, raw=tweet)


def parse_page(payload: Any) -> tuple[list[NormalizedMention], dict]:
    """One X timeline/search page: (mentions, meta)."""
    payload = require_dict(payload, "X page")
    users = parse_users(payload)
    mentions = [m for m in (parse_tweet(t, users) for t in as_list(payload.get("data"))) if m]
    return mentions, as_dict(payload.get("meta"))


class XClient(BaseClient):
    platform = "x"
    official_base_url = "https://api.x.com"
    page_size = 100
    max_post_chars = 280  # weighted; URLs count 23 (not modelled: the limit is a guard)

    def classify_error(self, response: httpx.Response, payload: Any):
        if response.status_code == 402:
            return PermanentError("X credits depleted (402)", status=402)
        if response.status_code == 429:
            return RateLimited("X rate limit exceeded", retry_after=retry_after_from(response),
                               status=429)
        return None

    def _params(self, extra: dict) -> dict:
        return {"tweet.fields": TWEET_FIELDS, "expansions": "author_id",
                "user.fields": USER_FIELDS, **extra}

    def _timeline(self, path: str, base: dict, cursor: str | None,
                  token_param: str) -> FetchResult:
        state = load_cursor(cursor)
        since_id = text_of(state.get("since_id"))
        token = text_of(state.get("token"))
        newest = text_of(state.get("pending"))
        found = Deduper()
        for _page in range(self.max_pages):
            params = dict(base)
            if since_id:
                params["since_id"] = since_id
            if token:
                params[token_param] = token
            mentions, meta = parse_page(self.get(path, self._params(params)))
            for mention in mentions:
                # A misbehaving page may list items at or below since_id: never again.
                if since_id and _id_value(mention.external_id) <= _id_value(since_id):
                    continue
                found.add(mention)
            page_newest = text_of(meta.get("newest_id")) or max(
                (m.external_id for m in mentions), key=_id_value, default="")
            if page_newest and _id_value(page_newest) > _id_value(newest or "0"):
                newest = page_newest
            token = text_of(meta.get("next_token"))
            if not token:
                break
        if token:  # backlog left: keep since_id, continue from the token next time
            next_state = {"since_id": since_id, "token": token, "pending": newest}
        elif newest and _id_value(newest) > _id_value(since_id or "0"):
            next_state = {"since_id": newest}
        else:
            next_state = None
        if next_state is not None and not next_state.get("since_id"):
            next_state.pop("since_id")
        new_cursor = dump_cursor(next_state) if next_state is not None else None
        if new_cursor == cursor:
            new_cursor = None
        return FetchResult(mentions=found.items, next_cursor=new_cursor)

    def fetch_mentions(self, cursor: str | None) -> FetchResult:
        return self._timeline(f"/2/users/{self.account_id}/mentions",
                              {"max_results": self.page_size}, cursor, "pagination_token")

    def search(self, query: str, cursor: str | None) -> FetchResult:
        return self._timeline("/2/tweets/search/recent",
                              {"query": query[:512], "max_results": max(10, self.page_size),
                               "sort_order": "recency"}, cursor, "next_token")

    def _create(self, body: dict) -> PublishedReply:
        self.check_length(body["text"])
        payload, _response = self.transport.request("POST", "/2/tweets", json_body=body)
        reply_id = text_of(dig(payload, "data", "id"))
        if not reply_id:
            raise PermanentError("X answered without the new post id")
        url = f"https://x.com/{self.handle}/status/{reply_id}" if self.handle else ""
        return PublishedReply(external_id=reply_id, url=url)

    def reply(self, *, in_reply_to: NormalizedMention | str, text: str,
              idempotency_key: str = "") -> PublishedReply:
        target = in_reply_to if isinstance(in_reply_to, str) else in_reply_to.external_id
        return self._create({"text": text, "reply": {"in_reply_to_tweet_id": target}})

    def publish(self, *, text: str, idempotency_key: str = "", media=()) -> PublishedReply:
        if media:
            raise PermanentError("X media upload is not supported: publish text only")
        return self._create({"text": text})

    def profile(self) -> Profile:
        payload = require_dict(self.get("/2/users/me", {"user.fields": USER_FIELDS}), "X user")
        user = as_dict(payload.get("data"))
        user_id = text_of(user.get("id"))
        if not user_id:
            raise PermanentError("X answered without the user id")
        handle = text_of(user.get("username"))
        return Profile(
            external_id=user_id, handle=handle, name=text_of(user.get("name")),
            followers=int_or_none(dig(user, "public_metrics", "followers_count")),
            url=f"https://x.com/{handle}" if handle else "",
            bio=text_of(user.get("description")),
            avatar_url=text_of(user.get("profile_image_url")))
