"""Webhook signatures (see platform-apis.md §7). Always verify the raw bytes, before parsing.

Meta (Facebook Page and Instagram): X-Hub-Signature-256: "sha256=<hex HMAC-SHA256>".
X (Account Activity): x-twitter-webhooks-signature: "sha256=<base64 HMAC-SHA256>", and the
CRC check answers {"response_token": "sha256=<base64 HMAC-SHA256(secret, crc_token)>"}.
Comparisons are constant-time (hmac.compare_digest).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def meta_signature(secret: bytes | str, body: bytes) -> str:
    digest = hmac.new(_as_bytes(secret), _as_bytes(body), hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_meta_signature(secret: bytes | str, body: bytes, header: str | None) -> bool:
    """True only for a present, well-formed and matching X-Hub-Signature-256."""
    if not secret or not header or not isinstance(header, str):
        return False
    expected = meta_signature(secret, body)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode("ascii",
                                                                              "replace"))


def x_signature(secret: bytes | str, body: bytes | str) -> str:
    digest = hmac.new(_as_bytes(secret), _as_bytes(body), hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def verify_x_signature(secret: bytes | str, body: bytes, header: str | None) -> bool:
    """True only for a present and matching x-twitter-webhooks-signature."""
    if not secret or not header or not isinstance(header, str):
        return False
    expected = x_signature(secret, body)
    return hmac.compare_digest(expected.encode(), header.strip().encode("ascii", "replace"))


def x_crc_response(secret: bytes | str, crc_token: str) -> dict:
    """The JSON body answering X's GET ?crc_token=... challenge."""
    return {"response_token": x_signature(secret, crc_token)}
