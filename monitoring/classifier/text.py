"""Spanish-aware text normalisation for the mention classifier.

Social-media Spanish arrives with and without accents, in capitals, with SMS abbreviations
("xq", "q", "xfa"), stretched letters ("muuuy"), laughter ("jajaja"), emojis and sarcasm.
``normalise`` maps all of that onto one canonical, accent-free, lower-case form so that the
n-gram features see "Pésimo", "pesimo" and "PESIMOOO" as the same word. Emojis and a few
signals (question mark, exclamation, sarcasm, handles, links) become explicit ``__tokens__``
that the model can weigh and the reasons can name.
"""

from __future__ import annotations

import re
import unicodedata

# Emoji -> (token, display). Tokens group emojis of the same meaning.
EMOJI_TOKENS: dict[str, str] = {}
EMOJI_DISPLAY: dict[str, str] = {}
_EMOJI_GROUPS = {
    "__emo_enojo__": "😡😠🤬😤👿💢",
    "__emo_asco__": "🤢🤮💩",
    "__emo_triste__": "😢😭😞😔☹🙁😩😫😰😥💔",
    "__emo_ironia__": "🙄🙃🤡😒🤦🤷😑😐",
    "__emo_aplauso__": "👏",
    "__emo_amor__": "❤💚💙💛💜🧡🤍😍🥰😘♥💕💖",
    "__emo_feliz__": "😊🙂😀😃😄😁☺🥳🎉🎊✨🌟⭐💯",
    "__emo_aprobar__": "👍🙌💪👌✅🔝🏆",
    "__emo_desaprobar__": "👎❌🚫",
    "__emo_rezo__": "🙏",
    "__emo_risa__": "😂🤣😆😅",
    "__emo_alerta__": "🚨⚠🆘🔥😱😨",
    "__emo_dinero__": "💰💵💸🤑",
}
for _token, _chars in _EMOJI_GROUPS.items():
    for _ch in _chars:
        EMOJI_TOKENS[_ch] = _token
    EMOJI_DISPLAY[_token] = _chars[0]

# Abbreviations seen in Colombian social media, written without accents (normalised form).
ABBREVIATIONS = {
    "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque",
    "x": "por", "xfa": "por favor", "porfa": "por favor", "plis": "por favor", "pls": "por favor",
    "tb": "tambien", "tmb": "tambien", "tbn": "tambien", "pa": "para", "d": "de", "dnd": "donde",
    "cdo": "cuando", "nd": "nada", "grax": "gracias", "grs": "gracias", "grcs": "gracias",
    "slds": "saludos", "info": "informacion", "mxo": "mucho", "ta": "esta", "bn": "bien",
    "msj": "mensaje", "ud": "usted", "uds": "ustedes", "cra": "carrera", "kra": "carrera",
    "cll": "calle", "av": "avenida", "tqm": "te quiero mucho", "hrs": "horas", "hr": "hora",
    "xa": "para", "tamb": "tambien", "aki": "aqui", "aka": "aca", "vdd": "verdad",
    "npi": "ni idea", "sr": "senor", "sra": "senora", "dr": "doctor", "m": "me",
}

# Function words never shown as a reason on their own (they still count as features).
STOPWORDS = frozenset(
    "a al algo con de del el en es esa ese esta este esto ha hace hay la las le les lo los me mi "
    "mis nos o para pero por que se si su sus te tu un una uno unos unas y ya yo".split()
)

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w[\w.]*")
_LAUGH = re.compile(r"\b(?:[jh][aeiou]){2,}[jh]?\b")
_VOWEL_RUN = re.compile(r"([aeiou])\1{2,}")
_CONS_RUN = re.compile(r"([b-df-hj-np-tv-z])\1{2,}")
_DIGITS = re.compile(r"\d+")
_QUESTION = re.compile(r"[¿?]+")
_EXCLAIM = re.compile(r"[¡!]+")
_NON_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """'Petición' -> 'Peticion' (ñ becomes n too, which is how people type without it)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _emoji_pass(text: str) -> str:
    out = []
    for ch in text:
        token = EMOJI_TOKENS.get(ch)
        if token:
            out.append(f" {token} ")
        elif unicodedata.category(ch) == "So":
            out.append(" __emo_otro__ ")
        elif ch in "\u200d\ufe0f\ufe0e" or unicodedata.category(ch) == "Sk":
            continue  # joiners, variation selectors and skin tones
        else:
            out.append(ch)
    return "".join(out)


def normalise(text: str) -> str:
    """Return the canonical form used by every feature and rule."""
    text = text or ""
    text = _URL.sub(" __url__ ", text)
    text = _HANDLE.sub(" __mencion__ ", text)
    text = _emoji_pass(text)
    text = strip_accents(text).lower()
    text = _QUESTION.sub(" __preg__ ", text)
    text = _EXCLAIM.sub(" __excl__ ", text)
    text = text.replace("#", " ")
    text = _DIGITS.sub("0", text)
    text = _NON_WORD.sub(" ", text)
    text = _VOWEL_RUN.sub(r"\1", text)
    text = _CONS_RUN.sub(r"\1\1", text)
    text = _LAUGH.sub("jaja", text)
    words = [ABBREVIATIONS.get(w, w) for w in _SPACES.split(text) if w]
    return " ".join(words)


def words(normalised: str) -> list[str]:
    return normalised.split()
