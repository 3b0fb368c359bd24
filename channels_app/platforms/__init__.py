"""Network clients: one module per network behind `base.PlatformClient`.

    from channels_app.platforms import get_client
    client = get_client(channel)            # a Channel row: platform, token, base URL...
    batch = client.fetch_mentions(cursor)   # FetchResult(mentions, next_cursor)
    # store batch.mentions, commit, THEN store batch.next_cursor (if not None)

Every client speaks its network's real wire format (see docs/platforms.md and
shared/reference/platform-apis.md), takes its base URL from the channel (empty = the
official API), and raises only `base.PlatformError` subclasses: `RateLimited`
(`retry_after` seconds), `TransientError` (retry later), `AuthError` (mark the channel
as needing reconnection), `PermanentError` (do not retry).

Adding a network
1. Add the value to `channels_app.choices.Platform` and `CONNECTED_PLATFORMS`.
2. Write `platforms/<network>.py`: a `BaseClient` subclass with `platform`,
   `official_base_url`, `fetch_mentions`, `search`, `reply`, `profile`, and a
   `classify_error` hook for the network's error envelope. Parse with `common.dig` /
   `text_of` so malformed JSON raises `TransientError`, never KeyError/TypeError. Keep
   the cursor an opaque JSON string that only moves forward.
3. Register the class in `CLIENTS` below.
4. Add the network to the sandbox (`channels_app/sandbox/networks.py`): same paths,
   parameters, JSON, pagination, rate-limit headers and error bodies; a prefix in
   `sandbox.app.PREFIXES`; a demo account in `sandbox/accounts.py`.
5. Tests in `tests/channels_app/platforms/`: recorded fixtures (respx), the sandbox over
   HTTP, fault injection, spec validation if the network publishes a spec, and the
   hypothesis parser test.
6. Document tokens and limits in docs/platforms.md.
"""

from __future__ import annotations

import httpx

from .base import (
    AuthError,
    AuthorData,
    FetchResult,
    NormalizedMention,
    PermanentError,
    PlatformClient,
    PlatformError,
    Profile,
    PublishedReply,
    RateLimited,
    TransientError,
)
from .bluesky import BlueskyClient
from .facebook import FacebookClient
from .instagram import InstagramClient
from .mastodon import MastodonClient
from .x import XClient
from .youtube import YouTubeClient

CLIENTS: dict[str, type] = {
    "x": XClient,
    "facebook": FacebookClient,
    "instagram": InstagramClient,
    "youtube": YouTubeClient,
    "mastodon": MastodonClient,
    "bluesky": BlueskyClient,
}

__all__ = [
    "CLIENTS", "AuthError", "AuthorData", "FetchResult", "NormalizedMention", "PermanentError",
    "PlatformClient", "PlatformError", "Profile", "PublishedReply", "RateLimited",
    "TransientError", "client_for", "get_client", "is_supported",
]


def is_supported(platform: str) -> bool:
    return platform in CLIENTS


def client_for(platform: str, *, base_url: str = "", token: str = "", account_id: str = "",
               handle: str = "", http_client: httpx.Client | None = None) -> PlatformClient:
    """A client for `platform`; an empty `base_url` means the network's official API."""
    try:
        cls = CLIENTS[platform]
    except KeyError:
        raise PermanentError(f"no API client for the network {platform!r}") from None
    return cls(base_url=base_url, token=token, account_id=account_id, handle=handle,
               http_client=http_client)


def get_client(channel, *, http_client: httpx.Client | None = None) -> PlatformClient:
    """The client for a `channels_app.models.Channel` (token decrypted by the field)."""
    return client_for(channel.platform, base_url=channel.api_base_url or "",
                      token=channel.access_token or "", account_id=channel.account_id or "",
                      handle=channel.handle or "", http_client=http_client)
