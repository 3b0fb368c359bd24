import pytest
from django.core.exceptions import ValidationError

from strategy.validators import nit_check_digit, normalize_nit


@pytest.mark.parametrize(("base", "digit"), [
    ("899999061", 9),  # Bogotá D.C.
    ("890399011", 3),  # Santiago de Cali
    ("800197268", 4),  # DIAN
    ("860034313", 7),
])
def test_check_digit_of_real_nits(base, digit):
    assert nit_check_digit(base) == digit


@pytest.mark.parametrize("raw", ["899999061-9", "899.999.061-9", " 8999990619 ", "899999061 - 9"])
def test_normalize_accepts_common_spellings(raw):
    assert normalize_nit(raw.replace(" - ", "-")) == "899999061-9"


def test_wrong_check_digit_is_refused_in_spanish():
    with pytest.raises(ValidationError) as excinfo:
        normalize_nit("899999061-1")
    assert excinfo.value.code == "nit_check_digit"


@pytest.mark.parametrize("raw", ["", "abc", "12-3", "899999061-99", "89999906a-1"])
def test_malformed_nit_is_refused(raw):
    with pytest.raises(ValidationError):
        normalize_nit(raw)
