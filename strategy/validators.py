"""Colombian NIT (Número de Identificación Tributaria) with its DIAN check digit."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# DIAN's weights, applied from the rightmost digit of the base number leftwards.
_NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_NIT_PATTERN = re.compile(r"^(\d{6,15})-?(\d)$")


def nit_check_digit(base: str) -> int:
    pairs = zip(reversed(base), _NIT_WEIGHTS, strict=False)
    total = sum(int(digit) * weight for digit, weight in pairs)
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


def normalize_nit(raw: str) -> str:
    """Return the NIT as `base-dv` (digits only), or raise ValidationError in Spanish."""
    cleaned = re.sub(r"[\s.]", "", raw or "")
    match = _NIT_PATTERN.match(cleaned)
    if not match:
        raise ValidationError(
            _("Enter the NIT as digits with its check digit, for example 899999061-9."),
            code="nit_format",
        )
    base, check = match.groups()
    expected = nit_check_digit(base)
    if int(check) != expected:
        raise ValidationError(
            _("The check digit of NIT %(base)s should be %(expected)s, not %(check)s."),
            code="nit_check_digit",
            params={"base": base, "expected": expected, "check": check},
        )
    return f"{base}-{check}"


def validate_nit(value: str) -> None:
    normalize_nit(value)
