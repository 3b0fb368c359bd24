"""Facebook Pages (Graph API): visitor posts and comments on the Page's recent posts.

Fetch: the Page feed of the last `lookback_days` (posts by others are mentions too), then
each post's comments with `filter=stream` (replies included, flat) and `since=<watermark>`.
Cursor: {"since": unix seconds of the newest item stored, "ids": ids at that second} so a
comment written in the same second as the watermark is neither lost nor repeated.
Paging follows `paging.cursors.after` only while `paging.next` is present (the absolute
`next` URL is not followed, so the token never goes to another host).
Search: the Graph API has no keyword search of Page content; `search` reads the same
feed and comments and keeps those containing every word of the query (accents ignored).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from .base import (
    AuthError,
    AuthorData,
    FetchResult,
    NormalizedMention,
    PermanentError,
    PlatformError,
    Profile,
    PublishedReply,
    RateLimited,
    TransientError,
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
from .transport import meta_regain_seconds

GRAPH_VERSION = "v25.0"
POST_FIELDS = "id,message,created_time,permalink_url,from"
COMMENT_FIELDS = ("id,message,from{id,name},created_time,parent{id},permalink_url,"
                  "like_count,comment_count")
THROTTLE_CODES = {4, 17, 32, 613} | set(range(80001, 80015))


def meta_error(response: httpx.Response, payload: Any) -> PlatformError | None:
    """Map Meta's {"error": {"code", "error_subcode", "is_transient"}} envelope."""
    error = dig(payload, "error")
    if not isinstance(error, dict):
        return None
    code = int_or_none(error.get("code"))
    message = text_of(error.get("message"))[:300] or "Graph API error"
    status = response.status_code
    if code == 190 or code == 102 or code == 10 or (code is not None and 200 <= code <= 299):
        return AuthError(f"Meta: {message} (code {code})", status=status)
    if code in THROTTLE_CODES or status == 429:
        wait = meta_regain_seconds(response)
        return RateLimited(f"Meta throttled: {message} (code {code})",
                           retry_after=wait if wait is not None else 300.0, status=status)
    if code == 368:
        return RateLimited(f"Meta temporarily blocked: {message}", retry_after=3600.0,
                           status=status)
    if code in (1, 2) or error.get("is_transient") is True or status >= 500:
        return TransientError(f"Meta: {message} (code {code})", status=status)
    if status >= 400:
        return PermanentError(f"Meta: {message} (code {code})", status=status)
    return None


