"""Spanish language checker (tone guide, step 4 of the guideline).

Public API, used by the reply composer, the editorial calendar, the API endpoint and the
``check_text`` management command::

    from strategy.language import check_text, Finding, ToneRules, NETWORK_LIMITS, text_length

    findings = check_text("hola, q necesita?", "x", citizen_name="Ana")

Plain modules, no models, no database: safe to call anywhere. The Spanish dictionary is
loaded once per process (on first use) and cached.
"""

from strategy.language.checker import check_text, findings_as_dicts
from strategy.language.length import NETWORK_LIMITS, grapheme_count, text_length
from strategy.language.types import KINDS, Finding, ToneRules

__all__ = [
    "KINDS",
    "NETWORK_LIMITS",
    "Finding",
    "ToneRules",
    "check_text",
    "findings_as_dicts",
    "grapheme_count",
    "text_length",
]
