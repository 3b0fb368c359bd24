"""Hand-written Spanish lexicons and rules: sentiment, urgency, sarcasm, phrase markers.

Everything here works on the output of ``text.normalise`` (lower case, no accents,
abbreviations expanded, emojis as ``__emo_*__`` tokens), so the lists are written the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --------------------------------------------------------------------------- sentiment
POSITIVE = _words("""
    gracias agradezco agradecemos agradecida agradecido agradecidos agradecidas agradecer
    excelente excelentes excelencia felicitaciones felicito felicidades felicitar felicitamos
    bueno buena buenisimo buenisima bien genial hermoso hermosa bonito bonita lindo linda bello
    bella maravilla maravilloso maravillosa espectacular espectaculares orgullo orgulloso
    orgullosa amable amables atentos atenta atento rapido rapida rapidisimo agil eficiente
    eficientes satisfecho satisfecha encanto encanta gusta gusto gustaron chevere bacano super
    aplauso aplausos bravo gran mejor mejoro limpio organizada organizado respetuosos humana
    humanos merecen apoyemos ayudaron ayudo salvaron transparente transparencia facil perfecta
    perfecto clara claro recuperarlo bendiciones feliz felices contento contenta precioso
    preciosa exito heroes practico practica util utiles comodo reconocimiento reconozco admiro
    impecable delicioso emotivo emotiva valioso valiosa recomiendo seguro tranquilos lujo divino
    destacar brillante chimba berraquera
    __emo_amor__ __emo_feliz__ __emo_aprobar__ __emo_rezo__
""")
NEGATIVE = _words("""
    pesimo pesima mal mala malo malos horrible verguenza abandono abandonado abandonada
    abandonados olvidados nadie nunca robo robando robaron robada robadas ladron ladrones
    corrupcion corruptos incompetentes incompetencia peligro peligroso peligrosa inseguridad
    hueco huecos basura sucio sucia sucios danado danada danados danadas dano danos roto rota
    rotos rotas destruida destruido colapsado colapsada inundando incendio cansados hartos colmo
    mentiras mentira mentirosos queja quejas quejarme reclamo reclamos denuncio denuncia exijo
    exigimos ilegal injusto error peor desastre caos inhumana horror pereza mamera olvida falta
    irrespeto maltrato maltratando humo atracando heridos herido urgente emergencia riesgo
    problema lastima triste tristeza indignante indignado indignada indignacion absurdo burla
    negaron cobraron idiotas payasos ratas bobo bobos hp inaceptable insoportable infierno asco
    descaro descarados chiste porqueria podrido trancon trancones imposible demora demoran
    demoro groseros grosero groseria oscuras oscuro oxidadas aguantar sufriendo desorden
    terrible fatal lamentable deficiente ineficiente incumplimiento incumplieron inservible
    estafa atropello abuso negligencia desidia caida
    __emo_enojo__ __emo_asco__ __emo_triste__ __emo_ironia__ __emo_desaprobar__ __emo_alerta__
""")
NEGATORS = _words("no ni sin nunca tampoco jamas")
INTENSIFIERS = _words("muy super demasiado tan totalmente bastante re")

# --------------------------------------------------------------------------- urgency
# Strong words alone make a complaint or question urgent (risk to life, health or safety).
URGENT_WORDS = _words("""
    urgente urgentes urgencia urgencias emergencia emergencias riesgo herido heridos herida
    heridas incendio incendios inundando inundacion inundado inundada deslizamiento derrumbe
    avalancha explosion ambulancia electrocucion electrocutar atrapadas atrapados balacera
    disparos sos auxilio maltratando maltrato desmayo colapso desbordo amenazaron muerte matar
    cuchillo perdido
""")
URGENT_PHRASES = [
    "fuga de gas", "huele a gas", "cables sueltos", "cables caidos", "cable caido",
    "se cayo un poste", "dolor en el pecho", "a punto de caer", "se va a matar", "alta tension",
    "se esta cayendo", "tubo madre", "no respira", "fiebre alta",
]
NOT_URGENT_PHRASES = ["gestion del riesgo", "sin riesgo", "no es urgente", "salida de emergencia"]
# Weak words: a vulnerable person is involved; they raise urgency only with model support.
VULNERABLE_WORDS = _words("""
    nino ninos nina ninas bebe adulta adulto abuela abuelo abuelita abuelito embarazada
    discapacidad peligro
