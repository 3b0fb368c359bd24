"""Spanish first: every catalogue complete, no fuzzy entries, placeholders kept."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/es/LC_MESSAGES/django.po") if ".venv" not in p.parts
)
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def test_there_are_catalogues():
    assert ROOT / "locale/es/LC_MESSAGES/django.po" in CATALOGUES
    assert ROOT / "strategy/locale/es/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(path):
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid_plural:
            continue
        assert set(_PLACEHOLDER.findall(entry.msgid)) == set(_PLACEHOLDER.findall(entry.msgstr)), (
            f"{path}: {entry.msgid!r} → {entry.msgstr!r}")


def test_default_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "es-co"
    assert settings.TIME_ZONE == "America/Bogota"


def test_colombian_number_and_date_formats():
    from datetime import date

    from django.utils import formats, translation

    with translation.override("es-co"):
        assert formats.number_format(1234567.5, 1, force_grouping=True) == "1.234.567,5"
        assert formats.date_format(date(2026, 12, 8), "SHORT_DATE_FORMAT") == "08/12/2026"
