"""Value types of the Spanish language checker."""

from __future__ import annotations

from dataclasses import dataclass

#: Every kind of finding the checker reports, in the order they are documented.
KINDS: tuple[str, ...] = (
    "spelling",
    "sms_abbreviation",
    "missing_inverted_mark",
    "missing_accent",
    "all_caps",
    "forbidden_word",
    "over_limit",
    "cold_tone",
)


@dataclass(frozen=True)
class Finding:
    """One problem in a text: its kind, its span ``text[start:end]``, a Spanish message
    (already translated in the active language) and a suggested replacement, if any."""

    kind: str
    start: int
    end: int
    message: str
    suggestion: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "message": str(self.message),
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class ToneRules:
    """The entity's tone guide as the checker sees it.

    ``forbidden_words`` are words or phrases the guide bans (matched case- and
    accent-insensitively on word boundaries); ``glossary`` lists names and acronyms the
    spelling check accepts; ``require_greeting`` / ``require_thanks`` drive the
    ``cold_tone`` finding of replies; ``signature`` is the entity's sign-off, accepted by
    the spelling check.
    """

    forbidden_words: tuple[str, ...] = ()
    glossary: tuple[str, ...] = ()
    require_greeting: bool = True
    require_thanks: bool = True
    signature: str = ""
    #: Characters allowed per network, overriding ``NETWORK_LIMITS`` (e.g. a Mastodon
    #: instance with a larger limit): ``(("mastodon", 1000),)``.
    limits: tuple[tuple[str, int], ...] = ()
    #: When True, every required element (greeting, thanks) must be present on its own;
    #: when False (the default) the issue's rule applies: a reply is cold only when it
    #: has no greeting, no thanks and no use of the citizen's name.
    require_each: bool = False
