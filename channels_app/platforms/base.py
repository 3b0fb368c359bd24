"""The small interface every network client implements, and the errors they raise.

`monitoring` polls and replies only through this interface; it never sees a network's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class AuthorData:
    """Who wrote a mention, as the network describes them."""

    external_id: str
    handle: str
    name: str = ""
    followers: int | None = None
    account_created_at: datetime | None = None
    profile_url: str = ""


@dataclass(frozen=True)
class NormalizedMention:
    """One post, comment or reply from any network, in one shape.

    `thread_external_id` is the root of the conversation (X conversation_id, the
    Facebook post, the YouTube comment thread, the Mastodon/Bluesky root status).
    """

    platform: str
    external_id: str
    author: AuthorData
    text: str
    created_at: datetime
    url: str = ""
    in_reply_to_external_id: str = ""
    thread_external_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchResult:
    """A batch of mentions and the cursor to store once the batch is committed.

    `next_cursor` is None when the cursor should not move (nothing new).
    """

    mentions: list[NormalizedMention]
    next_cursor: str | None


@dataclass(frozen=True)
class PublishedReply:
    external_id: str
    url: str = ""


@dataclass(frozen=True)
class Profile:
    external_id: str
    handle: str
    name: str = ""
    followers: int | None = None
    url: str = ""
    bio: str = ""
    avatar_url: str = ""


class PlatformError(Exception):
    """A failure talking to a network. `permanent` says whether retrying can help."""

    permanent = False

    def __init__(self, message: str, *, retry_after: float | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class TransientError(PlatformError):
    """5xx, timeouts, malformed answers: retry later with backoff."""


class RateLimited(TransientError):
    """429 (or a network-specific limit): wait `retry_after` seconds before the next call."""


class AuthError(PlatformError):
    """401/403: the token is invalid or revoked; the channel needs reconnecting."""

    permanent = True


class PermanentError(PlatformError):
    """The request itself is wrong (400, 404, text too long, duplicate): do not retry."""

    permanent = True


class PlatformClient(Protocol):
    platform: str

    def fetch_mentions(self, cursor: str | None) -> FetchResult: ...

    def search(self, query: str, cursor: str | None) -> FetchResult: ...

    def reply(self, *, in_reply_to: NormalizedMention | str, text: str,
              idempotency_key: str = "") -> PublishedReply: ...

    def publish(self, *, text: str, idempotency_key: str = "",
                media: tuple = ()) -> PublishedReply:
        """A new post on the account (the editorial calendar). `media` items are dicts
        with kind ("image"/"video"), url, alt_text, captions_url. Networks that cannot
        publish what is asked raise PermanentError saying why."""
        ...

    def profile(self) -> Profile: ...
