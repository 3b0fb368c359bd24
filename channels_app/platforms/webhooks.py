"""Parsers for pushed deliveries (verify the signature with `signatures` first).

- Meta `page` object, field `feed` (comments and visitor posts on a Page) and `instagram`
  object, field `comments`: full mentions. Instagram `mentions` events carry only ids
  (`media_id`, `comment_id`); `parse_meta_mention_refs` lists them for a worker to read.
- X Account Activity `tweet_create_events` (v1.1 tweet objects).
Events written by the account itself (from.id equal to the Page / for_user_id) are skipped.
Malformed input raises `TransientError` for a non-object payload and otherwise skips the
events it cannot read; never KeyError/TypeError.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .base import AuthorData, NormalizedMention
from .common import as_dict, as_list, dig, int_or_none, parse_time, require_dict, text_of

FEED_ITEMS = {"comment", "post", "status", "photo", "video"}


def _meta_feed_change(page_id: str, value: dict, fallback_time: Any) -> NormalizedMention | None:
    if text_of(value.get("verb")) != "add" or text_of(value.get("item")) not in FEED_ITEMS:
        return None
    author_id = text_of(dig(value, "from", "id"))
    if author_id and author_id == page_id:
        return None
    post_id = text_of(value.get("post_id"))
    comment_id = text_of(value.get("comment_id"))
    external_id = comment_id or post_id
    created = parse_time(value.get("created_time")) or parse_time(fallback_time)
    if not external_id or created is None:
        return None
    name = text_of(dig(value, "from", "name"))
    parent = text_of(value.get("parent_id")) if comment_id else ""
    return NormalizedMention(
        platform="facebook", external_id=external_id,
        author=AuthorData(external_id=author_id, handle=name or author_id, name=name,
                          profile_url=f"https://www.facebook.com/{author_id}" if author_id
                          else ""),
        text=text_of(value.get("message")), created_at=created,
        url=f"https://www.facebook.com/{external_id}", in_reply_to_external_id=parent,
        thread_external_id=post_id or external_id, raw=value)


def _instagram_comment(account_id: str, value: dict,
                       fallback_time: Any) -> NormalizedMention | None:
    comment_id = text_of(value.get("id"))
    created = parse_time(value.get("timestamp")) or parse_time(fallback_time)
    if not comment_id or created is None:
        return None
    author_id = text_of(dig(value, "from", "id"))
    if author_id and author_id == account_id:
        return None
    username = text_of(dig(value, "from", "username"))
    media_id = text_of(dig(value, "media", "id"))
    parent = text_of(value.get("parent_id"))
    return NormalizedMention(
        platform="instagram", external_id=comment_id,
        author=AuthorData(external_id=author_id or username, handle=username,
                          profile_url=f"https://www.instagram.com/{username}/" if username
                          else ""),
        text=text_of(value.get("text")), created_at=created,
        in_reply_to_external_id=parent or media_id, thread_external_id=media_id or comment_id,
        raw=value)


def parse_meta_delivery(payload: Any) -> list[NormalizedMention]:
    """Mentions in a Meta webhook delivery (`page` feed or `instagram` comments)."""
    payload = require_dict(payload, "Meta delivery")
    kind = text_of(payload.get("object"))
    found: list[NormalizedMention] = []
    seen: set[str] = set()
    for entry in as_list(payload.get("entry")):
        entry_id = text_of(dig(entry, "id"))
        when = dig(entry, "time")
        for change in as_list(dig(entry, "changes")):
            field = text_of(dig(change, "field"))
            value = as_dict(dig(change, "value"))
            mention = None
            if kind == "page" and field == "feed":
                mention = _meta_feed_change(entry_id, value, when)
            elif kind == "instagram" and field in ("comments", "live_comments"):
                mention = _instagram_comment(entry_id, value, when)
            if mention is not None and mention.external_id not in seen:
                seen.add(mention.external_id)
                found.append(mention)
    return found


def parse_meta_mention_refs(payload: Any) -> list[dict[str, str]]:
    """Instagram `mentions` events: [{"account_id", "media_id", "comment_id"}] to read later."""
    payload = require_dict(payload, "Meta delivery")
    refs = []
    if text_of(payload.get("object")) != "instagram":
        return refs
    for entry in as_list(payload.get("entry")):
        for change in as_list(dig(entry, "changes")):
            if text_of(dig(change, "field")) != "mentions":
                continue
            media_id = text_of(dig(change, "value", "media_id"))
            if media_id:
                refs.append({"account_id": text_of(dig(entry, "id")), "media_id": media_id,
                             "comment_id": text_of(dig(change, "value", "comment_id"))})
    return refs


def _v1_time(value: Any, timestamp_ms: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        except ValueError:
            pass
    ms = int_or_none(timestamp_ms)
    if ms is not None:
        return parse_time(ms / 1000)
    return parse_time(value)


def parse_x_delivery(payload: Any) -> list[NormalizedMention]:
    """Mentions and replies in an X Account Activity delivery (`tweet_create_events`)."""
    payload = require_dict(payload, "X delivery")
    for_user = text_of(payload.get("for_user_id"))
    found: list[NormalizedMention] = []
    seen: set[str] = set()
    for tweet in as_list(payload.get("tweet_create_events")):
        tweet = as_dict(tweet)
        tweet_id = text_of(tweet.get("id_str")) or text_of(tweet.get("id"))
        created = _v1_time(tweet.get("created_at"), tweet.get("timestamp_ms"))
        user = as_dict(tweet.get("user"))
        user_id = text_of(user.get("id_str")) or text_of(user.get("id"))
        if not tweet_id or created is None or tweet_id in seen:
            continue
        if for_user and user_id == for_user:
            continue  # the account's own post
        if isinstance(tweet.get("retweeted_status"), dict):
            continue  # a repost is not something to answer
        handle = text_of(user.get("screen_name"))
        text = (text_of(dig(tweet, "extended_tweet", "full_text")) or
                text_of(tweet.get("full_text")) or text_of(tweet.get("text")))
        in_reply_to = text_of(tweet.get("in_reply_to_status_id_str"))
        seen.add(tweet_id)
        found.append(NormalizedMention(
            platform="x", external_id=tweet_id,
            author=AuthorData(
                external_id=user_id, handle=handle, name=text_of(user.get("name")),
                followers=int_or_none(user.get("followers_count")),
                account_created_at=_v1_time(user.get("created_at"), None),
                profile_url=f"https://x.com/{handle}" if handle else ""),
            text=text, created_at=created,
            url=f"https://x.com/{handle}/status/{tweet_id}" if handle else "",
            in_reply_to_external_id=in_reply_to,
            # v1.1 events do not carry conversation_id; the parent is the best thread key.
            thread_external_id=in_reply_to or tweet_id, raw=tweet))
    return found
