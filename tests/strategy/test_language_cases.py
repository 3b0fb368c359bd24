"""The Spanish language checker on hand-written cases: each text with the exact set of
finding kinds it must produce (an empty set: a clean, warm, correct text)."""

import pytest
from django.utils import translation

from strategy.language import NETWORK_LIMITS, ToneRules, check_text

NAME = "Ana María Pérez"

# (text, network, expected kinds); replies to NAME unless said otherwise.
CASES = [
    # -- warm, correct replies: no finding -------------------------------------------------
    ("Hola, Ana. Gracias por escribirnos. Ya radicamos su solicitud.", "x", set()),
    (
        "Buenos días, señora Pérez. Le agradecemos su mensaje; su trámite está en revisión.",
        "facebook",
        set(),
    ),
    (
        "¡Hola, Ana María! ¿Nos confirma su número de cédula por mensaje privado? Gracias.",
        "instagram",
        set(),
    ),
    (
        "Buenas tardes. Con gusto le ayudamos: puede consultar el estado en "
        "https://www.medellin.gov.co/pqrsd o escribir a atencion@medellin.gov.co.",
        "x",
        set(),
    ),
    (
        "Gracias por su paciencia, Ana. La Secretaría de Movilidad de Bogotá ya programó "
        "la reparación del semáforo.",
        "mastodon",
        set(),
    ),
    (
        "Hola, @anaperez 👋. Le agradecemos el aviso; el equipo del ICBF ya está en el sitio. "
        "#BogotáCuida",
        "bluesky",
        set(),
    ),
    (
        "Cordial saludo. Su PQRSD quedó radicada con el número 2024-000123 y la DIAN le "
        "responderá en 15 días hábiles.",
        "youtube",
        set(),
    ),
    (
        "Ana, muchas gracias por avisarnos. Escríbanos por mensaje directo y revisamos su caso.",
        "x",
        set(),
    ),
    (
        "Hola. Esta semana el SENA abre inscripciones en Cali, Medellín y Barranquilla. "
        "¡Le esperamos!",
        "facebook",
        set(),
    ),
    (
        "Estimada Ana: gracias por su comentario. Solo falta adjuntar el RUT y el NIT de la "
        "empresa. ¿Nos los envía?",
        "instagram",
        set(),
    ),
    (
        "Hola, Ana. Él nos contó que el trámite está listo; más información en nuestra web.",
        "x",
        set(),
    ),
    (
        "Gracias por escribirnos. Como le contamos, el subsidio se paga el próximo lunes.",
        "mastodon",
        set(),
    ),
    (
        "Buenas noches, Ana. Entendemos su molestia y le ofrecemos disculpas por la demora.",
        "bluesky",
        set(),
    ),
    ("¡Qué buena noticia, Ana! Gracias por contarnos que ya recibió su cédula.", "x", set()),
    ("Hola, Ana. ¿Ya pudo comunicarse con la EPS? Quedamos atentos. Saludos.", "x", set()),
    # -- SMS abbreviations ----------------------------------------------------------------
    ("Hola, Ana, q necesita?", "x", {"sms_abbreviation", "missing_inverted_mark"}),
    ("Hola, Ana. Gracias xq nos escribe.", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias, tb revisamos su caso.", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias, tmb revisamos su caso.", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias. Díganos dnd vive.", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias, k bueno saberlo.", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias. Envíenos su cédula xfa.", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias por escribir. Salu2", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias x escribirnos.", "x", {"sms_abbreviation"}),
    ("Hola, Ana. Gracias pq nos ayuda a mejorar.", "x", {"sms_abbreviation"}),
    # -- opening marks ----------------------------------------------------------------------
    ("Hola, Ana. Gracias. Ya recibió el correo?", "x", {"missing_inverted_mark"}),
    ("Hola, Ana. Gracias por avisar!", "x", {"missing_inverted_mark"}),
    ("Hola, Ana. ¿Recibió el correo? Gracias. Puede llamarnos?", "x", {"missing_inverted_mark"}),
    ("Hola, Ana, ¿cómo le fue con el trámite? Gracias.", "x", set()),
    ("¡Gracias, Ana! ¿Le llegó el mensaje?!", "x", set()),
    # -- missing tildes -----------------------------------------------------------------------
    ("Hola, Ana. Gracias. Toda la informacion está en la web.", "x", {"missing_accent"}),
    ("Hola, Ana. Gracias por su atencion.", "x", {"missing_accent"}),
    ("Hola, Ana. Gracias, tambien revisamos su caso.", "x", {"missing_accent"}),
    ("Hola, Ana. Gracias. Ademas, le enviamos el formulario.", "x", {"missing_accent"}),
    ("Hola, Ana. Gracias. Llame al telefono de la línea de atención.", "x", {"missing_accent"}),
    ("Hola, Ana. Gracias. Lo esperamos aqui el lunes.", "x", {"missing_accent"}),
    ("Hola, Ana. Gracias. La oficina de Medellin abre a las 8.", "x", {"missing_accent"}),
    # ambiguous words are never flagged
    (
        "Hola, Ana. Gracias. Esta oficina esta abierta; el solo pidió mas tiempo, como usted.",
        "x",
        set(),
    ),
    ("Hola, Ana. Gracias. La entidad publica el informe y numero cada página.", "x", set()),
    # -- capitals ----------------------------------------------------------------------------
    ("Hola, Ana. Gracias. NO HAY CITAS DISPONIBLES.", "x", {"all_caps"}),
    ("Hola, Ana. Gracias. Esto es URGENTE.", "x", {"all_caps"}),
    ("Hola, Ana. Gracias. El ICBF y la DIAN atienden en la sede del SENA.", "x", set()),
    # -- spelling -----------------------------------------------------------------------------
    ("Hola, Ana. Gracias. Su solisitud fue aprobada.", "x", {"spelling"}),
    ("Hola, Ana. Grasias por escribirnos.", "x", {"spelling"}),
    ("Hola, Ana. Gracias. Le nesecitamos en la oficina.", "x", {"spelling"}),
    ("Hola, Ana. Gracias. El documento se perdio en el sistema.", "x", {"missing_accent"}),
    ("Hola, Ana. Gracias. Revisamos el exspediente hoy.", "x", {"spelling"}),
    # -- tone -----------------------------------------------------------------------------
    ("Su solicitud fue radicada.", "x", {"cold_tone"}),
    ("Radicado 2024-55. Plazo: 15 días hábiles.", "facebook", {"cold_tone"}),
    ("Hola, Ana. Eso pasó por su culpa, debió leer las instrucciones.", "x", {"cold_tone"}),
    ("Gracias. Como ya le dijimos, el trámite es presencial.", "x", {"cold_tone"}),
    ("Ana, su solicitud fue radicada.", "x", set()),
    # -- not a reply: no tone check ------------------------------------------------------
    ("Mañana abre la feria de empleo en Cúcuta.", "x", set()),
]

LIMIT_CASES = [
    ("x", "a" * 280, set()),
    ("x", "a" * 281, {"over_limit"}),
    ("x", "日" * 141, {"over_limit"}),
    ("bluesky", "é" * 300, set()),
    ("bluesky", "👍🏽" * 301, {"over_limit"}),
    ("mastodon", "a" * 501, {"over_limit"}),
    ("instagram", "a" * 2201, {"over_limit"}),
    ("facebook", "a" * 63207, {"over_limit"}),
    ("youtube", "a" * 10001, {"over_limit"}),
]


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


@pytest.mark.parametrize(("text", "network", "expected"), CASES)
def test_case(text, network, expected):
    is_reply = not text.startswith("Mañana")
    findings = check_text(text, network, citizen_name=NAME, is_reply=is_reply)
    assert {f.kind for f in findings} == expected, findings
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.message


@pytest.mark.parametrize(("network", "text", "expected"), LIMIT_CASES)
def test_limit_case(network, text, expected):
    findings = [f for f in check_text(text, network, is_reply=False) if f.kind == "over_limit"]
    assert {f.kind for f in findings} == expected
    if findings:
        assert findings[0].end == len(text)
        assert str(NETWORK_LIMITS[network]).replace("2200", "2.200")[:2] in findings[0].message


def test_there_are_at_least_sixty_cases():
    assert len(CASES) + len(LIMIT_CASES) >= 60


def test_forbidden_words_accent_and_case_insensitive():
    rules = ToneRules(forbidden_words=("usuario", "de manera inmediata"))
    text = "Hola, Ana. Gracias, estimado USUARIO; lo haremos de manera inmediata."
    findings = check_text(text, "x", rules=rules, citizen_name=NAME)
    spans = sorted((f.kind, text[f.start : f.end]) for f in findings)
    assert spans == [("forbidden_word", "USUARIO"), ("forbidden_word", "de manera inmediata")]
