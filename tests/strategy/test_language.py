"""The Spanish language checker: spans, suggestions, Spanish messages, tone rules,
length counting per network, and robustness on arbitrary input."""

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategy.language import (
    KINDS,
    NETWORK_LIMITS,
    Finding,
    ToneRules,
    check_text,
    findings_as_dicts,
    grapheme_count,
    text_length,
)


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


def only(findings, kind):
    return [f for f in findings if f.kind == kind]


def spans(text, findings):
    return [(f.kind, text[f.start : f.end], f.suggestion) for f in findings]


# -- findings: span, suggestion and Spanish message -----------------------------------------


def test_sms_span_suggestion_and_spanish_message():
    text = "Hola, Ana. Gracias, q bueno saberlo."
    [finding] = check_text(text, "x", citizen_name="Ana")
    assert (finding.kind, text[finding.start : finding.end]) == ("sms_abbreviation", "q")
    assert finding.suggestion == "que"
    assert finding.message == "«q» es una abreviatura de chat; escriba la palabra completa."


def test_sms_suggestion_keeps_capital():
    text = "Hola. Gracias. Tb le enviamos el formulario."
    [finding] = check_text(text, "x")
    assert finding.suggestion == "También"


def test_x_as_network_name_is_not_an_abbreviation():
    assert check_text("Hola, gracias. Síganos en X y en Facebook.", "x") == []
    assert check_text("Hola, gracias. La sala 2 x 3 está libre.", "x") == []


def test_missing_accent_suggestion_keeps_case():
    text = "Hola, gracias. Informacion en la web."
    [finding] = check_text(text, "x")
    assert spans(text, [finding]) == [("missing_accent", "Informacion", "Información")]
    assert "tilde" in finding.message


def test_ambiguous_words_without_tilde_are_accepted():
    for text in (
        "Hola, gracias. Esta es la sede; el esta allí.",
        "Hola, gracias. Solo falta un paso, como le dijimos, y mas tarde le escribimos.",
        "Hola, gracias. Si usted publica el numero, le ayudamos con el tramite que tramite.",
    ):
        assert only(check_text(text, "x"), "missing_accent") == [], text


def test_spelling_suggestion_by_sound():
    text = "Hola, gracias. Traiga la sedula y el sertificado."
    assert spans(text, check_text(text, "x")) == [
        ("spelling", "sedula", "cédula"),
        ("spelling", "sertificado", "certificado"),
    ]


def test_names_places_acronyms_handles_urls_emails_numbers_emojis_are_not_errors():
    text = (
        "Hola, Yeison 😀. Gracias. La PQRSD 2024-0001 de @yeison_23 pasó a la EPS en "
        "Cúcuta y Montería; escriba a pqrsd@cucuta.gov.co o vea https://cucuta.gov.co/xyzqw "
        "y #MovilidadCúcuta. NIT 890.399.010-6, 3 000 000 COP, 10am."
    )
    assert check_text(text, "facebook") == []


def test_html_tags_are_not_words():
    text = "<p>Hola, gracias por <b>escribirnos</b>.</p> &nbsp;"
    assert check_text(text, "facebook") == []


def test_glossary_and_signature_words_are_accepted():
    text = "Hola, gracias. Inscríbase en ecoparchex y en MUJERES FUERTES. Equipo prensamed"
    assert {f.kind for f in check_text(text, "x")} == {"spelling", "all_caps"}
    rules = ToneRules(glossary=("ecoparchex", "MUJERES FUERTES"), signature="Equipo prensamed")
    assert check_text(text, "x", rules=rules) == []


def test_capitalised_unknown_words_are_names():
    assert check_text("Hola, Yuleidy. Gracias. Brayan y Jhon ya saben.", "x") == []


def test_capitals_suggestion_keeps_acronyms():
    text = "Hola, gracias. ATENCIÓN: LA DIAN NO COBRA POR ESTE TRÁMITE."
    [finding] = only(check_text(text, "x"), "all_caps")
    assert text[finding.start : finding.end] == "ATENCIÓN: LA DIAN NO COBRA POR ESTE TRÁMITE"
    assert finding.suggestion == "Atención: la DIAN no cobra por este trámite"


def test_short_acronym_runs_are_not_shouting():
    assert check_text("Hola, gracias. El SENA, el ICBF y la DIAN.", "x") == []
    assert check_text("Hola, gracias. Vaya a la EPS o a la IPS.", "x") == []


