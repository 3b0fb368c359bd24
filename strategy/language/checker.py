"""``check_text``: every check of the Spanish language checker, in one pass over a text.

Each check returns findings with a span ``text[start:end]``; the word-level checks give
each word at most one finding (SMS abbreviation, then missing tilde, then spelling).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.translation import gettext as _

from strategy.language import lexicon
from strategy.language.dictionary import Dictionary, fold, fold_char, get_dictionary
from strategy.language.length import NETWORK_LIMITS, URL_RE, text_length
from strategy.language.types import Finding, ToneRules

#: Longest text checked word by word; beyond it only the length is checked (a text this
#: long is over every network's limit anyway) so a huge input cannot stall a worker.
MAX_CHECKED_CHARS = 70_000

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_HANDLE_RE = re.compile(r"(?<![\w@])@[\w.-]*\w", re.UNICODE)
_HASHTAG_RE = re.compile(r"(?<![\w#])[#$]\w+", re.UNICODE)
_HTML_RE = re.compile(r"<[^<>]{0,500}>|&#?\w{1,20};")
_PROTECTED_RES = (URL_RE, _EMAIL_RE, _HANDLE_RE, _HASHTAG_RE, _HTML_RE)

#: Zipf 4 (ten per million words): a capitalised unknown word at the start of a sentence
#: is taken for a typo only when one edit turns it into a word at least this frequent.
_FREQUENT = 1e-5

#: Longer letter strings are not looked up (no Spanish word is this long; looking up and
#: correcting a 60,000-letter "word" would cost seconds).
_LONGEST_WORD = 40

_CLOSERS = "?!"
_OPENERS = "¿¡"


def check_text(
    text: str,
    network: str,
    *,
    rules: ToneRules | None = None,
    citizen_name: str = "",
    is_reply: bool = True,
) -> list[Finding]:
    """Check ``text`` written for ``network`` (x, facebook, instagram, youtube, mastodon,
    bluesky…) and return its findings ordered by position. ``rules`` is the entity's tone
    guide; ``citizen_name`` the name (or handle) of the citizen a reply answers;
    ``is_reply`` turns on the warmth checks of replies (``cold_tone``)."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    rules = rules or ToneRules()
    findings: list[Finding] = []
    findings += _over_limit(text, network, rules)
    body = text[:MAX_CHECKED_CHARS]
    folded = "".join(fold_char(ch) for ch in body)
    protected = _protected_mask(body)
    dictionary = get_dictionary()
    accepted = _accepted_words(rules, citizen_name)
    words = [m for m in _WORD_RE.finditer(body) if not any(protected[m.start() : m.end()])]
    forbidden = _forbidden(body, folded, rules)
    taken = [False] * len(body)
    for finding in forbidden:
        taken[finding.start : finding.end] = [True] * (finding.end - finding.start)
    findings += forbidden
    caps = _all_caps(
        body, [m for m in words if not any(taken[m.start() : m.end()])], dictionary, accepted
    )
    for finding in caps:
        taken[finding.start : finding.end] = [True] * (finding.end - finding.start)
    findings += caps
    findings += _word_findings(body, words, dictionary, accepted, taken)
    findings += _inverted_marks(body, protected)
    if is_reply:
        findings += _tone(body, folded, rules, citizen_name)
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return findings


def findings_as_dicts(findings: list[Finding]) -> list[dict[str, object]]:
    """Findings as JSON-ready dicts (the API and the ``check_text`` command's format)."""
    return [finding.as_dict() for finding in findings]


# -- length -------------------------------------------------------------------------------


def _limit_for(network: str, rules: ToneRules) -> int | None:
    overrides = dict(rules.limits)
    return overrides.get(network, NETWORK_LIMITS.get(network))


