"""Reasons a person can read, translated at classification time (es-CO by default).

Every mention gets three to five reasons, each from a fixed set of templates: asking gettext
for the template each time took a fifth of the classifier's time (cProfile, 13 calls per
mention). The templates are translated once per language and kept (`_translated`); only the
words change from one mention to the next.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

LABEL_WORD = {
    "complaint": gettext_noop('Contains "%(word)s" (complaint word)'),
    "question": gettext_noop('Contains "%(word)s" (question word)'),
    "praise": gettext_noop('Contains "%(word)s" (praise word)'),
    "other": gettext_noop('Contains "%(word)s" (word of an unrelated message)'),
}
LABEL_SIGN = {
    "complaint": gettext_noop("Contains %(sign)s (complaint sign)"),
    "question": gettext_noop("Contains %(sign)s (question sign)"),
    "praise": gettext_noop("Contains %(sign)s (praise sign)"),
    "other": gettext_noop("Contains %(sign)s (sign of an unrelated message)"),
}
MARKER = {
    "__pregunta__": gettext_noop('Phrase "%(phrase)s" (typical of a question)'),
    "__sugiere__": gettext_noop('Phrase "%(phrase)s" (typical of a suggestion)'),
    "__comercial__": gettext_noop('Phrase "%(phrase)s" (typical of an ad or a sale)'),
    "__comunidad__": gettext_noop('Phrase "%(phrase)s" (chatter among citizens)'),
    "__reclama__": gettext_noop('Phrase "%(phrase)s" (typical of a complaint)'),
}
PQRSD_WORD = gettext_noop('PQRSD type "%(type)s" suggested by "%(word)s"')
SARCASM = gettext_noop('Sarcasm: "%(praise)s" contradicted by "%(contradiction)s"')
URGENT_WORD = gettext_noop('Urgency word: "%(word)s"')
VULNERABLE_WORD = gettext_noop('Mentions a person at risk or a danger: "%(word)s"')
NO_WORDS = gettext_noop("No decisive word; decided from spelling patterns")
LOW_CONFIDENCE = gettext_noop("Low confidence: please review")

_TEMPLATES = (*LABEL_WORD.values(), *LABEL_SIGN.values(), *MARKER.values(), PQRSD_WORD,
              SARCASM, URGENT_WORD, VULNERABLE_WORD, NO_WORDS, LOW_CONFIDENCE)


@lru_cache(maxsize=16)
def _translated(language: str | None) -> dict[str, str]:
    """Every template and PQRSD type name in `language` (the active one when called)."""
    from monitoring.choices import PqrsdType

    table = {template: gettext(template) for template in _TEMPLATES}
    table.update({f"pqrsd:{value}": str(label) for value, label in PqrsdType.choices})
    return table


def _t(template: str) -> str:
    return _translated(translation.get_language())[template]


def _pqrsd_name(pqrsd: str) -> str:
    return _translated(translation.get_language()).get(f"pqrsd:{pqrsd}", pqrsd)


def label_word(label: str, word: str, *, is_sign: bool = False) -> str:
    if is_sign:
        return _t(LABEL_SIGN[label]) % {"sign": word}
    return _t(LABEL_WORD[label]) % {"word": word}


def pqrsd_word(pqrsd: str, word: str) -> str:
    return _t(PQRSD_WORD) % {"type": _pqrsd_name(pqrsd), "word": word}


def marker(token: str, phrase: str) -> str:
    return _t(MARKER[token]) % {"phrase": phrase}


def sarcasm(praise: str, contradiction: str) -> str:
    return _t(SARCASM) % {"praise": praise, "contradiction": contradiction}


def urgent_word(word: str) -> str:
    return _t(URGENT_WORD) % {"word": word}


def vulnerable_word(word: str) -> str:
    return _t(VULNERABLE_WORD) % {"word": word}


def no_words() -> str:
    return _t(NO_WORDS)


def low_confidence() -> str:
    return _t(LOW_CONFIDENCE)