def test_inverted_mark_suggestion_after_greeting():
    text = "Hola, Ana, puede venir el lunes?"
    [finding] = check_text(text, "x", citizen_name="Ana")
    assert spans(text, [finding]) == [
        ("missing_inverted_mark", "puede venir el lunes?", "¿puede venir el lunes?")
    ]


def test_inverted_mark_in_a_second_sentence():
    text = "¡Hola, Ana! Gracias. Recibió el correo?"
    [finding] = check_text(text, "x", citizen_name="Ana")
    assert text[finding.start : finding.end] == "Recibió el correo?"
    assert finding.message == "Una pregunta necesita su signo de apertura «¿»."


def test_question_mark_inside_url_is_not_a_question():
    assert check_text("Hola, gracias. Vea https://x.gov.co/a?b=1 hoy.", "x") == []


# -- tone --------------------------------------------------------------------------------


def test_cold_reply_gets_one_tone_finding_with_warm_suggestion():
    text = "Su solicitud fue radicada."
    [finding] = check_text(text, "x", citizen_name="Ana Pérez")
    assert (finding.kind, finding.start, finding.end) == ("cold_tone", 0, len(text))
    assert finding.suggestion == "Hola, Ana, gracias por escribirnos."


@pytest.mark.parametrize(
    "text",
    ["Hola. Su solicitud fue radicada.", "Gracias. Radicada.", "Ana, su solicitud fue radicada."],
)
def test_greeting_or_thanks_or_name_warms_a_reply(text):
    assert check_text(text, "x", citizen_name="Ana Pérez") == []


def test_citizen_handle_counts_as_name():
    assert check_text("@ana_p su solicitud fue radicada.", "x", citizen_name="@ana_p") == []


def test_posts_are_not_checked_for_warmth():
    assert check_text("Su solicitud fue radicada.", "x", is_reply=False) == []


def test_blame_is_a_tone_finding_even_in_a_warm_reply():
    text = "Hola, Ana. Gracias. Como ya le dijimos, es su culpa."
    found = spans(text, check_text(text, "x", citizen_name="Ana"))
    assert [(k, s) for k, s, _ in found] == [
        ("cold_tone", "Como ya le dijimos"),
        ("cold_tone", "es su culpa"),
    ]


def test_require_each_asks_for_greeting_and_thanks():
    rules = ToneRules(require_each=True)
    [finding] = check_text("Ana, gracias; ya radicamos su caso.", "x", rules=rules)
    assert finding.kind == "cold_tone"
    assert "un saludo" in finding.message
    assert check_text("Hola, Ana, gracias; ya radicamos su caso.", "x", rules=rules) == []
    no_greeting = ToneRules(require_each=True, require_greeting=False)
    assert check_text("Ana, gracias; ya radicamos su caso.", "x", rules=no_greeting) == []


def test_no_requirements_no_warmth_check():
    rules = ToneRules(require_greeting=False, require_thanks=False)
    assert check_text("Su solicitud fue radicada.", "x", rules=rules) == []


def test_forbidden_phrase_spans_whitespace_variants():
    rules = ToneRules(forbidden_words=("sin embargo",))
    text = "Hola, gracias. Sin   embargo, SIN EMBARGO."
    found = only(check_text(text, "x", rules=rules), "forbidden_word")
    assert [text[f.start : f.end] for f in found] == ["Sin   embargo", "SIN EMBARGO"]


# -- length ------------------------------------------------------------------------------


def test_network_limits():
    assert NETWORK_LIMITS["x"] == 280
    assert NETWORK_LIMITS["bluesky"] == 300
    assert NETWORK_LIMITS["mastodon"] == 500
    assert NETWORK_LIMITS["instagram"] == 2200


def test_x_counts_urls_as_23_and_cjk_and_emoji_as_two():
    assert text_length("https://www.bogota.gov.co/ " + "a" * 100, "x") == 23 + 101
    assert text_length("ver gov.co/tramites", "x") == 4 + 23
    assert text_length("日本", "x") == 4
    assert text_length("👍", "x") == 2
    assert text_length("👨‍👩‍👧‍👦", "x") == 2
    assert text_length("áé", "x") == 2
    assert text_length("a\u0301", "x") == 1  # normalised to á first


