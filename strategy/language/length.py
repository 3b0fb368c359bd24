"""How long a text is for each network, counted the way that network counts.

- X counts *weighted* characters (twitter-text v3): code points in the Latin, Greek,
  Cyrillic… ranges and general punctuation weigh 1, everything else (CJK, emoji) 2; an
  emoji sequence weighs 2 as a whole; every URL counts as 23 characters, whatever its
  length. The text is NFC-normalised first, as X does.
- Mastodon counts characters, URLs as 23 and ``@user@domain`` mentions as ``@user``.
- Bluesky counts grapheme clusters (what a reader sees as one character).
- Every other network counts Unicode characters (code points).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

#: Maximum length of a post or reply per network, in that network's unit (see above).
#: Facebook: 63,206 characters per post; YouTube: 10,000 per comment; LinkedIn: 3,000 per
#: post; TikTok and Instagram: 2,200 per caption.
NETWORK_LIMITS: dict[str, int] = {
    "x": 280,
    "bluesky": 300,
    "mastodon": 500,
    "instagram": 2200,
    "facebook": 63206,
    "youtube": 10000,
    "linkedin": 3000,
    "tiktok": 2200,
}

#: Length every URL counts for on X and Mastodon.
URL_LENGTH = 23

# A URL with a scheme, or starting with www., or a bare domain on a common TLD
# (twitter-text links "gov.co/tramites" too). Trailing punctuation is not part of it.
# The domain labels are possessive and may not start inside a word or a domain, so that
# "a.a.a.a…" costs linear, not quadratic, time.
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'«»]+[^\s<>\"'«».,;:!?¿¡)\]}]"
    r"|(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)++"
    r"(?:com|co|org|net|gov|edu|info|io|es|mx|int|app|tv|me)\b"
    r"(?:/[^\s<>\"'«»]*[^\s<>\"'«».,;:!?¿¡)\]}])?",
    re.IGNORECASE,
)

_MASTODON_MENTION_RE = re.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w", re.UNICODE)

# twitter-text v3: weight 100 (= one character) for these code point ranges, 200 otherwise.
_X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _is_regional_indicator(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def _is_pictographic(cp: int) -> bool:
    """An approximation of Unicode's Extended_Pictographic property."""
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _is_extend(ch: str) -> bool:
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or cp == 0x200C
        or 0xFE00 <= cp <= 0xFE0F
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0xE0020 <= cp <= 0xE007F
        or 0xE0100 <= cp <= 0xE01EF
    )


def _hangul_kind(cp: int) -> str:
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _joins(prev: str, ch: str, ri_count: int) -> bool:
    """Whether ``ch`` continues the grapheme cluster whose last code point is ``prev``
    (a practical subset of UAX #29's extended grapheme cluster rules)."""
    p, c = ord(prev), ord(ch)
    if prev == "\r" and ch == "\n":
        return True
    if prev in "\r\n" or ch in "\r\n":
        return False
    if _is_extend(ch) or c == 0x200D:
        return True
    if p == 0x200D and _is_pictographic(c):
        return True
    if _is_regional_indicator(p) and _is_regional_indicator(c):
        return ri_count % 2 == 1
    hp, hc = _hangul_kind(p), _hangul_kind(c)
    if hp and hc:
        return (
            (hp == "L" and hc in ("L", "V", "LV", "LVT"))
            or (hp in ("LV", "V") and hc in ("V", "T"))
            or (hp in ("LVT", "T") and hc == "T")
        )
    return False


def graphemes(text: str) -> Iterator[str]:
    """Split ``text`` into grapheme clusters."""
    cluster = ""
    ri_count = 0
    for ch in text:
        if cluster and _joins(cluster[-1], ch, ri_count):
            cluster += ch
        else:
            if cluster:
                yield cluster
            cluster = ch
            ri_count = 0
        ri_count = ri_count + 1 if _is_regional_indicator(ord(ch)) else 0
    if cluster:
        yield cluster


def grapheme_count(text: str) -> int:
    return sum(1 for _ in graphemes(text))


def _x_weight(cluster: str) -> int:
    if len(cluster) == 1 and ord(cluster) < 0x2190:
        return 1  # Latin, Greek, Cyrillic… (the common case, fast)
    if any(_is_pictographic(ord(ch)) or _is_regional_indicator(ord(ch)) for ch in cluster) and (
        len(cluster) > 1 or ord(cluster) > 0xFFFF or 0x2600 <= ord(cluster) <= 0x27BF
    ):
        return 2
    total = 0
    for ch in cluster:
        cp = ord(ch)
        total += 1 if any(lo <= cp <= hi for lo, hi in _X_LIGHT_RANGES) else 2
    return total


def _x_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for match in URL_RE.finditer(text):
        total += sum(_x_weight(g) for g in graphemes(text[pos : match.start()]))
        total += URL_LENGTH
        pos = match.end()
    total += sum(_x_weight(g) for g in graphemes(text[pos:]))
    return total


def _mastodon_length(text: str) -> int:
    text = _MASTODON_MENTION_RE.sub(r"\1", text)
    total, pos = 0, 0
    for match in URL_RE.finditer(text):
        if not match.group().lower().startswith(("http://", "https://")):
            continue  # Mastodon only shortens links it turns into links: with a scheme.
        total += match.start() - pos + URL_LENGTH
        pos = match.end()
    return total + len(text) - pos


def text_length(text: str, network: str) -> int:
    """Length of ``text`` as ``network`` counts it against ``NETWORK_LIMITS[network]``."""
    if network == "x":
        return _x_length(text)
    if network == "bluesky":
        return grapheme_count(text)
    if network == "mastodon":
        return _mastodon_length(text)
    return len(text)