def _over_limit(text: str, network: str, rules: ToneRules) -> list[Finding]:
    limit = _limit_for(network, rules)
    if limit is None:
        return []
    length = text_length(text, network)
    if length <= limit:
        return []
    # The first character past the limit: the shortest prefix that is too long.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        if text_length(text[: mid + 1], network) > limit:
            hi = mid
        else:
            lo = mid + 1
    start = min(lo, len(text) - 1)
    message = _("The text is %(length)s characters long; %(network)s allows %(limit)s.") % {
        "length": f"{length:,}".replace(",", "."),
        "network": _network_label(network),
        "limit": f"{limit:,}".replace(",", "."),
    }
    return [Finding("over_limit", start, len(text), message, "")]


def _network_label(network: str) -> str:
    labels = {
        "x": "X",
        "facebook": "Facebook",
        "instagram": "Instagram",
        "youtube": "YouTube",
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
        "linkedin": "LinkedIn",
        "tiktok": "TikTok",
    }
    return labels.get(network, network)


# -- words --------------------------------------------------------------------------------


def _protected_mask(text: str) -> list[bool]:
    """Characters inside URLs, e-mails, @handles, #hashtags and HTML tags: never words."""
    mask = [False] * len(text)
    for regex in _PROTECTED_RES:
        for m in regex.finditer(text):
            mask[m.start() : m.end()] = [True] * (m.end() - m.start())
    return mask


def _accepted_words(rules: ToneRules, citizen_name: str) -> frozenset[str]:
    accepted: set[str] = set()
    for term in (*rules.glossary, rules.signature, citizen_name):
        accepted.update(fold(w) for w in _WORD_RE.findall(term or ""))
    return frozenset(accepted)


def _is_acronym(word: str, dictionary: Dictionary, accepted: frozenset[str]) -> bool:
    return (
        word in lexicon.ACRONYMS
        or fold(word) in accepted
        or word.lower() in lexicon.PLACES
        or not dictionary.knows(word.lower())
    )


def _all_caps(
    text: str, words: list[re.Match[str]], dictionary: Dictionary, accepted: frozenset[str]
) -> list[Finding]:
    """Runs of capitalised Spanish words (not acronyms): shouting."""
    findings: list[Finding] = []
    run: list[re.Match[str]] = []
    shouty = 0
    longest = 0

    def close() -> None:
        nonlocal run, shouty, longest
        if run and (shouty >= 2 or longest >= 5):
            start, end = run[0].start(), run[-1].end()
            span = text[start:end]
            suggestion = "".join(
                piece if piece in lexicon.ACRONYMS else piece.lower()
                for piece in re.split(r"(\w+)", span)
            )
            if start == 0 or text[:start].rstrip()[-1:] in ".!?¡¿\n":
                suggestion = suggestion[:1].upper() + suggestion[1:]
            message = _("Writing in capitals reads as shouting; use lowercase.")
            findings.append(Finding("all_caps", start, end, message, suggestion))
        run, shouty, longest = [], 0, 0

    previous_end = 0
    for m in words:
        word = m.group()
        is_caps = len(word) >= 2 and word.isalpha() and word.isupper()
        gap = text[previous_end : m.start()]
        if run and (not is_caps or any(ch.isalpha() for ch in gap) or "\n" in gap):
            close()
        if is_caps:
            run.append(m)
            if not _is_acronym(word, dictionary, accepted) and len(word) >= 2:
                if len(word) >= 3:
                    shouty += 1
                longest = max(longest, len(word))
        previous_end = m.end()
    close()
    # Only the runs of shouting words, not a lone acronym inside them, remain.
    return findings


