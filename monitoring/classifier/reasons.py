"""Reasons a person can read, translated at classification time (es-CO by default)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def _pqrsd_name(pqrsd: str) -> str:
    from monitoring.choices import PqrsdType

    try:
        return str(PqrsdType(pqrsd).label)
    except ValueError:
        return pqrsd


def label_word(label: str, word: str, *, is_sign: bool = False) -> str:
    if is_sign:
        messages = {
            "complaint": _("Contains %(sign)s (complaint sign)"),
            "question": _("Contains %(sign)s (question sign)"),
            "praise": _("Contains %(sign)s (praise sign)"),
            "other": _("Contains %(sign)s (sign of an unrelated message)"),
        }
        return messages[label] % {"sign": word}
    messages = {
        "complaint": _('Contains "%(word)s" (complaint word)'),
        "question": _('Contains "%(word)s" (question word)'),
        "praise": _('Contains "%(word)s" (praise word)'),
        "other": _('Contains "%(word)s" (word of an unrelated message)'),
    }
    return messages[label] % {"word": word}


def pqrsd_word(pqrsd: str, word: str) -> str:
    return _('PQRSD type "%(type)s" suggested by "%(word)s"') % {
        "type": _pqrsd_name(pqrsd),
        "word": word,
    }


def marker(token: str, phrase: str) -> str:
    messages = {
        "__pregunta__": _('Phrase "%(phrase)s" (typical of a question)'),
        "__sugiere__": _('Phrase "%(phrase)s" (typical of a suggestion)'),
        "__comercial__": _('Phrase "%(phrase)s" (typical of an ad or a sale)'),
        "__comunidad__": _('Phrase "%(phrase)s" (chatter among citizens)'),
        "__reclama__": _('Phrase "%(phrase)s" (typical of a complaint)'),
    }
    return messages[token] % {"phrase": phrase}


def sarcasm(praise: str, contradiction: str) -> str:
    return _('Sarcasm: "%(praise)s" contradicted by "%(contradiction)s"') % {
        "praise": praise,
        "contradiction": contradiction,
    }


def urgent_word(word: str) -> str:
    return _('Urgency word: "%(word)s"') % {"word": word}


def vulnerable_word(word: str) -> str:
    return _('Mentions a person at risk or a danger: "%(word)s"') % {"word": word}


def no_words() -> str:
    return _("No decisive word; decided from spelling patterns")


def low_confidence() -> str:
    return _("Low confidence: please review")