def fold(text: str) -> str:
    """Lower case without accents: 'Señal' and 'senal' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(query: str, text: str) -> bool:
    words = [w for w in fold(query).replace('"', " ").split() if w not in ("or", "and")]
    haystack = fold(text)
    return all(word.lstrip("#@") in haystack for word in words)


def parse_author(value: Any) -> AuthorData:
    author = as_dict(value)
    author_id = text_of(author.get("id"))
    name = text_of(author.get("name"))
    return AuthorData(external_id=author_id, handle=name or author_id, name=name,
                      profile_url=f"https://www.facebook.com/{author_id}" if author_id else "")


def parse_post(post: Any) -> NormalizedMention | None:
    post = as_dict(post)
    post_id = text_of(post.get("id"))
    created = parse_time(post.get("created_time"))
    if not post_id or created is None:
        return None
    return NormalizedMention(
        platform="facebook", external_id=post_id, author=parse_author(post.get("from")),
        text=text_of(post.get("message")), created_at=created,
        url=text_of(post.get("permalink_url")), thread_external_id=post_id, raw=post)


def parse_comment(comment: Any, post_id: str) -> NormalizedMention | None:
    comment = as_dict(comment)
    comment_id = text_of(comment.get("id"))
    created = parse_time(comment.get("created_time"))
    if not comment_id or created is None:
        return None
    parent = text_of(dig(comment, "parent", "id")) or post_id
    return NormalizedMention(
        platform="facebook", external_id=comment_id, author=parse_author(comment.get("from")),
        text=text_of(comment.get("message")), created_at=created,
        url=text_of(comment.get("permalink_url")), in_reply_to_external_id=parent,
        thread_external_id=post_id, raw=comment)


def after_token(payload: dict) -> str:
    """The next-page cursor, only when Graph says there is a next page."""
    if not text_of(dig(payload, "paging", "next")):
        return ""
    return text_of(dig(payload, "paging", "cursors", "after"))


class Watermark:
    """Newest timestamp stored plus the ids at exactly that time."""

    def __init__(self, state: dict, key: str = "since"):
        self.key = key
        self.since = int_or_none(state.get(key))
        self.ids = {text_of(i) for i in as_list(state.get("ids")) if text_of(i)}
        self.new_since = self.since
        self.new_ids = set(self.ids)

    def is_old(self, mention: NormalizedMention) -> bool:
        second = int(mention.created_at.timestamp())
        return self.since is not None and (
            second < self.since or (second == self.since and mention.external_id in self.ids))

    def is_new(self, mention: NormalizedMention) -> bool:
        """True for a mention after the watermark; it moves the new watermark forward."""
        second = int(mention.created_at.timestamp())
        if self.is_old(mention):
            return False
        if self.new_since is None or second > self.new_since:
            self.new_since, self.new_ids = second, {mention.external_id}
        elif second == self.new_since:
            self.new_ids.add(mention.external_id)
        return True

    def cursor(self, old: str | None) -> str | None:
        if self.new_since is None or (self.new_since == self.since and self.new_ids == self.ids):
            return None
        value = dump_cursor({self.key: self.new_since, "ids": sorted(self.new_ids)})
        return None if value == old else value


class FacebookClient(BaseClient):
    platform = "facebook"
    official_base_url = f"https://graph.facebook.com/{GRAPH_VERSION}"
    lookback_days = 30
    posts_per_page = 25
    comments_per_page = 100
    max_post_chars = 8000
    _cut_at = None

    def classify_error(self, response, payload):
        return meta_error(response, payload)

    def _pages(self, path: str, params: dict, limit: int, cut: list | None = None):
        """Yield each page's payload, following `after` cursors up to `limit` pages;
        append to `cut` when pages were left unread."""
        token = ""
        for _page in range(limit):
            query = dict(params)
            if token:
                query["after"] = token
            payload = require_dict(self.get(path, query), "Graph page")
            yield payload
            token = after_token(payload)
            if not token:
                return
        if cut is not None:
            cut.append(True)

    def _items(self, since: int | None):
        """Every visitor post and comment on recent Page posts (since `since` for comments)."""
        start = datetime.now(tz=UTC) - timedelta(days=self.lookback_days)
        if since is not None:
            start = min(start, datetime.fromtimestamp(since, tz=UTC) - timedelta(days=1))
        feed_params = {"fields": POST_FIELDS, "limit": self.posts_per_page,
                       "since": int(start.timestamp())}
        for payload in self._pages(f"/{self.account_id}/feed", feed_params, self.max_pages):
            for raw_post in as_list(payload.get("data")):
                post = parse_post(raw_post)
                if post is None:
                    continue
                if post.author.external_id and post.author.external_id != self.account_id:
                    yield post
                comment_params = {"fields": COMMENT_FIELDS, "filter": "stream",
                                  "order": "chronological", "limit": self.comments_per_page}
                if since is not None:
                    comment_params["since"] = since
                cut: list = []
                last_seen = None
                for page in self._pages(f"/{post.external_id}/comments", comment_params,
                                        self.max_pages, cut):
                    for raw_comment in as_list(page.get("data")):
                        comment = parse_comment(raw_comment, post.external_id)
                        if comment is None:
                            continue
                        last_seen = max(last_seen or comment.created_at, comment.created_at)
                        if comment.author.external_id != self.account_id:
                            yield comment
                if cut and last_seen is not None:
                    # Comments after `last_seen` on this post are still unread: the
                    # watermark must not pass it, or they would be skipped next time.
                    self._cut_at = min(self._cut_at or last_seen, last_seen)

    def _collect(self, cursor: str | None, keep) -> FetchResult:
        mark = Watermark(load_cursor(cursor))
        self._cut_at = None
        candidates = Deduper()
        for mention in self._items(mark.since):
            if not mark.is_old(mention):
                candidates.add(mention)
        found = []
        for mention in sorted(candidates.items, key=lambda m: m.created_at):
            if self._cut_at is not None and mention.created_at > self._cut_at:
                continue  # comes again next time, after the unread comments before it
            mark.is_new(mention)  # advances the watermark
            if keep(mention):
                found.append(mention)
        return FetchResult(mentions=found, next_cursor=mark.cursor(cursor))

    def fetch_mentions(self, cursor: str | None) -> FetchResult:
        return self._collect(cursor, lambda mention: True)

    def search(self, query: str, cursor: str | None) -> FetchResult:
        return self._collect(cursor, lambda mention: matches(query, mention.text))

    def reply(self, *, in_reply_to: NormalizedMention | str, text: str,
              idempotency_key: str = "") -> PublishedReply:
        target = in_reply_to if isinstance(in_reply_to, str) else in_reply_to.external_id
        self.check_length(text)
        payload, _response = self.transport.request(
            "POST", f"/{target}/comments", data={"message": text})
        reply_id = text_of(dig(payload, "id"))
        if not reply_id:
            raise PermanentError("Graph answered without the new comment id")
        return PublishedReply(external_id=reply_id,
                              url=f"https://www.facebook.com/{reply_id}")

    def publish(self, *, text: str, idempotency_key: str = "", media=()) -> PublishedReply:
        """A Page post (`POST /{page-id}/feed`), or a photo post for one image by URL."""
        self.check_length(text)
        images = [m for m in media if isinstance(m, dict) and m.get("kind") == "image"]
        if len(images) != len(media) or len(images) > 1:
            raise PermanentError("Facebook publishing supports text and at most one image")
        if images:
            payload, _r = self.transport.request(
                "POST", f"/{self.account_id}/photos",
                data={"url": images[0].get("url", ""), "message": text})
            post_id = text_of(dig(payload, "post_id")) or text_of(dig(payload, "id"))
        else:
            payload, _r = self.transport.request("POST", f"/{self.account_id}/feed",
                                                 data={"message": text})
            post_id = text_of(dig(payload, "id"))
        if not post_id:
            raise PermanentError("Graph answered without the new post id")
        return PublishedReply(external_id=post_id,
                              url=f"https://www.facebook.com/{post_id.replace('_', '/posts/')}")

    def profile(self) -> Profile:
        payload = require_dict(self.get(
            f"/{self.account_id}",
            {"fields": "id,name,username,link,fan_count,picture,about"}), "Page")
        page_id = text_of(payload.get("id"))
        if not page_id:
            raise PermanentError("Graph answered without the Page id")
        return Profile(
            external_id=page_id, handle=text_of(payload.get("username")) or page_id,
            name=text_of(payload.get("name")), followers=int_or_none(payload.get("fan_count")),
            url=text_of(payload.get("link")), bio=text_of(payload.get("about")),
            avatar_url=text_of(dig(payload, "picture", "data", "url")))
