"""YouTube Data API v3: comment threads on the channel's videos, replies, channel profile.

`commentThreads?allThreadsRelatedToChannelId=` with `order=time` is newest first and has
no `since`: pages (`pageToken`/`nextPageToken`) are read down to a `publishedAt`
watermark (see `common.NewestFirstWalk`). Search adds `searchTerms`. Replies that come
inside a thread (`replies.comments`) are returned too. There are no rate-limit headers:
403 `quotaExceeded` waits until the daily reset (midnight Pacific), 403
`rateLimitExceeded` a minute; other 401/403 reasons mean the token lost its rights.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .base import (
    AuthError,
    AuthorData,
    FetchResult,
    NormalizedMention,
    PermanentError,
    Profile,
    PublishedReply,
    RateLimited,
    TransientError,
)
from .common import (
    BaseClient,
    NewestFirstWalk,
    as_dict,
    as_list,
    dig,
    html_to_text,
    int_or_none,
    parse_time,
    require_dict,
    text_of,
)
from .transport import retry_after_from

PACIFIC = ZoneInfo("America/Los_Angeles")
REPLY_COUNTS_KEPT = 300  # threads whose reply count the cursor remembers
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
PERMANENT_REASONS = {"commentsDisabled", "videoNotFound", "channelNotFound",
                     "commentNotFound", "invalidPageToken", "processingFailure"}


def seconds_to_quota_reset(now: datetime | None = None) -> float:
    now = now or datetime.now(tz=PACIFIC)
    now = now.astimezone(PACIFIC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60.0, (midnight - now).total_seconds())


def google_error(response: httpx.Response, payload: Any):
    error = dig(payload, "error")
    status = response.status_code
    if not isinstance(error, dict) and status < 400:
        return None
    reasons = {text_of(dig(e, "reason")) for e in as_list(dig(error, "errors"))}
    message = text_of(dig(error, "message"))[:300] or f"HTTP {status}"
    if reasons & QUOTA_REASONS:
        return RateLimited(f"YouTube quota exhausted: {message}",
                           retry_after=seconds_to_quota_reset(), status=status)
    if reasons & RATE_REASONS or status == 429:
        return RateLimited(f"YouTube rate limit: {message}",
                           retry_after=retry_after_from(response, default=60.0), status=status)
    if reasons & PERMANENT_REASONS:
        return PermanentError(f"YouTube: {message} ({', '.join(sorted(reasons))})",
                              status=status)
    if status in (401, 403):
        return AuthError(f"YouTube refused the token: {message}", status=status)
    if status >= 500:
        return TransientError(f"YouTube server error: {message}", status=status)
    if status >= 400:
        return PermanentError(f"YouTube: {message}", status=status)
    return None


def parse_comment(comment: Any, *, thread_id: str, video_id: str = "") -> NormalizedMention | None:
    comment = as_dict(comment)
    snippet = as_dict(comment.get("snippet"))
    comment_id = text_of(comment.get("id"))
    created = parse_time(snippet.get("publishedAt"))
    if not comment_id or created is None:
        return None
    video = text_of(snippet.get("videoId")) or video_id
    author = AuthorData(
        external_id=text_of(dig(snippet, "authorChannelId", "value")),
        handle=text_of(snippet.get("authorDisplayName")).lstrip("@"),
        name=text_of(snippet.get("authorDisplayName")),
        profile_url=text_of(snippet.get("authorChannelUrl")))
    text = text_of(snippet.get("textOriginal")) or html_to_text(
        text_of(snippet.get("textDisplay")))
    parent = text_of(snippet.get("parentId"))
    url = f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else ""
    return NormalizedMention(
        platform="youtube", external_id=comment_id, author=author, text=text,
        created_at=created, url=url, in_reply_to_external_id=parent,
        thread_external_id=thread_id or comment_id, raw=comment)


def reply_counts(payload: Any) -> dict[str, tuple[int, int]]:
    """{thread id: (totalReplyCount, replies returned inline)} for a threads page."""
    counts = {}
    for thread in as_list(dig(payload, "items")):
        thread_id = text_of(dig(thread, "id"))
        if thread_id:
            counts[thread_id] = (int_or_none(dig(thread, "snippet", "totalReplyCount")) or 0,
                                 len(as_list(dig(thread, "replies", "comments"))))
    return counts


def parse_threads_page(payload: Any) -> tuple[list[NormalizedMention], str]:
    payload = require_dict(payload, "YouTube commentThreads page")
    found: list[NormalizedMention] = []
    for thread in as_list(payload.get("items")):
        thread_id = text_of(dig(thread, "id"))
        video_id = text_of(dig(thread, "snippet", "videoId"))
        top = parse_comment(dig(thread, "snippet", "topLevelComment"), thread_id=thread_id,
                            video_id=video_id)
        if top is not None:
            found.append(top)
        for reply in as_list(dig(thread, "replies", "comments")):
            mention = parse_comment(reply, thread_id=thread_id or (top.external_id if top else ""),
                                    video_id=video_id)
            if mention is not None:
                found.append(mention)
    return found, text_of(payload.get("nextPageToken"))


class YouTubeClient(BaseClient):
    platform = "youtube"
    official_base_url = "https://www.googleapis.com/youtube/v3"
    page_size = 100
    max_post_chars = 10000

    def classify_error(self, response, payload):
        return google_error(response, payload)

    def _walk(self, cursor: str | None, extra: dict) -> FetchResult:
        walk = NewestFirstWalk(cursor)
        known = {k: v for k, v in as_dict(walk.state.get("rc")).items()
                 if isinstance(v, int) and not isinstance(v, bool)}
        counts = dict(known)

        def page(token):
            params = {"part": "snippet,replies", "allThreadsRelatedToChannelId": self.account_id,
                      "order": "time", "maxResults": self.page_size, "textFormat": "plainText",
                      **extra}
            if token:
                params["pageToken"] = token
            payload = self.get("/commentThreads", params)
            mentions, next_token = parse_threads_page(payload)
            # Only five replies come inline, and a new reply does not bring an old thread
            # back to the top: read the replies of threads whose reply count changed.
            for thread_id, (total, inline) in reply_counts(payload).items():
                if total > inline and total != known.get(thread_id):
                    mentions.extend(self._replies(thread_id))
                counts[thread_id] = total
            own = self.account_id
            return [m for m in mentions if m.author.external_id != own or not own], next_token

        def finish():
            if counts:
                walk.extra["rc"] = dict(list(counts.items())[-REPLY_COUNTS_KEPT:])

        return walk.run(page, self.max_pages, finish)

    def _replies(self, thread_id: str) -> list[NormalizedMention]:
        """All replies of a thread (comments.list?parentId=), bounded by max_pages."""
        found: list[NormalizedMention] = []
        token = ""
        for _page in range(self.max_pages):
            params = {"part": "snippet", "parentId": thread_id, "maxResults": 100,
                      "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            payload = require_dict(self.get("/comments", params), "YouTube comments page")
            for raw in as_list(payload.get("items")):
                mention = parse_comment(raw, thread_id=thread_id)
                if mention is not None:
                    found.append(mention)
            token = text_of(payload.get("nextPageToken"))
            if not token:
                break
        return found

    def fetch_mentions(self, cursor: str | None) -> FetchResult:
        return self._walk(cursor, {})

    def search(self, query: str, cursor: str | None) -> FetchResult:
        return self._walk(cursor, {"searchTerms": query})

    def reply(self, *, in_reply_to: NormalizedMention | str, text: str,
              idempotency_key: str = "") -> PublishedReply:
        if isinstance(in_reply_to, str):
            parent = in_reply_to
        else:  # replies are one level deep: answer on the thread's top-level comment
            parent = in_reply_to.thread_external_id or in_reply_to.external_id
        self.check_length(text)
        body = {"snippet": {"parentId": parent, "textOriginal": text}}
        payload, _response = self.transport.request(
            "POST", "/comments", params={"part": "snippet"}, json_body=body)
        reply_id = text_of(dig(payload, "id"))
        if not reply_id:
            raise PermanentError("YouTube answered without the new comment id")
        video = text_of(dig(payload, "snippet", "videoId"))
        url = f"https://www.youtube.com/watch?v={video}&lc={reply_id}" if video else ""
        return PublishedReply(external_id=reply_id, url=url)

    def publish(self, *, text: str, idempotency_key: str = "", media=()) -> PublishedReply:
        raise PermanentError("YouTube's Data API cannot create community posts: publish "
                             "this one by hand in YouTube Studio")

    def profile(self) -> Profile:
        params = {"part": "snippet,statistics"}
        if self.account_id:
            params["id"] = self.account_id
        else:
            params["mine"] = "true"
        payload = require_dict(self.get("/channels", params), "YouTube channels")
        channel = as_dict(dig(payload, "items", 0))
        channel_id = text_of(channel.get("id"))
        if not channel_id:
            raise PermanentError("YouTube found no such channel")
        snippet = as_dict(channel.get("snippet"))
        handle = text_of(snippet.get("customUrl")).lstrip("@")
        return Profile(
            external_id=channel_id, handle=handle or channel_id,
            name=text_of(snippet.get("title")),
            followers=int_or_none(dig(channel, "statistics", "subscriberCount")),
            url=f"https://www.youtube.com/@{handle}" if handle else
            f"https://www.youtube.com/channel/{channel_id}",
            bio=text_of(snippet.get("description")),
            avatar_url=text_of(dig(snippet, "thumbnails", "default", "url")))