""")

# --------------------------------------------------------------------------- sarcasm
PRAISE_MARKERS = [
    "gracias", "excelente", "felicitaciones", "bravo", "que eficiencia", "wow", "super bien",
    "aplausos", "que orgullo", "tan bonito", "tan lindo", "tan lindas", "tan lindos", "muy bien",
    "ciudad modelo", "que buen trabajo", "que gestion", "sigan asi", "__emo_aplauso__",
]
CONTRADICTION_MARKERS = [
    "por nada", "por tanto", "otra vez", "lastima", "sin agua", "sin luz", "sin acueducto",
    "nosotros sin", "nosotros con", "ya tiene huecos", "como siempre", "no contesta", "nadie",
    "no hay", "sigue", "siguen", "meses", "semanas", "__emo_ironia__", "jaja", "huecos",
    "basura", "danado", "danada",
]
_SOLO_DURATION = re.compile(r"\bsolo 0 (?:meses|semanas|dias|anos)\b")

# --------------------------------------------------------------------------- phrase markers
# Each marker found adds its token to the features: signals that generalise beyond the
# vocabulary of the corpus (a question, a suggestion, a sale, chatter among citizens).
MARKERS = {
    "__pregunta__": [
        "quisiera saber", "quiero saber", "me pueden", "me podrian", "necesito saber",
        "una pregunta", "una consulta", "pregunto", "como hago", "como puedo", "como me",
        "donde puedo", "donde se", "donde queda", "donde estan", "cuando abren", "cuando es",
        "cual es", "cuales son", "cuanto vale", "cuanto cuesta", "hay algun", "hay alguna",
        "se puede", "se pueden", "que debo", "que necesito", "que documentos", "que requisitos",
        "a que hora", "hasta que hora", "que dia", "que dias", "a quien", "informacion sobre",
        "me dicen", "me regalan", "me orientan", "me confirman",
    ],
    "__sugiere__": [
        "seria bueno", "seria ideal", "seria util", "seria muy util", "seria chevere",
        "seria genial", "propongo", "propuesta", "sugiero", "sugerencia", "recomiendo que",
        "recomendaria", "ojala", "deberian", "podrian", "que tal si", "una idea", "les sugiero",
        "por que no",
    ],
    "__comercial__": [
        "vendo", "se vende", "venta", "precio", "descuento", "promocion", "oferta", "whatsapp",
        "interno", "privado", "info al", "gane", "gana dinero", "ganaste", "sorteo", "premio",
        "link", "enlace", "mi canal", "siganme", "suscribete", "se ofrece", "servicio tecnico",
        "clases de", "cursos de", "alquilo", "se alquila", "se busca", "mi tienda", "domicilio",
    ],
    "__comunidad__": [
        "alguien sabe", "alguien tiene", "alguien para", "alguien que", "alguien mas",
        "quien tiene", "quien se acuerda", "quien mas", "etiqueten", "comparte", "compartan",
        "vean", "miren", "ya vieron",
    ],
    "__reclama__": [
        "hasta cuando", "ya van", "llevamos", "llevo", "desde hace", "sin respuesta", "nadie",
        "no hay", "no sirve", "no sirven", "no funciona", "no contestan", "no responde",
        "no responden", "exigimos", "exijo", "reporte", "reportando", "otra vez", "nunca",
        "no han", "no me han", "ni siquiera", "cero", "que pena", "que falta",
    ],
}

SARCASM_TOKEN = "__sarcasmo__"  # noqa: S105 - a feature token, not a secret


@dataclass(frozen=True)
class RuleHits:
    markers: tuple[str, ...]  # marker tokens found, e.g. "__pregunta__"
    marker_phrases: tuple[str, ...]  # the first phrase that triggered each marker, same order
    urgent: tuple[str, ...]
    vulnerable: tuple[str, ...]
    sarcasm: tuple[str, ...]
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    lexicon_score: float  # -1..1


def _has_phrase(padded: str, phrase: str) -> bool:
    return f" {phrase} " in padded


def sarcasm_markers(norm: str) -> tuple[str, ...]:
    """Praise words contradicted in the same message ("gracias por nada 👏", "qué eficiencia,
    6 meses para tapar un hueco"). Returns the praise marker and the contradiction found."""
    padded = f" {norm} "
    praise = [p for p in PRAISE_MARKERS if _has_phrase(padded, p)]
    if not praise:
        return ()
    contra = [c for c in CONTRADICTION_MARKERS if _has_phrase(padded, c)]
    if _SOLO_DURATION.search(norm):
        contra.append("solo ... meses")
    if not contra:
        return ()
    # Two claps in a row with a contradiction is a classic marker too.
    return (praise[0], contra[0])


def lexicon_score(tokens: list[str]) -> tuple[float, list[str], list[str]]:
    """Polarity from word lists with negation ("no es bueno") and intensifiers ("muy malo")."""
    pos: list[str] = []
    neg: list[str] = []
    total = 0.0
    for i, tok in enumerate(tokens):
        polarity = 1.0 if tok in POSITIVE else -1.0 if tok in NEGATIVE else 0.0
        if not polarity:
            continue
        window = tokens[max(0, i - 2) : i]
        if any(w in NEGATORS for w in window) and not tok.startswith("__"):
            polarity = -polarity
        if any(w in INTENSIFIERS for w in window):
            polarity *= 1.5
        (pos if polarity > 0 else neg).append(tok)
        total += polarity
    score = math.tanh(total / 2.0)
    return score, pos, neg


def rule_hits(norm: str) -> RuleHits:
    tokens = norm.split()
    padded = f" {norm} "
    not_urgent = any(_has_phrase(padded, p) for p in NOT_URGENT_PHRASES)
    urgent: list[str] = []
    if not not_urgent:
        urgent = [t for t in dict.fromkeys(tokens) if t in URGENT_WORDS]
        urgent += [p for p in URGENT_PHRASES if _has_phrase(padded, p)]
    vulnerable = [t for t in dict.fromkeys(tokens) if t in VULNERABLE_WORDS]
    sarcasm = sarcasm_markers(norm)
    score, pos, neg = lexicon_score(tokens)
    if sarcasm:
        # The praise words are ironic: they count against, not for.
        score = -max(abs(score), 0.5)
        pos = []
    found = {}
    for token, phrases in MARKERS.items():
        phrase = next((p for p in phrases if _has_phrase(padded, p)), None)
        if phrase:
            found[token] = phrase
    return RuleHits(
        markers=tuple(found),
        marker_phrases=tuple(found.values()),
        urgent=tuple(urgent),
        vulnerable=tuple(vulnerable),
        sarcasm=sarcasm,
        positive=tuple(dict.fromkeys(pos)),
        negative=tuple(dict.fromkeys(neg)),
        lexicon_score=score,
    )
