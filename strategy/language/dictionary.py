"""The Spanish dictionary: pyspellchecker's word list, widened with the lexicon and with
a small inflection guesser, loaded once per process.

pyspellchecker's Spanish list (about 86,000 words from film subtitles) lacks common words
("gracias", "hay"), many verb forms ("agradecemos", "radicado"), enclitic forms
("escríbanos") and plurals. So the known words are, besides that list and the lexicon:

- the words of wordfreq's Spanish list used at least once per million words (Zipf 3),
  except an accent-free spelling that is much rarer than its accented form ("tambien"
  against "también": a common misspelling, not a word);
- any word that stripping an enclitic pronoun, a plural or a regular verb ending leads
  to a known word.

The checker prefers missing a real error to flagging a correct word.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

from spellchecker import SpellChecker
from wordfreq import get_frequency_dict

from strategy.language import lexicon

#: Zipf 3: once per million words.
_MIN_FREQUENCY = 1e-6

_ACCENTED = str.maketrans("áéíóúü", "aeiouu")
_ADD_TILDE = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}

_ENCLITICS = (
    "selos", "selas", "selo", "sela", "noslo", "nosla", "melo", "mela", "telo", "tela",
    "nos", "les", "los", "las", "le", "lo", "la", "me", "te", "se", "os",
)  # fmt: skip

_ANY = ("ar", "er", "ir")

# Regular verb endings → infinitive endings to try (longest endings first).
_VERB_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    sorted(
        {
            # -ar
            "amos": ("ar",), "áis": ("ar",), "an": _ANY, "as": _ANY, "a": _ANY,
            "o": ("ar", "er", "ir"), "é": ("ar",), "aste": ("ar",), "ó": ("ar",),
            "asteis": ("ar",), "aron": ("ar",), "aba": ("ar",), "abas": ("ar",),
            "ábamos": ("ar",), "abais": ("ar",), "aban": ("ar",), "ado": ("ar",),
            "ada": ("ar",), "ados": ("ar",), "adas": ("ar",), "ando": ("ar",),
            "e": _ANY, "es": _ANY, "en": _ANY, "emos": ("ar", "er"),
            "éis": ("ar", "er"), "ara": ("ar",), "aras": ("ar",), "áramos": ("ar",),
            "aran": ("ar",), "ase": ("ar",), "asen": ("ar",), "are": ("ar",),
            # future and conditional are built on the infinitive
            "ará": ("ar",), "arán": ("ar",), "aremos": ("ar",), "arás": ("ar",),
            "aría": ("ar",), "arían": ("ar",), "aríamos": ("ar",), "arías": ("ar",),
            "erá": ("er",), "erán": ("er",), "eremos": ("er",), "erás": ("er",),
            "ería": ("er",), "erían": ("er",), "eríamos": ("er",),
            "irá": ("ir",), "irán": ("ir",), "iremos": ("ir",), "irás": ("ir",),
            "iría": ("ir",), "irían": ("ir",), "iríamos": ("ir",),
            # -er / -ir
            "imos": ("ir",), "ís": ("ir",), "í": ("er", "ir"), "iste": ("er", "ir"),
            "ió": ("er", "ir"), "isteis": ("er", "ir"), "ieron": ("er", "ir"),
            "ía": ("er", "ir"), "ías": ("er", "ir"), "íamos": ("er", "ir"),
            "íais": ("er", "ir"), "ían": ("er", "ir"), "ido": ("er", "ir"),
            "ida": ("er", "ir"), "idos": ("er", "ir"), "idas": ("er", "ir"),
            "iendo": ("er", "ir"), "iera": ("er", "ir"), "ieras": ("er", "ir"),
            "iéramos": ("er", "ir"), "ieran": ("er", "ir"), "iese": ("er", "ir"),
            "iesen": ("er", "ir"),
            "ar": ("ar",), "er": ("er",), "ir": ("ir",),
        }.items(),
        key=lambda item: -len(item[0]),
    )
)  # fmt: skip


def fold(word: str) -> str:
    """Lowercase without tildes or diaeresis (ñ stays ñ)."""
    return word.lower().translate(_ACCENTED)


_SOUNDS = (
    ("ch", "C"), ("qu", "k"), ("ce", "se"), ("ci", "si"), ("ge", "je"), ("gi", "ji"),
    ("ll", "y"), ("h", ""), ("z", "s"), ("v", "b"), ("c", "k"), ("x", "ks"), ("w", "u"),
)  # fmt: skip


def sound_key(word: str) -> str:
    """How ``word`` sounds in Latin American Spanish (seseo, b = v, ll = y, mute h)."""
    key = fold(word)
    for written, sound in _SOUNDS:
        key = key.replace(written, sound)
    return key


def fold_char(ch: str) -> str:
    """Fold one character to one character, so folded text keeps the offsets."""
    lowered = ch.lower()
    if len(lowered) != 1:
        return ch
    base = unicodedata.normalize("NFD", lowered)[0]
    return "ñ" if lowered == "ñ" else base


class Dictionary:
    """Known Spanish words plus the lexicon, with lookups tolerant of inflection."""

    def __init__(self) -> None:
        self.spell = SpellChecker(language="es", distance=1)
        # Frequency per word (per one word of running text) for ranking suggestions.
        self.frequency: dict[str, float] = {
            w: f for w, f in get_frequency_dict("es", "large").items() if f >= _MIN_FREQUENCY
        }
        base = set(self.spell.word_frequency.dictionary) | set(lexicon.EXTRA_WORDS)
        base |= set(lexicon.PLACES) | {a.lower() for a in lexicon.ACRONYMS}
        base |= {v for v in lexicon.MISSING_ACCENTS.values()}
        # accent-free form → the accented words that fold to it
        by_fold: dict[str, list[str]] = {}
        for word in base | set(self.frequency):
            folded = fold(word)
            if folded != word and word.isalpha():
                by_fold.setdefault(folded, []).append(word)
        self.by_fold = by_fold
        common = set()
        for word, freq in self.frequency.items():
            if not word.isalpha() or word in lexicon.MISSPELLINGS:
                continue
            accented = by_fold.get(word, ())
            if any(self.frequency.get(a, 0) > 2 * freq for a in accented):
                continue  # "tambien": a frequent misspelling of "también"
            common.add(word)
        misspelled = set(lexicon.MISSING_ACCENTS) | set(lexicon.MISSPELLINGS)
        self.words: frozenset[str] = frozenset((base | common) - misspelled)
        self._sound_index: dict[str, str] | None = None

    @lru_cache(maxsize=50_000)  # noqa: B019 - one instance per process, cached on purpose
    def knows(self, word: str) -> bool:
        """Whether ``word`` (lowercase) is Spanish: in the list or an inflection of it."""
        if word in self.words:
            return True
        if word in lexicon.MISSPELLINGS or word in lexicon.MISSING_ACCENTS:
            return False
        for enclitic in _ENCLITICS:
            if word.endswith(enclitic) and len(word) > len(enclitic) + 2:
                stem = word[: -len(enclitic)]
                if stem in self.words or fold(stem) in self.words:
                    return True
                if stem.endswith(("ar", "er", "ir", "ándo", "iéndo")) and self._verb(fold(stem)):
                    return True
        return self._plural(word) or self._verb(word) or self._adverb(word)

    def _plural(self, word: str) -> bool:
        if word.endswith("ces") and word[:-3] + "z" in self.words:
            return True
        if word.endswith("es") and word[:-2] in self.words:
            return True
        if word.endswith("es") and self._unaccent_last(word[:-2]) in self.words:
            return True  # canciones → canción
        return word.endswith("s") and word[:-1] in self.words

    def _unaccent_last(self, stem: str) -> str:
        # The plural loses the written accent: "acciones" → "acción".
        for i in range(len(stem) - 1, -1, -1):
            if stem[i] in _ADD_TILDE:
                return stem[:i] + _ADD_TILDE[stem[i]] + stem[i + 1 :]
        return stem

    def _verb(self, word: str) -> bool:
        if word.endswith(("ar", "er", "ir")) and len(word) > 4:
            # An infinitive whose common forms are known ("adjuntar": "adjunta", "adjunto").
            stem = word[:-2]
            forms = ("o", "a", "ado", "ada", "ando", "ó", "e", "en", "an", "ido", "ida", "iendo")
            if sum(stem + form in self.words for form in forms) >= 2:
                return True
        for ending, infinitives in _VERB_ENDINGS:
            if not infinitives or not word.endswith(ending) or len(word) - len(ending) < 2:
                continue
            stem = word[: -len(ending)]
            for infinitive in infinitives:
                for candidate in _stem_variants(stem):
                    if candidate + infinitive in self.words:
                        return True
        return False

    def _adverb(self, word: str) -> bool:
        return word.endswith("mente") and len(word) > 7 and word[:-5] in self.words

    def accent_candidates(self, word: str) -> list[str]:
        """Dictionary words that differ from ``word`` only by tildes."""
        return self.by_fold.get(fold(word), [])

    def suggest(self, word: str) -> str:
        """The most frequent dictionary word one edit away, or ""."""
        if word in lexicon.MISSPELLINGS:
            return lexicon.MISSPELLINGS[word]
        # Spelled as it sounds ("resivida" → "recibida"): the most frequent word that sounds
        # the same in Latin American Spanish; else the most frequent word one edit away.
        sounds_alike = self._by_sound().get(sound_key(word))
        if sounds_alike:
            return sounds_alike
        candidates = self.spell.edit_distance_1(word) & self.words
        if not candidates:
            return ""
        return max(candidates, key=lambda w: (self.frequency.get(w, 0), w))

    def _by_sound(self) -> dict[str, str]:
        if self._sound_index is None:
            index: dict[str, str] = {}
            for word in sorted(self.frequency, key=self.frequency.__getitem__):
                if word in self.words:
                    index[sound_key(word)] = word  # the most frequent one wins
            self._sound_index = index
        return self._sound_index


def _stem_variants(stem: str) -> tuple[str, ...]:
    """A verb stem and its usual spelling and vowel changes (busqu-é → busc-ar,
    pag-u-é → pag-ar, pienso → pensar, puedo → poder, pido → pedir)."""
    variants = [stem, fold(stem)]
    if stem.endswith("qu"):
        variants.append(stem[:-2] + "c")
    if stem.endswith("gu"):
        variants.append(stem[:-1])
    if stem.endswith("c"):
        variants.append(stem[:-1] + "z")
    if stem.endswith("zc"):
        variants.append(stem[:-2] + "c")
    if stem.endswith("j"):
        variants.append(stem[:-1] + "g")
    for old, new in (("ie", "e"), ("ue", "o"), ("i", "e"), ("y", "i")):
        pos = stem.rfind(old)
        if pos >= 0:
            variants.append(stem[:pos] + new + stem[pos + len(old) :])
    return tuple(variants)


_lock = threading.Lock()
_instance: Dictionary | None = None


def get_dictionary() -> Dictionary:
    """The process-wide dictionary, built on first use (about a quarter of a second)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = Dictionary()
    return _instance
