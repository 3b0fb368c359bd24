"""Item 4 of issue 11: property-based tests on arbitrary Unicode.

tests/channels_app/platforms/test_parsers_fuzz.py already feeds every parser arbitrary
JSON-shaped input. Here the *real* recorded payloads of every network keep their shape and
every string in them becomes arbitrary Unicode (NUL, lone combining marks, RTL marks, emoji,
private-use and non-characters): the parsers must never raise anything but a PlatformError,
what they return must be storable — the ingestion writes it to the database (PostgreSQL
refuses NUL in text and in jsonb) and the round trip keeps every other character — and the
language checker must survive arbitrary text *and* arbitrary tone rules.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from channels_app.platforms import PlatformError, facebook, instagram, mastodon, x, youtube
from channels_app.platforms.base import AuthorData, NormalizedMention
from strategy.language import check_text
from strategy.language.types import ToneRules

FIXTURES = Path(__file__).resolve().parents[1] / "channels_app" / "platforms" / "fixtures"

# (fixture file, parser): each recorded payload with the parser that reads it.
CASES = [
    ("x_mentions_page1.json", x.parse_page),
    ("x_search_posts_dialect.json", x.parse_page),
    ("facebook_feed.json", lambda p: [facebook.parse_post(i) for i in p.get("data", [])]
     if isinstance(p, dict) else facebook.parse_post(p)),
    ("facebook_comments.json", lambda p: [facebook.parse_comment(i, "1_2")
                                          for i in p.get("data", [])]
     if isinstance(p, dict) else None),
    ("instagram_comments.json", lambda p: instagram.parse_comments_page(p, {"id": "1"})),
    ("youtube_threads_page1.json", youtube.parse_threads_page),
    ("mastodon_notifications.json", mastodon.parse_notifications),
]

# Unicode with no restriction but surrogates (which Python strings from JSON cannot hold).
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


def _load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _mutate(value, draw):
    """The payload's shape with every string replaced by arbitrary Unicode."""
    if isinstance(value, dict):
        return {k: _mutate(v, draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_mutate(v, draw) for v in value]
    if isinstance(value, str):
        return draw(st.one_of(ANY_TEXT, st.just(value), ANY_TEXT.map(lambda s: value + s)))
    return value


def _mentions(parsed):
    if isinstance(parsed, tuple):
        parsed = parsed[0]
    if isinstance(parsed, NormalizedMention):
        return [parsed]
    return [m for m in (parsed or []) if isinstance(m, NormalizedMention)]


@pytest.mark.parametrize(("fixture", "parser"), CASES, ids=[c[0] for c in CASES])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_recorded_payloads_with_arbitrary_unicode(fixture, parser, data):
    payload = _mutate(_load(fixture), data.draw)
    try:
        parsed = parser(payload)
    except PlatformError:
        return
    for mention in _mentions(parsed):
        assert isinstance(mention.text, str)
        assert isinstance(mention.external_id, str)
        assert isinstance(mention.author.handle, str)
        json.dumps(mention.raw)  # still serialisable for the jsonb column


def test_every_recorded_payload_parses_unchanged():
    """Guard: the unmutated fixtures give mentions, so the property above exercises parsing."""
    for fixture, parser in CASES:
        assert _mentions(parser(_load(fixture))), fixture


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=600),
       network=st.sampled_from(["x", "facebook", "instagram", "youtube", "mastodon",
                                "bluesky", "", "desconocida"]),
       forbidden=st.lists(ANY_TEXT, max_size=4), glossary=st.lists(ANY_TEXT, max_size=4),
       signature=ANY_TEXT, name=ANY_TEXT, is_reply=st.booleans())
def test_language_checker_on_arbitrary_unicode_and_rules(text, network, forbidden, glossary,
                                                         signature, name, is_reply):
    rules = ToneRules(forbidden_words=tuple(forbidden), glossary=tuple(glossary),
                      signature=signature)
    findings = check_text(text, network, rules=rules, citizen_name=name, is_reply=is_reply)
    for finding in findings:
        assert 0 <= finding.start <= finding.end <= len(text)


# --- Storing what the parsers return --------------------------------------------------------

_counter = iter(range(10**9))


def _mention(text, handle, name, raw_value):
    n = next(_counter)
    return NormalizedMention(
        platform="x", external_id=f"u{n}",
        author=AuthorData(external_id=f"a{n}", handle=handle, name=name),
        text=text, created_at=datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
        url=f"https://x.com/i/status/{n}", raw={"text": raw_value, "n": n})


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200),
       handle=ANY_TEXT, name=ANY_TEXT, raw_value=ANY_TEXT)
@example(text="a\x00b <script>\u202e\ufeff", handle="\x00", name="N\x00", raw_value="\x00")
def test_ingesting_arbitrary_unicode_stores_it(entity, text, handle, name, raw_value):
    """A network may send any character, NUL included: the mention is stored, not lost.

    PostgreSQL refuses U+0000 in text and jsonb; everything else must survive the round trip.
    """
    from monitoring.choices import MentionSource
    from monitoring.models import Mention
    from monitoring.services import mention_ingest_batch

    item = _mention(text, handle, name, raw_value)
    result = mention_ingest_batch(entity=entity, mentions=[item], source=MentionSource.POLL)
    assert result.created == 1
    stored = Mention.objects.select_related("author").get(entity=entity,
                                                          external_id=item.external_id)
    assert stored.text.replace("\x00", "") == text.replace("\x00", "")
    assert stored.author.name.replace("\x00", "") == name.replace("\x00", "")[:300]
