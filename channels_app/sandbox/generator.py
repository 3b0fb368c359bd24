"""A deterministic stream of what Colombian citizens write to a public entity, in Spanish.

Complaints (potholes, water, garbage, lighting, security, health post queues, PQRSD not
answered), questions (office hours, requirements, tax deadlines), praise, trolls and
insults, spam — with colloquial writing: some without accents, typos, abbreviations and
emojis. Every post carries the label it was generated as, so tests can compare.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

FIRST_NAMES = ["María", "José", "Luz Dary", "Carlos", "Yurany", "Andrés", "Diana", "Jhon Fredy",
               "Paola", "Luis Fernando", "Marleny", "Camilo", "Sandra", "Wilson", "Valentina",
               "Edwin", "Gloria", "Brayan", "Nubia", "Sebastián", "Yeison", "Leidy", "Óscar",
               "Daniela", "Hernán", "Mónica", "Fabio", "Karen", "Alirio", "Stella"]
LAST_NAMES = ["Rodríguez", "Gómez", "Martínez", "Restrepo", "Ospina", "Muñoz", "Cárdenas",
              "Quintero", "Zapata", "Londoño", "Gutiérrez", "Ramírez", "Castaño", "Arango",
              "Valencia", "Patiño", "Mejía", "Rincón", "Becerra", "Suárez"]
NEIGHBOURHOODS = ["barrio El Carmen", "barrio La Esperanza", "vereda La Palma",
                  "barrio Villa del Río", "barrio San Judas", "la Comuna 3", "barrio Los Almendros",
                  "vereda El Tablazo", "barrio Obrero", "urbanización Portal del Valle",
                  "barrio Santa Rita", "la carrera 7 con calle 12", "el parque principal",
                  "barrio Las Brisas", "corregimiento El Placer"]
PLACES = ["Palmira", "Tuluá", "Buga", "Cartago", "Cali", "Jamundí", "Sevilla", "Roldanillo"]
ROADS = ["la vía a Buga", "la Panamericana", "la salida a Tuluá", "la calle 5",
         "la variante", "el puente de la 14", "la glorieta del Éxito"]

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "alcaldia": {
        "complaint": [
            "@{handle} el hueco de {place} ya parece una piscina, llevamos {n} meses reportándolo "
            "y nada. ¿Hasta cuándo?",
            "@{handle} otra vez sin agua en el {place}, {n} días completos. Los niños no pudieron "
            "ir al colegio bañados. Una vergüenza",
            "@{handle} el carro de la basura no pasa por {place} desde el {weekday}, ya huele "
            "horrible y hay ratas",
            "@{handle} las lámparas del {place} llevan {n} semanas apagadas, de noche eso es "
            "boca de lobo y ya robaron a dos vecinos",
            "@{handle} en {place} están atracando a la salida del colegio, pedimos presencia de "
            "la policía urgente por favor",
            "@{handle} en el puesto de salud del {place} hay que hacer fila desde las 4 am para "
            "una ficha, mi mamá de 80 años no aguanta",
            "@{handle} radiqué un derecho de petición hace {n} días hábiles y no me han "
            "respondido, eso es ilegal. Radicado 2026-{radicado}",
            "@{handle} mande una PQRS hace un mes por el alcantarillado del {place} y nadie "
            "contesta, q pasa??",
            "@{handle} el parque del {place} está lleno de escombros y los niños no tienen "
            "dónde jugar 😡",
            "@{handle} se volvió a desbordar la quebrada en {place}, las casas inundadas y "
            "nadie de gestión del riesgo ha venido",
            "@{handle} cobraron el predial dos veces y en la ventanilla me dicen que vuelva "
            "el {weekday}. Ya es la tercera vez",
            "@{handle} denuncio que el contratista de la obra del {place} abandonó los trabajos "
            "y se llevó la plata, ¿quién responde?",
        ],
        "question": [
            "@{handle} buenas, ¿a qué horas atienden en la ventanilla única el {weekday}?",
            "@{handle} hola, qué requisitos piden para el subsidio de vivienda? gracias",
            "@{handle} ¿hasta cuándo hay plazo para pagar el predial con descuento?",
            "@{handle} buenas tardes, como hago para sacar el certificado de residencia? "
            "se puede por internet?",
            "@{handle} ¿dónde me puedo inscribir para el programa de adulto mayor?",
            "@{handle} q documentos necesito para inscribir a mi hijo en la escuela de "
            "fútbol del municipio?",
            "@{handle} ¿la jornada de vacunación del {weekday} es en el {place} o en el "
            "hospital?",
            "@{handle} disculpen, ¿cuál es el número para radicar una PQRSD por teléfono?",
            "@{handle} una pregunta, ¿el SISBÉN lo actualizan en la alcaldía o dónde?",
            "@{handle} hola!! a que correo mando la hoja de vida para la convocatoria?",
        ],
        "praise": [
            "@{handle} muchas gracias por arreglar la vía del {place}, quedó muy bien 👏",
            "@{handle} excelente la atención en la feria de servicios, me atendieron rapidísimo",
            "@{handle} felicitaciones por el festival del {place}, hace años no se veía algo así",
            "@{handle} gracias a la funcionaria de la ventanilla que me ayudó con el trámite, "
            "muy amable 🙏",
            "@{handle} por fin pusieron las luces en el {place}, se siente la diferencia. Gracias",
            "@{handle} qué bueno el programa de huertas comunitarias, mi mamá está feliz",
        ],
        "troll": [
            "@{handle} ladrones, todos son unos ladrones y el alcalde el primero 🤡🤡",
            "@{handle} jajaja alcaldía de papel, ni pa' eso sirven",
            "@{handle} esa administración es una porquería, ojalá se vayan todos presos",
            "@{handle} sigan robando que nadie les dice nada, inútiles",
            "@{handle} qué vergüenza de alcaldía, ni contestan, bots pagados nada más",
        ],
        "spam": [
            "@{handle} GANA DINERO DESDE CASA 💰💰 escríbeme al DM, 100% real no fake",
            "@{handle} préstamos gota a gota sin papeleo, aprobación inmediata WhatsApp "
            "3{phone}",
            "@{handle} sigue mi página de memes 👉👉 la mejor de {city}!!",
            "@{handle} compra seguidores reales baratos, promo solo hoy 🔥",
        ],
    },
    "transito": {
        "complaint": [
            "@{handle} el semáforo de {road} lleva {n} días dañado y casi hay un choque hoy",
            "@{handle} me pusieron un comparendo por una fotomulta que no es mía, la placa "
            "está mal leída y nadie responde",
            "@{handle} llevo {n} semanas esperando la licencia de conducción y en la sede "
            "dicen que no hay plástico",
            "@{handle} en {road} los agentes pidiendo plata, eso es corrupción y tengo video",
            "@{handle} radiqué derecho de petición por la inmovilización de mi moto hace "
            "{n} días hábiles y nada",
            "@{handle} la señalización de {road} está borrada, de noche uno no ve nada",
            "@{handle} el sistema para pagar el comparendo se cae todo el día, así cómo pago?",
        ],
        "question": [
            "@{handle} ¿cuánto cuesta el trámite de traspaso de una moto?",
            "@{handle} buenas, ¿a qué horas abren la sede de {city} el {weekday}?",
            "@{handle} qué necesito para renovar la licencia si la tengo vencida?",
            "@{handle} ¿puedo hacer curso de comparendo con descuento virtual?",
            "@{handle} hola, ¿hay pico y placa el {weekday} festivo?",
        ],
        "praise": [
            "@{handle} gracias a los agentes que ayudaron en el accidente de {road}, muy "
            "profesionales 👏",
            "@{handle} el trámite en línea funcionó perfecto, en 10 minutos listo",
            "@{handle} buena la campaña de seguridad vial en los colegios, felicitaciones",
        ],
        "troll": [
            "@{handle} tránsito = mafia de fotomultas 🤑🤑",
            "@{handle} puros cazadores de multas, no sirven pa' nada más",
            "@{handle} jaja esos agentes ni saben manejar, payasos",
        ],
        "spam": [
            "@{handle} quitamos comparendos y fotomultas 100% garantizado, escríbenos al "
            "3{phone}",
            "@{handle} licencias de conducción sin examen, entrega en 24 horas, DM",
        ],
    },
}

FOLLOW_UPS = {
    "complaint": ["@{handle} ¿alguna respuesta? Sigue igual", "@{handle} x2, en mi cuadra "
                  "también pasa lo mismo", "@{handle} hola?? nadie responde en esta cuenta",
                  "@{handle} ya van {n} días, por favor alguien que ayude"],
    "question": ["@{handle} ?? alguien que me responda xfa", "@{handle} yo tambien tengo esa "
                 "duda"],
    "praise": ["@{handle} totalmente de acuerdo 👏"],
    "troll": ["@{handle} jajaja tal cual"],
    "spam": ["@{handle} info al DM 💰"],
}

OWN_POSTS = {
    "alcaldia": [
        "Este sábado, jornada de vacunación gratuita en el parque principal de 8 a. m. a 4 p. m.",
        "Avanzan las obras de pavimentación en el barrio El Carmen. ¡Gracias por su paciencia!",
        "Recuerde: hasta el 30 de junio puede pagar el impuesto predial con el 10 % de "
        "descuento.",
        "Rendición de cuentas 2026: participe y pregunte. Transmisión en vivo el jueves.",
    ],
    "transito": [
        "Puente festivo: planifique su viaje y respete los límites de velocidad.",
        "Ya puede renovar su licencia de conducción en línea. Conozca los pasos.",
        "Operativos de control en la vía a Buga este fin de semana.",
    ],
}

WEIGHTS = {"complaint": 42, "question": 25, "praise": 13, "troll": 10, "spam": 10}
WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado"]
ABBREVIATIONS = [("que ", "q "), ("porque", "xq"), ("por favor", "xfa"), ("también", "tmb"),
                 ("para ", "pa "), ("gracias", "grax"), ("días", "dias")]
EMOJIS = ["😡", "🙏", "😤", "👀", "😢", "🤦", "‼️"]


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed
                   if not unicodedata.combining(ch) or ch == "\u0303")  # keep the ñ
    return unicodedata.normalize("NFC", kept)


@dataclass(frozen=True)
class Citizen:
    key: str
    name: str
    handle: str
    followers: int
    account_age_days: int
    suspicious: bool = False


@dataclass(frozen=True)
class GeneratedPost:
    label: str          # complaint | question | praise | troll | spam
    text: str
    citizen: Citizen
    follow_up: bool = False


class Generator:
    """Everything random comes from `rng`, so a seed reproduces the same stream."""

    def __init__(self, rng: random.Random, theme: str = "alcaldia"):
        self.rng = rng
        self.theme = theme if theme in TEMPLATES else "alcaldia"
        self.citizens: list[Citizen] = [self._citizen(i) for i in range(40)]

    def _citizen(self, index: int) -> Citizen:
        rng = self.rng
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        suspicious = index % 9 == 8
        # X usernames are at most 15 characters of [A-Za-z0-9_]
        base = strip_accents(f"{first.split()[0]}{last}").lower().replace("ñ", "n")[:13]
        handle = f"{base}{rng.randint(10, 99)}" if not suspicious else \
            f"user{rng.randint(10**7, 10**8 - 1)}"
        return Citizen(
            key=f"c{index:03d}", name=f"{first} {last}", handle=handle,
            followers=rng.randint(0, 12) if suspicious else rng.randint(15, 3200),
            account_age_days=rng.randint(1, 20) if suspicious else rng.randint(200, 4500),
            suspicious=suspicious)

    def label(self) -> str:
        labels = list(WEIGHTS)
        return self.rng.choices(labels, weights=[WEIGHTS[k] for k in labels])[0]

    def _fill(self, template: str, handle: str) -> str:
        rng = self.rng
        return template.format(
            handle=handle, place=rng.choice(NEIGHBOURHOODS), n=rng.randint(2, 20),
            weekday=rng.choice(WEEKDAYS), radicado=f"{rng.randint(1000, 99999):05d}",
            phone=f"{rng.randint(100000000, 249999999)}", city=rng.choice(PLACES),
            road=rng.choice(ROADS))

    def _colloquial(self, text: str) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            text = strip_accents(text)
        if rng.random() < 0.3:
            for long, short in rng.sample(ABBREVIATIONS, 2):
                text = text.replace(long, short)
        if rng.random() < 0.15 and len(text) > 30:
            i = rng.randint(10, len(text) - 5)
            if text[i].isalpha() and text[i + 1].isalpha():
                text = text[:i] + text[i + 1] + text[i] + text[i + 2:]  # swapped letters
        if rng.random() < 0.2:
            text = f"{text} {rng.choice(EMOJIS)}"
        if rng.random() < 0.1:
            text = text.upper() if len(text) < 120 else text
        return text

    def post(self, handle: str, *, label: str | None = None) -> GeneratedPost:
        label = label or self.label()
        citizen = self.rng.choice(self.citizens)
        if label in ("troll", "spam") and self.rng.random() < 0.7:
            citizen = self.rng.choice([c for c in self.citizens if c.suspicious])
        template = self.rng.choice(TEMPLATES[self.theme][label])
        return GeneratedPost(label=label, text=self._colloquial(self._fill(template, handle)),
                             citizen=citizen)

    def follow_up(self, handle: str, label: str, citizen: Citizen) -> GeneratedPost:
        if self.rng.random() < 0.5:
            citizen = self.rng.choice(self.citizens)
        template = self.rng.choice(FOLLOW_UPS.get(label, FOLLOW_UPS["complaint"]))
        return GeneratedPost(label=label, text=self._colloquial(self._fill(template, handle)),
                             citizen=citizen, follow_up=True)

    def own_posts(self) -> list[str]:
        return list(OWN_POSTS[self.theme])
