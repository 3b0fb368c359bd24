"""Helpers shared by the network clients: defensive JSON access, dates, cursors, HTML to text.

Network payloads are untrusted: every accessor here returns a default instead of raising
KeyError/TypeError, so a parser only ever raises a `PlatformError`.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import httpx

from .base import AuthorData, FetchResult, NormalizedMention, PermanentError, TransientError
from .transport import Transport

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PAGES = 10  # per fetch; the cursor says where to continue


def dig(obj: Any, *keys: Any, default: Any = None) -> Any:
    """obj[k1][k2]... or default when any step is missing or of the wrong type."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(obj, list) or not -len(obj) <= key < len(obj):
                return default
            obj = obj[key]
        else:
            if not isinstance(obj, dict) or key not in obj:
                return default
            obj = obj[key]
    return obj


def text_of(value: Any) -> str:
    """A string field, or "" for anything else (numbers are accepted as ids)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return ""


def int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 / ISO 8601 (with Z, +0000 or +00:00) or epoch seconds, as aware UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Meta writes +0000; fromisoformat (3.11) wants +00:00.
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{when.microsecond // 1000:03d}Z"


def load_cursor(cursor: str | None) -> dict:
    """Cursors are opaque JSON objects; anything unreadable starts from scratch."""
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def dump_cursor(value: dict) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def require_dict(payload: Any, what: str) -> dict:
    if not isinstance(payload, dict):
        raise TransientError(f"malformed {what}: expected a JSON object")
    return payload


def require_list(payload: Any, what: str) -> list:
    if not isinstance(payload, list):
        raise TransientError(f"malformed {what}: expected a JSON array")
    return payload


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(value: str) -> str:
    """Mastodon and YouTube (textDisplay) send HTML; mentions are stored as plain text."""
    if "<" not in value and "&" not in value:
        return value
    parser = _TextExtractor()
    try:
        parser.feed(value)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient
        return html.unescape(value)
    return re.sub(r"\n{3,}", "\n\n", "".join(parts for parts in parser.parts)).strip()


def unknown_author() -> AuthorData:
    return AuthorData(external_id="", handle="")


class Deduper:
    """Keeps the first of repeated items inside one fetch (a page repeating the last one)."""

    def __init__(self, skip: set[str] | None = None):
        self.seen: set[str] = set(skip or ())
        self.items: list[NormalizedMention] = []

    def add(self, mention: NormalizedMention | None) -> bool:
        if mention is None or not mention.external_id or mention.external_id in self.seen:
            return False
        self.seen.add(mention.external_id)
        self.items.append(mention)
        return True


class BaseClient:
    """What every client shares: identity of the account, the transport, page limits."""

    platform = ""
    official_base_url = ""
    max_pages = MAX_PAGES

    def __init__(self, *, base_url: str = "", token: str = "", account_id: str = "",
                 handle: str = "", http_client: httpx.Client | None = None,
                 retries: int = 2, backoff_base: float = 0.5):
        self.base_url = (base_url or self.official_base_url).rstrip("/")
        self.token = token
        self.account_id = account_id
        self.handle = handle.lstrip("@")
        self.transport = Transport(
            base_url=self.base_url, headers=self.auth_headers(), http_client=http_client,
            retries=retries, backoff_base=backoff_base, classify_error=self.classify_error)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def classify_error(self, response: httpx.Response, payload: Any):
        return None

    max_post_chars = 0  # the network's text limit for a post or reply (0 = not checked)

    def check_length(self, text: str) -> None:
        """Refuse before sending what the network would refuse (a permanent error)."""
        if self.max_post_chars and len(text) > self.max_post_chars:
            raise PermanentError(
                f"text of {len(text)} characters exceeds the {self.platform} limit of "
                f"{self.max_post_chars}")

    # Every client defines `publish(*, text, idempotency_key="", media=()) ->
    # PublishedReply` (the editorial calendar). Instagram publishes one image by URL
    # (container + media_publish); YouTube's API has no community posts and refuses.

    def get(self, path: str, params: Any = None, **kwargs) -> Any:
        return self.transport.request("GET", path, params=params, **kwargs)[0]

    def close(self):
        self.transport.close()

    def __repr__(self):
        return f"<{type(self).__name__} {self.base_url} @{self.handle}>"


def millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class NewestFirstWalk:
    """Read a newest-first listing down to a stored time watermark, over several calls.

    State: {"since": ms of the newest item stored, "ids": ids at that ms} and, while a
    backlog longer than `max_pages` is being read, {"token": page to continue from,
    "pending": the watermark to store once the backlog is read}; the first poll of a
    channel reads its whole history that way, `max_pages` per call.
    `time_of(mention)` gives the time the listing is ordered by.
    """

    def __init__(self, cursor: str | None, *, time_of=None):
        state = load_cursor(cursor)
        self.cursor = cursor
        self.since = int_or_none(state.get("since"))
        self.ids = {text_of(i) for i in as_list(state.get("ids")) if text_of(i)}
        self.token = text_of(state.get("token"))
        pending = as_dict(state.get("pending"))
        self.new_since = int_or_none(pending.get("since")) if self.token else self.since
        self.new_ids = ({text_of(i) for i in as_list(pending.get("ids")) if text_of(i)}
                        if self.token else set(self.ids))
        if self.new_since is None:
            self.new_since, self.new_ids = self.since, set(self.ids)
        self.time_of = time_of or (lambda mention: mention.created_at)
        self.found = Deduper()
        self.state = state      # clients may keep their own keys next to the watermark
        self.extra: dict = {}   # ... and put them here to be stored with it

    def seen_before(self, mention: NormalizedMention) -> bool:
        ms = millis(self.time_of(mention))
        return self.since is not None and (
            ms < self.since or (ms == self.since and mention.external_id in self.ids))

    def _advance(self, mention: NormalizedMention):
        ms = millis(self.time_of(mention))
        if self.new_since is None or ms > self.new_since:
            self.new_since, self.new_ids = ms, {mention.external_id}
        elif ms == self.new_since:
            self.new_ids.add(mention.external_id)

    def run(self, fetch_page, max_pages: int, finish=None) -> FetchResult:
        """`fetch_page(token) -> (mentions, next_token)`; returns the batch and cursor.
        `finish()` runs after the last page, before the cursor is built."""
        token = self.token
        for _page in range(max_pages):
            mentions, next_token = fetch_page(token or None)
            reached = False
            for mention in mentions:
                if self.seen_before(mention):
                    reached = True
                    continue
                if self.found.add(mention):
                    self._advance(mention)
            if reached or not next_token or next_token == token:
                token = ""  # reached the watermark, the end, or a cursor that does not move
                break
            token = next_token
        if finish is not None:
            finish()
        if token:
            state = {"token": token,
                     "pending": {"since": self.new_since, "ids": sorted(self.new_ids)}}
            if self.since is not None:
                state.update(since=self.since, ids=sorted(self.ids))
        elif self.new_since is not None:
            state = {"since": self.new_since, "ids": sorted(self.new_ids)}
        else:
            state = None
        if state is not None and self.extra:
            state.update(self.extra)
        new_cursor = dump_cursor(state) if state is not None else None
        if new_cursor == self.cursor:
            new_cursor = None
        items = sorted(self.found.items, key=self.time_of)
        return FetchResult(mentions=items, next_cursor=new_cursor)