def test_bluesky_counts_graphemes():
    assert grapheme_count("👨‍👩‍👧‍👦") == 1
    assert grapheme_count("🇨🇴🇨🇴") == 2
    assert grapheme_count("👍🏽") == 1
    assert grapheme_count("a\u0301e") == 2
    assert grapheme_count("\r\n") == 1
    assert grapheme_count("한국어") == 3
    assert text_length("🇨🇴" * 300, "bluesky") == 300


def test_mastodon_counts_urls_and_remote_mentions_short():
    assert text_length("@ana@social.example.co hola", "mastodon") == len("@ana hola")
    assert text_length("https://example.com/" + "x" * 200, "mastodon") == 23


def test_other_networks_count_characters():
    assert text_length("👍🏽 hola", "facebook") == 7
    assert text_length("hola", "unknown") == 4


def test_over_limit_span_starts_at_first_character_past_the_limit():
    text = "Hola, gracias. " + "a " * 200
    [finding] = only(check_text(text, "x"), "over_limit")
    assert finding.start == 280
    assert finding.end == len(text)
    assert finding.message == f"El texto tiene {text_length(text, 'x')} caracteres; X permite 280."


def test_over_limit_span_on_bluesky_counts_graphemes():
    text = "🇨🇴" * 301
    [finding] = only(check_text(text, "bluesky", is_reply=False), "over_limit")
    assert finding.start == 600  # 300 flags of two code points each
    assert "1.000" not in finding.message


def test_over_limit_message_uses_colombian_thousands():
    [finding] = only(check_text("a" * 2201, "instagram", is_reply=False), "over_limit")
    assert finding.message == "El texto tiene 2.201 caracteres; Instagram permite 2.200."


def test_rules_can_override_a_limit():
    rules = ToneRules(limits=(("mastodon", 1000),))
    assert only(check_text("a" * 700, "mastodon", rules=rules, is_reply=False), "over_limit") == []
    assert only(check_text("a" * 700, "mastodon", is_reply=False), "over_limit")


def test_unknown_network_has_no_limit():
    assert check_text("a" * 100_000, "myspace", is_reply=False) == []


# -- robustness ------------------------------------------------------------------------------


def test_findings_as_dicts_has_the_command_keys():
    [finding] = check_text("Hola. Gracias, q bueno.", "x")
    assert findings_as_dicts([finding]) == [
        {
            "kind": "sms_abbreviation",
            "start": 15,
            "end": 16,
            "message": finding.message,
            "suggestion": "que",
        }
    ]


def test_finding_is_frozen():
    finding = Finding("spelling", 0, 1, "m")
    with pytest.raises(AttributeError):
        finding.start = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02",
        "<script>alert('q')</script>",
        "<<<<>>>><a href='https://x.co'>¿¡?!</a>",
        "a." * 40_000,
        "x@" * 40_000,
        "¿" * 50_000 + "?" * 50_000,
        "\U0010ffff\ud7ff\ufeff\u200d\u200d",
        "A" * 100_000,
        "Hola q " * 20_000,
        "\u0301" * 1000,
    ],
)
def test_bad_input_does_not_crash(text):
    for network in ("x", "bluesky", "mastodon", "facebook"):
        for finding in check_text(text, network):
            assert 0 <= finding.start < finding.end <= len(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(max_size=400),
    network=st.sampled_from(["x", "facebook", "instagram", "youtube", "mastodon", "bluesky"]),
    name=st.text(max_size=30),
    forbidden=st.lists(st.text(max_size=10), max_size=3),
)
def test_property_arbitrary_unicode(text, network, name, forbidden):
    rules = ToneRules(forbidden_words=tuple(forbidden), glossary=(name,))
    findings = check_text(text, network, rules=rules, citizen_name=name)
    for finding in findings:
        assert finding.kind in KINDS
        assert 0 <= finding.start < finding.end <= len(text)
        assert isinstance(finding.message, str) and finding.message
        assert isinstance(finding.suggestion, str)
    assert findings == sorted(findings, key=lambda f: (f.start, f.end, f.kind))


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("abc.?¿!¡ ,QXé\n@#/:"), max_size=300))
def test_property_spanish_like_text(text):
    for finding in check_text(text, "x"):
        assert 0 <= finding.start < finding.end <= len(text)
