"""The one HTTP transport every network client uses.

- httpx with explicit timeouts (connect 5 s, read 20 s by default);
- 5xx answers and timeouts are retried a few times inside the call, with jittered
  exponential backoff (small and bounded: the worker does the long waits) — but only for
  reads, or writes carrying an Idempotency-Key: a POST the network may already have
  accepted is never sent again blindly (the caller's delivery row decides what to do).
  A connection that was never established is retried for any method;
- a 429 is never retried here: it raises `RateLimited` with `retry_after` taken from
  Retry-After or the network's reset header, so the caller waits instead of hammering;
- 401/403 raise `AuthError` (the channel needs reconnecting), other 4xx `PermanentError`;
- an answer that is not the JSON the caller expects raises `TransientError`, never a crash.

Clients give a `classify_error` hook to map a network's own error envelope (Meta's error
codes inside a 400, YouTube's quota 403, Bluesky's ExpiredToken) onto these errors.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from .base import AuthError, PermanentError, PlatformError, RateLimited, TransientError

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
USER_AGENT = "RedesEstado/1.0 (+https://github.com/; gobierno digital Colombia)"
# Retry-After values above this are not slept inside a call; the caller gets RateLimited.
MAX_RETRY_AFTER = 24 * 3600.0


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    now = time.time() if now is None else now
    try:
        return max(0.0, min(float(value), MAX_RETRY_AFTER))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min(when.timestamp() - now, MAX_RETRY_AFTER))


def parse_reset(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds until a rate-limit reset given as epoch seconds or an ISO 8601 time.

    X and Bluesky send epoch seconds, Mastodon an ISO 8601 timestamp. A small number
    (below one year in seconds) is read as delta seconds, as some proxies send it.
    """
    if not value:
        return None
    value = value.strip()
    now = time.time() if now is None else now
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number < 365 * 24 * 3600:
            return max(0.0, min(number, MAX_RETRY_AFTER))
        return max(0.0, min(number - now, MAX_RETRY_AFTER))
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min(when.timestamp() - now, MAX_RETRY_AFTER))


RESET_HEADERS = ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset")


def retry_after_from(response: httpx.Response, default: float = 60.0) -> float:
    """How long to wait after a rate-limited answer, from its headers."""
    seconds = parse_retry_after(response.headers.get("retry-after"))
    if seconds is None:
        for name in RESET_HEADERS:
            seconds = parse_reset(response.headers.get(name))
            if seconds is not None:
                break
    if seconds is None:
        seconds = meta_regain_seconds(response)
    return default if seconds is None else seconds


def meta_regain_seconds(response: httpx.Response) -> float | None:
    """Meta's X-Business-Use-Case-Usage carries estimated_time_to_regain_access in minutes."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
        minutes = [
            float(entry.get("estimated_time_to_regain_access") or 0)
            for entries in usage.values() for entry in entries if isinstance(entry, dict)
        ]
    except (ValueError, AttributeError, TypeError):
        return None
    return max(minutes) * 60 if minutes and max(minutes) > 0 else None


def error_text(response: httpx.Response, limit: int = 300) -> str:
    try:
        return response.text[:limit]
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return ""


ErrorHook = Callable[[httpx.Response, Any], PlatformError | None]


@dataclass
class Transport:
    """A small httpx wrapper with the retry policy above. Thread-compatible, not shared."""

    base_url: str
    headers: dict[str, str]
    http_client: httpx.Client | None = None
    retries: int = 2              # extra attempts after a 5xx or a timeout
    backoff_base: float = 0.5     # seconds; attempt n waits base * 2**n * jitter(0.5..1.5)
    backoff_cap: float = 4.0
    classify_error: ErrorHook | None = None
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self):
        self.base_url = self.base_url.rstrip("/")
        self._owned = self.http_client is None
        if self.http_client is None:
            self.http_client = httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=False)

    def close(self):
        if self._owned and self.http_client is not None:
            self.http_client.close()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        return delay * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not security

    def request(self, method: str, path: str, *, params: Any = None, json_body: Any = None,
                data: Any = None, headers: dict[str, str] | None = None,
                expect_json: bool = True) -> tuple[Any, httpx.Response]:
        """Send one request (retrying 5xx/timeouts) and return (parsed JSON, response)."""
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **self.headers,
                       **(headers or {})}
        url = self.url(path)
        resendable = method.upper() in ("GET", "HEAD", "OPTIONS") or any(
            name.lower() == "idempotency-key" for name in all_headers)
        last_error: PlatformError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self._backoff(attempt - 1))
            try:
                response = self.http_client.request(
                    method, url, params=params, json=json_body, data=data, headers=all_headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Nothing reached the network: safe to try again whatever the method.
                last_error = TransientError(f"cannot connect to {url}: {exc}")
                continue
            except httpx.TimeoutException as exc:
                last_error = TransientError(f"timeout calling {method} {url}: {exc}")
                if not resendable:
                    raise last_error from exc
                continue
            except httpx.TransportError as exc:
                last_error = TransientError(f"network error calling {method} {url}: {exc}")
                if not resendable:
                    raise last_error from exc
                continue
            except httpx.InvalidURL as exc:
                raise PermanentError(f"invalid address {url}: {exc}") from exc
            try:
                return self._handle(response, expect_json=expect_json)
            except PlatformError as exc:
                if isinstance(exc, RateLimited) or exc.permanent:
                    raise
                if exc.status is not None and exc.status < 500:
                    raise  # a malformed 2xx or a network-specific transient: no tight loop
                if not resendable:
                    raise  # the network may have accepted it: the caller decides
                last_error = exc
        assert last_error is not None
        raise last_error

    def _handle(self, response: httpx.Response, *, expect_json: bool) -> tuple[Any, httpx.Response]:
        status = response.status_code
        payload: Any = None
        parse_error: Exception | None = None
        try:
            payload = response.json() if response.content else None
        except (ValueError, UnicodeDecodeError) as exc:
            parse_error = exc
        if self.classify_error is not None and (status >= 400 or isinstance(payload, dict)):
            mapped = self.classify_error(response, payload)
            if mapped is not None:
                raise mapped
        if status == 429:
            raise RateLimited(f"rate limited: {error_text(response, 200)}",
                              retry_after=retry_after_from(response), status=status)
        if status in (401, 403):
            raise AuthError(f"not authorised ({status}): {error_text(response, 200)}",
                            status=status)
        if status >= 500:
            raise TransientError(f"server error {status}: {error_text(response, 200)}",
                                 status=status,
                                 retry_after=parse_retry_after(response.headers.get("retry-after")))
        if status >= 400:
            raise PermanentError(f"request refused ({status}): {error_text(response)}",
                                 status=status)
        if expect_json and (parse_error is not None or payload is None):
            raise TransientError(f"malformed JSON from the network ({status})", status=status)
        return payload, response
