"""Mastodon: mention notifications, status search, replies, verify_credentials.

Cursor: {"min_id": highest notification id stored}. Polling asks for
`types[]=mention&min_id=<it>` (the page just newer than it) and, while pages are full,
follows the `rel="prev"` Link (only its `min_id` is taken, so the token never goes to
another host). Ids are numeric strings compared as integers. `content` is HTML; the
mention's text is its plain-text rendering (the HTML stays in `raw`).
Replies prefix the author's @acct (Mastodon does not add it) and send an Idempotency-Key.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from .base import (
    AuthorData,
    FetchResult,
    NormalizedMention,
    PermanentError,
    Profile,
    PublishedReply,
)
from .common import (
    BaseClient,
    Deduper,
    as_dict,
    as_list,
    dig,
    dump_cursor,
    html_to_text,
    int_or_none,
    load_cursor,
    parse_time,
    require_dict,
    require_list,
    text_of,
)


def _num(value: str) -> int:
    # isdigit() alone accepts superscripts such as "¹", which int() refuses.
    return int(value) if value.isascii() and value.isdigit() else -1


def parse_account(account: Any) -> AuthorData:
    account = as_dict(account)
    return AuthorData(
        external_id=text_of(account.get("id")),
        handle=text_of(account.get("acct")) or text_of(account.get("username")),
        name=text_of(account.get("display_name")),
        followers=int_or_none(account.get("followers_count")),
        account_created_at=parse_time(account.get("created_at")),
        profile_url=text_of(account.get("url")))


def parse_status(status: Any, account: Any = None) -> NormalizedMention | None:
    status = as_dict(status)
    status_id = text_of(status.get("id"))
    created = parse_time(status.get("created_at"))
    if not status_id or created is None:
        return None
    author = parse_account(status.get("account") if isinstance(status.get("account"), dict)
                           and status["account"].get("acct") else account)
    if not author.external_id:
        author = parse_account(account)
    in_reply_to = text_of(status.get("in_reply_to_id"))
    return NormalizedMention(
        platform="mastodon", external_id=status_id, author=author,
        text=html_to_text(text_of(status.get("content"))), created_at=created,
        url=text_of(status.get("url")) or text_of(status.get("uri")),
        in_reply_to_external_id=in_reply_to,
        # Mastodon statuses do not name their root; the parent is the best thread key.
        thread_external_id=in_reply_to or status_id, raw=status)


def parse_notifications(payload: Any) -> tuple[list[NormalizedMention], int]:
    """(mentions, highest notification id on the page)."""
    payload = require_list(payload, "Mastodon notifications")
    mentions, highest = [], -1
    for notification in payload:
        notification_id = _num(text_of(dig(notification, "id")))
        highest = max(highest, notification_id)
        if text_of(dig(notification, "type")) != "mention":
            continue
        mention = parse_status(dig(notification, "status"), dig(notification, "account"))
        if mention is not None:
            mentions.append(mention)
    return mentions, highest


def link_param(response: httpx.Response, rel: str, name: str) -> str:
    try:
        url = response.links.get(rel, {}).get("url", "")
    except (ValueError, AttributeError):  # pragma: no cover - malformed Link header
        return ""
    values = parse_qs(urlsplit(url).query).get(name) if url else None
    return values[0] if values else ""


class MastodonClient(BaseClient):
    platform = "mastodon"
    official_base_url = "https://mastodon.social"
    page_size = 40
    max_post_chars = 500  # the default; instances may allow more

    def fetch_mentions(self, cursor: str | None) -> FetchResult:
        state = load_cursor(cursor)
        min_id = text_of(state.get("min_id"))
        highest = _num(min_id) if min_id else -1
        found = Deduper()
        params: list[tuple[str, Any]] = [("types[]", "mention"), ("limit", self.page_size)]
        for _page in range(self.max_pages):
            if min_id:
                params = [("types[]", "mention"), ("limit", self.page_size), ("min_id", min_id)]
            payload, response = self.transport.request("GET", "/api/v1/notifications",
                                                       params=params)
            mentions, page_highest = parse_notifications(payload)
            for mention in mentions:
                found.add(mention)
            highest = max(highest, page_highest)
            if len(payload) < self.page_size:
                break  # a short page is the end
            if not min_id:
                # First poll: no stored position, walk back through history (rel="next").
                max_id = link_param(response, "next", "max_id")
                lowest = min((_num(text_of(dig(n, "id"))) for n in payload), default=-1)
                if not max_id or lowest < 0:
                    break
                backfill = [p for p in params if p[0] != "max_id"] + [("max_id", max_id)]
                params = backfill
                continue
            prev_min = link_param(response, "prev", "min_id")
            if not prev_min or _num(prev_min) <= _num(min_id):
                prev_min = str(page_highest) if page_highest > _num(min_id) else ""
            if not prev_min:
                break
            min_id = prev_min
        new_cursor = dump_cursor({"min_id": str(highest)}) if highest >= 0 else None
        if new_cursor == cursor:
            new_cursor = None
        found.items.sort(key=lambda m: _num(m.external_id))
        return FetchResult(mentions=found.items, next_cursor=new_cursor)

    def search(self, query: str, cursor: str | None) -> FetchResult:
        state = load_cursor(cursor)
        min_id = text_of(state.get("min_id"))
        highest = _num(min_id) if min_id else -1
        found = Deduper()
        for _page in range(self.max_pages):
            params = {"q": query, "type": "statuses", "limit": 40, "resolve": "false"}
            if min_id:
                params["min_id"] = min_id
            payload = require_dict(self.get("/api/v2/search", params), "Mastodon search")
            statuses = as_list(payload.get("statuses"))
            for status in statuses:
                mention = parse_status(status)
                if mention is None or (min_id and _num(mention.external_id) <= _num(min_id)):
                    continue
                if mention.author.handle == self.handle:
                    continue
                found.add(mention)
                highest = max(highest, _num(mention.external_id))
            if not min_id or len(statuses) < 40 or highest <= _num(min_id):
                break
            min_id = str(highest)
        new_cursor = dump_cursor({"min_id": str(highest)}) if highest >= 0 else None
        if new_cursor == cursor:
            new_cursor = None
        found.items.sort(key=lambda m: _num(m.external_id))
        return FetchResult(mentions=found.items, next_cursor=new_cursor)

    def reply(self, *, in_reply_to: NormalizedMention | str, text: str,
              idempotency_key: str = "") -> PublishedReply:
        if isinstance(in_reply_to, str):
            status_id, acct = in_reply_to, ""
        else:
            status_id, acct = in_reply_to.external_id, in_reply_to.author.handle
        if acct and not text.lstrip().startswith(f"@{acct}"):
            text = f"@{acct} {text}"
        visibility = "unlisted"
        if isinstance(in_reply_to, NormalizedMention) and \
                in_reply_to.raw.get("visibility") == "direct":
            visibility = "direct"
        return self._status({"status": text, "in_reply_to_id": status_id,
                             "visibility": visibility}, idempotency_key)

    def _status(self, body: dict, idempotency_key: str) -> PublishedReply:
        self.check_length(body["status"])
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        payload, _response = self.transport.request("POST", "/api/v1/statuses",
                                                    headers=headers, json_body=body)
        status_id = text_of(dig(payload, "id"))
        if not status_id:
            raise PermanentError("Mastodon answered without the new status id")
        return PublishedReply(external_id=status_id, url=text_of(dig(payload, "url")))

    def publish(self, *, text: str, idempotency_key: str = "", media=()) -> PublishedReply:
        if media:
            raise PermanentError("Mastodon media upload is not supported: publish text only")
        return self._status({"status": text, "visibility": "public"}, idempotency_key)

    def profile(self) -> Profile:
        account = require_dict(self.get("/api/v1/accounts/verify_credentials"),
                               "Mastodon account")
        author = parse_account(account)
        if not author.external_id:
            raise PermanentError("Mastodon answered without the account id")
        return Profile(
            external_id=author.external_id, handle=author.handle, name=author.name,
            followers=author.followers, url=author.profile_url,
            bio=html_to_text(text_of(account.get("note"))),
            avatar_url=text_of(account.get("avatar")))