def _between_words(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    return (
        bool(before)
        and before[-1].isalpha()
        and bool(after)
        and after[0].isalpha()
        and text[start - 1 : start].isspace()
        and text[end : end + 1].isspace()
    )


def _match_case(model: str, replacement: str) -> str:
    if model.isupper() and len(model) > 1:
        return replacement.upper()
    if model[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _word_findings(
    text: str,
    words: list[re.Match[str]],
    dictionary: Dictionary,
    accepted: frozenset[str],
    taken: list[bool],
) -> list[Finding]:
    findings: list[Finding] = []
    sentence_start = True
    previous_end = 0
    for m in words:
        word, start, end = m.group(), m.start(), m.end()
        gap = text[previous_end:start]
        if any(ch in ".!?¡¿\n" for ch in gap) or previous_end == 0:
            sentence_start = True
        previous_end = end
        at_start, sentence_start = sentence_start, False
        if any(taken[start:end]):
            continue
        lower = word.lower()
        # SMS abbreviations (salu2 has a digit, so before the number check).
        expansion = lexicon.SMS_ABBREVIATIONS.get(lower)
        if expansion and not (word.isupper() and len(word) > 1):
            if lower not in lexicon.SMS_ONLY_BETWEEN_WORDS or (
                word == lower and _between_words(text, start, end)
            ):
                message = _("“%(word)s” is a chat abbreviation; write the full word.") % {
                    "word": word
                }
                findings.append(
                    Finding("sms_abbreviation", start, end, message, _match_case(word, expansion))
                )
                continue
        if not word.isalpha() or len(word) < 2 or len(word) > _LONGEST_WORD:
            continue  # numbers, codes, single letters, strings no dictionary holds
        if word.isupper():
            continue  # acronyms; shouting is the all-caps check's
        if fold(word) in accepted:
            continue
        accent = _missing_accent(lower, dictionary)
        if accent:
            message = _("“%(word)s” needs a written accent: “%(suggestion)s”.") % {
                "word": word,
                "suggestion": _match_case(word, accent),
            }
            findings.append(
                Finding("missing_accent", start, end, message, _match_case(word, accent))
            )
            continue
        if word != lower and not (at_start and word[1:] == lower[1:]):
            continue  # a name or a brand (mixed case, or capitalised mid-sentence)
        if dictionary.knows(lower):
            continue
        if word != lower:
            # Capitalised at the start of a sentence: a name unless clearly a typo.
            suggestion = dictionary.suggest(lower)
            frequent = dictionary.frequency.get(suggestion, 0) >= _FREQUENT
            if not suggestion or not (frequent or lower in lexicon.MISSPELLINGS):
                continue
        else:
            suggestion = dictionary.suggest(lower)
        message = _("“%(word)s” is not in the Spanish dictionary.") % {"word": word}
        findings.append(Finding("spelling", start, end, message, _match_case(word, suggestion)))
    return findings


def _missing_accent(lower: str, dictionary: Dictionary) -> str:
    """The accented form of ``lower`` when it is unambiguous, else ""."""
    if lower in lexicon.MISSING_ACCENTS:
        return lexicon.MISSING_ACCENTS[lower]
    if lower != fold(lower) or dictionary.knows(lower):
        return ""  # already accented, or a word as it is ("esta", "mas", "solo", "el")
    candidates = dictionary.accent_candidates(lower)
    if len(candidates) == 1:
        return candidates[0]
    return ""


# -- ¿ and ¡ ------------------------------------------------------------------------------


def _inverted_marks(text: str, protected: list[bool]) -> list[Finding]:
    """A question or exclamation whose clause has no opening ¿ or ¡."""
    findings: list[Finding] = []
    clause_start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            clause_start = i + 1
        elif ch in _CLOSERS and not protected[i]:
            j = i
            while j < n and text[j] in _CLOSERS:
                j += 1
            clause = text[clause_start:i]
            if not any(o in clause for o in _OPENERS) and any(c.isalpha() for c in clause):
                start = clause_start + (len(clause) - len(clause.lstrip()))
                # Start after the last sentence end (". ") inside the clause.
                for k in range(i - 1, start, -1):
                    if text[k] in ".;:" and text[k + 1 : k + 2].isspace():
                        start = k + 1 + (len(text[k + 1 : i]) - len(text[k + 1 : i].lstrip()))
                        break
                start = _after_vocative(text, start, i)
                opener = "¿" if text[i] == "?" else "¡"
                sentence = text[start:j]
                message = (
                    _("A question needs its opening “¿”.")
                    if opener == "¿"
                    else _("An exclamation needs its opening “¡”.")
                )
                findings.append(
                    Finding("missing_inverted_mark", start, j, message, opener + sentence)
                )
            clause_start = j
            i = j
            continue
        i += 1
    return findings


def _after_vocative(text: str, start: int, end: int) -> int:
    """Where a question starts after an opening greeting or vocative: in "Hola, Ana,
    cómo está?" the marks go around "cómo está"."""
    greeted = False
    comma = text.find(",", start, end)
    while comma != -1:
        head = text[start:comma].strip()
        folded = "".join(fold_char(ch) for ch in head)
        regex = _phrases_regex(lexicon.GREETINGS)
        is_greeting = regex is not None and regex.match(folded) is not None
        is_name = (
            greeted and 0 < len(head.split()) <= 3 and all(w[:1].isupper() for w in head.split())
        )
        if not (is_greeting or is_name):
            break
        greeted = True
        start = comma + 1
        while start < end and text[start].isspace():
            start += 1
        comma = text.find(",", start, end)
    return start


# -- forbidden words and tone -------------------------------------------------------------


@lru_cache(maxsize=256)
def _phrases_regex(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex matching any of ``phrases`` (already folded) on word boundaries, longest
    first; spaces in a phrase match any run of white space."""
    alternatives = [
        r"\s+".join(re.escape(w) for w in phrase.split())
        for phrase in sorted(set(phrases), key=len, reverse=True)
        if phrase.split()
    ]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _phrase_spans(folded: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans in ``folded`` of any of ``phrases`` on word boundaries."""
    regex = _phrases_regex(phrases)
    if regex is None:
        return []
    return [(m.start(), m.end()) for m in regex.finditer(folded)]


def _forbidden(text: str, folded: str, rules: ToneRules) -> list[Finding]:
    findings: list[Finding] = []
    phrases = tuple("".join(fold_char(ch) for ch in term) for term in rules.forbidden_words)
    for start, end in _phrase_spans(folded, phrases):
        message = _("“%(word)s” is on the tone guide's list of forbidden words.") % {
            "word": text[start:end]
        }
        findings.append(Finding("forbidden_word", start, end, message, ""))
    return findings


def _contains_any(folded: str, phrases: tuple[str, ...]) -> bool:
    regex = _phrases_regex(phrases)
    return regex is not None and regex.search(folded) is not None


def _name_parts(citizen_name: str) -> list[str]:
    parts = []
    for raw in citizen_name.split():
        token = "".join(fold_char(ch) for ch in raw.strip(",.;:"))
        if token.startswith("@"):
            parts.append(token)
        elif len(token) >= 2 and token not in lexicon.NAME_PARTICLES:
            parts.append(token)
    return parts


def _tone(text: str, folded: str, rules: ToneRules, citizen_name: str) -> list[Finding]:
    findings: list[Finding] = []
    for start, end in _phrase_spans(folded, lexicon.BLAME_PHRASES):
        message = _("This blames the citizen; explain what is needed without placing the blame.")
        suggestion = _("To continue, we kindly ask you to…")
        findings.append(Finding("cold_tone", start, end, message, suggestion))
    if not text.strip() or not (rules.require_greeting or rules.require_thanks):
        return findings
    greeted = _contains_any(folded, lexicon.GREETINGS)
    thanked = _contains_any(folded, lexicon.THANKS)
    named = any(
        (part in folded) if part.startswith("@") else _phrase_spans(folded, (part,))
        for part in _name_parts(citizen_name)
    )
    first_name = citizen_name.split()[0] if citizen_name.split() else ""
    if rules.require_each:
        missing = []
        if rules.require_greeting and not greeted:
            missing.append(_("a greeting"))
        if rules.require_thanks and not thanked:
            missing.append(_("thanks"))
        if missing:
            message = _("The tone guide asks every reply to include: %(missing)s.") % {
                "missing": ", ".join(missing)
            }
            findings.append(Finding("cold_tone", 0, len(text), message, _warm_opening(first_name)))
    elif not (greeted or thanked or named):
        message = _("The reply sounds cold: greet the citizen, thank them or call them by name.")
        findings.append(Finding("cold_tone", 0, len(text), message, _warm_opening(first_name)))
    return findings


def _warm_opening(first_name: str) -> str:
    if first_name:
        return _("Hello, %(name)s, thank you for writing to us.") % {"name": first_name}
    return _("Hello, thank you for writing to us.")
