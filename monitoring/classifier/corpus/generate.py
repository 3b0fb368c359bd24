"""Generate the shipped training corpus (``train.jsonl``) from templates and vocabulary.

Run from the repository root::

    .venv/bin/python -m monitoring.classifier.corpus.generate

The output is deterministic (fixed seed), so re-running it reproduces the shipped file.
It writes only the *training* corpus: the evaluation set ``heldout.jsonl`` is written by hand,
separately, and is never produced here nor used for training, so the macro-F1 reported in
``docs/classifier.md`` measures generalisation to text the templates never saw.

Each line: ``{"text": ..., "label": ..., "pqrsd": ..., "urgency": ...}``.
Labels: complaint (queja, reclamo, denuncia), question (peticion, sugerencia),
praise (felicitacion), other (none). Urgency: high where life, health or safety is at risk,
low for praise, suggestions and noise, normal otherwise.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

SEED = 20260
OUT = Path(__file__).with_name("train.jsonl")

# --------------------------------------------------------------------------- vocabulary
BARRIOS = [
    "El Prado",
    "La Esperanza",
    "San Antonio",
    "Villa Nueva",
    "Los Pinos",
    "El Bosque",
    "Santa Fe",
    "La Floresta",
    "Las Brisas",
    "El Recreo",
    "Primero de Mayo",
    "La Candelaria",
    "Belén",
    "Manrique",
    "Kennedy",
    "Bosa",
    "Suba",
    "Castilla",
    "El Poblado",
    "Siloé",
    "Aguablanca",
    "Nelson Mandela",
    "El Pozón",
    "Olaya",
    "La Victoria",
    "Ciudad Jardín",
    "Los Alpes",
    "Villa Hermosa",
    "El Porvenir",
    "San Fernando",
    "Altos de Cazucá",
    "La Gaitana",
]
VEREDAS = ["El Rosal", "La Cabaña", "Alto Bonito", "San Isidro", "La Laguna", "Piedras Blancas"]
HANDLES = [
    "@AlcaldiaDeCali",
    "@AlcaldiaMed",
    "@Bogota",
    "@AlcaldiaBquilla",
    "@alcaldiabucaramanga",
    "@GobSantander",
    "@AlcaldiaPasto",
    "@alcaldiaibague",
    "@MinSalud",
    "@SecMovilidad",
    "@AlcaldiaTunja",
    "@alcaldianeiva",
]
DEPENDENCIAS = [
    "la Secretaría de Tránsito",
    "la Secretaría de Hacienda",
    "la Secretaría de Salud",
    "la Secretaría de Educación",
    "la Secretaría de Gobierno",
    "la oficina del SISBEN",
    "la Secretaría de Planeación",
    "la oficina de atención al ciudadano",
    "la Personería",
    "la Comisaría de Familia",
    "la Secretaría de Movilidad",
    "la oficina de Catastro",
    "la Secretaría de Desarrollo Social",
    "la Inspección de Policía",
    "la empresa de aseo",
    "la empresa de acueducto",
    "el hospital municipal",
    "el puesto de salud",
]
FUNCIONARIOS = [
    "el funcionario",
    "la funcionaria",
    "el vigilante",
    "la señora de la ventanilla",
    "el inspector",
    "el médico",
    "la enfermera",
    "el guarda de tránsito",
]
NOMBRES = [
    "Martha",
    "Luis",
    "Diana",
    "Jorge",
    "Sandra",
    "Carlos",
    "Paola",
    "Andrés",
    "Gloria",
    "Édgar",
    "Yolanda",
    "Camilo",
]
DIAS_SEMANA = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
ENT_NAMES = ["alcaldía", "gobernación", "administración", "secretaría", "entidad"]


AVENIDAS = ["principal", "Boyacá", " 30", "del Río", "Santander", "Las Américas"]


def lugar(r: random.Random) -> str:
    return r.choice(
        [
            f"el barrio {r.choice(BARRIOS)}",
            f"la calle {r.randint(1, 120)}",
            f"la carrera {r.randint(1, 90)} con calle {r.randint(1, 80)}",
            f"la cra {r.randint(1, 90)} #{r.randint(1, 99)}-{r.randint(1, 99)}",
            f"la vereda {r.choice(VEREDAS)}",
            f"la avenida {r.choice(AVENIDAS)}",
            f"{r.choice(BARRIOS)}",
            f"el sector de {r.choice(BARRIOS)}",
            "la entrada del colegio",
            "el parque principal",
            "la plaza de mercado",
        ]
    ).replace("  ", " ")


def duracion(r: random.Random) -> str:
    return r.choice(
        [
            f"hace {r.randint(2, 15)} días",
            f"desde el {r.choice(DIAS_SEMANA)}",
            f"hace {r.randint(2, 8)} semanas",
            f"hace {r.randint(2, 11)} meses",
            "desde hace rato",
            "desde ayer",
            "hace más de un mes",
            "todo el año",
            f"ya van {r.randint(3, 20)} días",
            "desde diciembre",
            "hace mucho tiempo",
        ]
    )


# --------------------------------------------------------------------------- complaints
QUEJA_PROBLEMAS = [
    "hay un hueco enorme",
    "hay huecos por todas partes",
    "no ha pasado el carro de la basura",
    "la basura está regada en la esquina",
    "no hay alumbrado público",
    "las lámparas están dañadas",
    "se fue el agua",
    "no llega el agua",
    "el agua llega sucia",
    "los semáforos están apagados",
    "el parque está abandonado",
    "la maleza está altísima",
    "hay un caño destapado que huele horrible",
    "la vía está destruida",
    "el andén está roto",
    "hay escombros tirados en la calle",
    "los buses no pasan",
    "el alcantarillado está colapsado",
    "no hay señal de tránsito",
    "hay inseguridad todas las noches",
    "roban celulares a toda hora",
    "el puente peatonal está oscuro",
    "los perros callejeros muerden a la gente",
    "la discoteca pone música hasta las 4 am",
    "la cancha está en ruinas",
    "no hay médico en el puesto de salud",
    "no hay medicamentos",
    "el colegio no tiene pupitres",
    "los baños del parque no sirven",
    "no hay vigilancia",
    "la obra está abandonada",
    "el polideportivo está cerrado",
    "la ciclorruta está llena de huecos",
    "las canecas están desbordadas",
    "se quemó el transformador",
    "el reductor de velocidad está roto",
    "hay un carro abandonado",
    "el puente está a medio hacer",
    "no funciona la fuente del parque",
]
QUEJA_DIRECTAS = [
    "pésima atención en {dep}, {x} horas de fila para nada",
    "{fun} de {dep} me trató muy mal, qué falta de respeto",
    "nadie contesta el teléfono en {dep}, para qué lo publican",
    "en {dep} lo mandan a uno de un lado para otro y nadie sabe nada",
    "qué mal servicio el de {dep}, es un desastre",
    "la atención en {dep} es la peor, {fun} se fue a almorzar y nos dejó esperando",
    "nadie responde los mensajes por esta página, ¿para qué tienen redes?",
    "el alcalde solo aparece en campaña, después se olvida de la gente",
    "prometieron arreglar la vía y nada, puras mentiras",
    "la obra de {lug} lleva {dur} parada y se robaron la plata",
    "el servicio de transporte es pésimo, buses sucios y siempre llenos",
    "no hay cupos en los colegios y ya empezaron las clases",
    "la fila del SISBEN es inhumana, abuelitos parados desde la madrugada",
    "la página web de {dep} nunca funciona, imposible hacer un trámite",
    "los trámites en {dep} son eternos, {dur} esperando una respuesta",
    "cuánta plata se robaron con esa obra que ya se está cayendo",
    "qué incompetencia, la convocatoria se cayó otra vez",
    "esta administración no sirve para nada",
    "el centro de salud no tiene ni acetaminofén",
    "el ruido de los bares no deja dormir y la policía nunca viene",
    "qué vergüenza el estado del cementerio",
    "la biblioteca lleva cerrada {dur} por una remodelación que nadie ve",
    "la ruta escolar no recogió a los niños en toda la semana",
    "no hay quien responda en la línea de atención, me colgaron {x} veces",
]
QUEJA_CIERRES = [
    "",
    "Qué vergüenza.",
    "Nadie hace nada.",
    "¿Hasta cuándo?",
    "Pésima gestión.",
    "Estamos cansados.",
    "Exigimos solución.",
    "Qué abandono.",
    "Esto es el colmo.",
    "Así no se puede.",
    "Ya no aguantamos más.",
    "¿Y el alcalde dónde está?",
    "Qué pereza.",
    "Ustedes no sirven para nada.",
    "Hagan algo por favor.",
    "¿Para qué pagamos impuestos?",
    "Llevamos {dur} reportándolo.",
    "Y nadie responde.",
    "😡",
    "😤",
    "👎",
    "🤬",
    "😠😠",
]
SARCASMO = [
    "gracias por nada 👏",
    "gracias por nada",
    "excelente gestión 👏👏",
    "qué eficiencia 👏👏👏",
    "bravo alcaldía 👏",
    "wow qué gestión",
    "felicitaciones, qué buen trabajo 🙄",
    "uy sí, súper bien 🙃",
    "muy bien alcalde, sigan así 🙄",
    "qué orgullo 🤡",
    "jajaja ciudad modelo dicen",
    "tan bonito el video y",
    "excelente servicio como siempre 🙄",
    "mil gracias por tanto 🙃",
    "aplausos para la administración 👏👏",
]
SARC_TEMPLATES = [
    "{sarc}, {dur} y {prob} en {lug}",
    "{sarc} {prob} en {lug} otra vez",
    "{prob} en {lug} {dur}... {sarc}",
    "{sarc}: solo {dur} para arreglar un hueco",
    "Felicitaciones por el nuevo parque... lástima que {prob} y nadie hace nada 🙄",
    "Tan lindas las fotos del evento y nosotros con que {prob} 👏",
    "{sarc} la pavimentación nueva ya tiene huecos",
    "{sarc}, {dep} no contesta desde hace {dur}",
]
RECLAMO_TEMPLATES = [
    "me cobraron dos veces {cobro}, necesito que me devuelvan la plata",
    "pagué {cobro} a tiempo y me sigue apareciendo como deuda, exijo que corrijan",
    "radiqué un derecho de petición {dur} y no me han respondido, eso es ilegal",
    "la factura del agua me llegó por {monto} y vivo solo, revisen el medidor",
    "me pusieron un comparendo injusto, tengo pruebas, quiero que lo anulen",
    "no me han pagado el subsidio de {subsidio} de los últimos meses, exijo respuesta",
    "solicité la devolución del saldo a favor {dur} y nada, es mi plata",
    "me negaron la cita en {dep} porque no hay agenda, llevo {dur} intentando",
    "reporté la fuga de agua en {lug} {dur} y sigue igual. Radicado {rad}",
    "me cortaron {servicio} estando al día en los pagos, necesito que lo reconecten ya",
    "el contratista dejó destruido el andén frente a mi casa y no lo repara",
    "pedí el certificado en {dep} {dur} y me dijeron que eran 5 días",
    "me cobraron intereses de mora en {cobro} cuando pagué a tiempo, adjunto el soporte",
    "solicito que me reintegren el dinero de la inscripción, cancelaron el curso",
    "mi PQRS número {rad} lleva {dur} sin respuesta, ya se venció el plazo",
    "no me quieren entregar la historia clínica en {dep}, es mi derecho",
    "me sacaron del SISBEN sin explicación y perdí los subsidios, exijo revisión",
    "me liquidaron mal {cobro}, el avalúo está muy por encima",
    "no me han reconocido el pago del predial, tengo el recibo",
    "reclamo formal: {dep} perdió mis documentos y ahora me toca empezar de cero",
    "no me han respondido la PQRSD que mandé {dur}, el plazo legal es de 15 días",
    "me inmovilizaron la moto sin razón, tenía todos los papeles al día",
]
COBROS = [
    "el impuesto predial",
    "el servicio de aseo",
    "el impuesto vehicular",
    "industria y comercio",
    "el recibo del agua",
    "la valorización",
    "el alumbrado público",
]
SERVICIOS = ["el agua", "la luz", "el gas", "el servicio de aseo"]
SUBSIDIOS = ["adulto mayor", "vivienda", "transporte escolar", "madres cabeza de hogar"]
DENUNCIA_TEMPLATES = [
    "denuncio que en la obra de {lug} se están robando el material",
    "el contratista de {lug} cobra por parquear en espacio público, eso es corrupción",
    "denuncio construcción ilegal en zona de protección del río en {lug}",
    "el inspector pide plata para no cerrar los negocios, lo denuncio públicamente",
    "en {lug} venden droga frente al colegio y la policía no hace nada",
    "denuncia: {fun} de {dep} pide coima para agilizar los trámites",
    "el concejal usa el carro oficial para pasear con la familia, denuncio",
    "están botando escombros en el humedal de {lug} todas las noches",
    "quiero denunciar que el docente de la escuela rural no va a dictar clase y cobra el sueldo",
    "denuncio que en {lug} talaron árboles sin permiso",
    "en {dep} le dan los contratos a los amigos del alcalde, todo a dedo",
    "hay un taller que bota aceite al caño en {lug}, denuncio contaminación",
    "denuncio que están vendiendo los mercados que eran para los damnificados",
    "en {lug} hay un expendio de drogas y todos saben quién es",
    "denuncio que cobran por los cupos del colegio público",
    "los de la empresa de aseo queman basura en el lote de {lug}",
]
ALTA_TEMPLATES = [  # (pqrsd, text)
    (
        "queja",
        "URGENTE: se cayó un poste en {lug} y hay cables sueltos en el piso, hay niños cerca",
    ),
    ("queja", "hay un árbol a punto de caer sobre una casa en {lug}, por favor urgente"),
    ("queja", "incendio en {lug}, los bomberos no llegan, ayuda!!"),
    ("queja", "se está inundando {lug} y nadie responde en la línea de emergencias"),
    ("queja", "accidente con heridos en {lug}, necesitamos ambulancia urgente"),
    ("queja", "deslizamiento en {lug}, las familias están en riesgo"),
    ("queja", "huele a gas en todo {lug}, hay una fuga, es una emergencia"),
    ("queja", "el hueco de {lug} ya tumbó a {x} motociclistas, alguien se va a matar"),
    ("reclamo", "se rompió el tubo madre en {lug} y el agua se está metiendo a las casas, urgente"),
    ("reclamo", "mi mamá lleva {x} horas en urgencias con dolor en el pecho y no la atienden"),
    ("reclamo", "necesito una ambulancia para mi papá que se desmayó y el 123 no contesta"),
    ("queja", "el puente de {lug} se está cayendo, es un peligro para los niños del colegio"),
    ("denuncia", "están atracando con cuchillo en {lug}, ayer hirieron a un muchacho"),
    ("denuncia", "están maltratando a un niño en {lug}, se escuchan gritos y golpes"),
    ("denuncia", "hay un niño perdido en {lug}, nadie de la policía aparece, urgente"),
    ("queja", "cables de alta tensión caídos en {lug}, riesgo de electrocución"),
    ("queja", "la quebrada se desbordó en {lug}, hay familias atrapadas"),
    ("denuncia", "amenazaron de muerte a un líder social en {lug}, necesitamos protección ya"),
    ("queja", "emergencia: colapsó el muro de contención en {lug}"),
    ("reclamo", "mi hijo tiene fiebre alta y en el hospital no lo reciben, urgente ayuda"),
    ("queja", "el incendio forestal ya llegó a las casas de {lug}, el humo no deja respirar"),
    ("denuncia", "balacera en {lug} hace un momento, hay un herido"),
]
ALTA_PREFIJOS = ["", "URGENTE ", "¡Emergencia! ", "Por favor ayuda: ", "SOS ", "Urgente!! "]

# --------------------------------------------------------------------------- questions
QWORDS_INFO = [
    "¿cuál es el horario de atención de {dep}?",
    "¿qué documentos necesito para {tramite}?",
    "¿cuáles son los requisitos para {tramite}?",
    "¿a qué hora abren {dep}?",
    "¿hasta cuándo hay plazo para {tramite}?",
    "¿dónde puedo {tramite}?",
    "¿cómo hago para {tramite}?",
    "¿cuánto cuesta {tramite}?",
    "¿se puede {tramite} en línea o toca ir?",
    "me pueden informar cómo {tramite}",
    "necesito saber dónde {tramite}",
    "¿cuándo abren las inscripciones para {programa}?",
    "¿todavía hay cupos en {programa}?",
    "¿quién me puede orientar para {tramite}?",
    "¿qué número marco para {tramite}?",
    "¿me regalan el link para {tramite}?",
    "¿dónde queda {dep}?",
    "¿{dep} atiende los sábados?",
    "¿cuándo sale la lista de beneficiarios de {programa}?",
    "¿qué día pasa el carro de la basura por {lug}?",
    "¿el {evento} es gratis o hay que pagar?",
    "¿ya salieron los resultados de {programa}?",
    "¿cuándo empiezan las obras de {lug}?",
    "solicito información sobre {programa}",
    "quisiera saber si hay {programa} este año",
    "¿el {evento} sigue en pie o lo aplazaron?",
    "¿a qué correo envío {doc}?",
    "¿dónde consulto {doc}?",
    "¿tienen WhatsApp para atención al ciudadano?",
    "solicito amablemente copia de {doc}",
]
TRAMITES = [
    "sacar el certificado de residencia",
    "pagar el predial con descuento",
    "inscribirme en el SISBEN",
    "actualizar mis datos del SISBEN",
    "pedir una cita en la comisaría de familia",
    "matricular la moto",
    "solicitar la poda de un árbol",
    "sacar la licencia de construcción",
    "reportar un daño en el alumbrado",
    "pedir el paz y salvo",
    "legalizar un predio",
    "pagar un comparendo",
    "solicitar el permiso para un evento",
    "radicar un derecho de petición",
    "inscribir a mi hijo en las escuelas deportivas",
    "sacar el certificado de estratificación",
    "vacunar a mi bebé",
    "pedir el subsidio de vivienda",
    "consultar mis comparendos",
    "declarar industria y comercio",
    "sacar el pasado judicial",
    "registrar mi negocio",
    "pedir una cita médica",
    "llevar los escombros",
    "adoptar una mascota",
]
PROGRAMAS = [
    "Jóvenes en Acción",
    "el programa de adulto mayor",
    "las becas universitarias",
    "los cursos gratuitos de sistemas",
    "el subsidio de vivienda",
    "la convocatoria de empleo",
    "las escuelas de música",
    "el refuerzo escolar",
    "los mercados campesinos",
    "el programa de emprendimiento",
    "las brigadas de salud",
    "la jornada de vacunación",
]
EVENTOS = [
    "concierto del sábado",
    "festival de verano",
    "la feria del libro",
    "desfile",
    "torneo de microfútbol",
    "la jornada de adopción",
    "cine al parque",
    "mercado campesino",
]
DOCS = [
    "el acta de la audiencia pública",
    "el plan de desarrollo",
    "un derecho de petición",
    "el estado de mi radicado",
    "el contrato de la obra",
    "mi recibo del predial",
]
SUGERENCIAS = [
    "sería bueno que {prop}",
    "sugiero que {prop}",
    "propongo que {prop}",
    "deberían {prop_inf}",
    "una sugerencia: {prop_inf}",
    "ojalá {prop}",
    "recomiendo que {prop}",
    "¿por qué no {prop_inf}? sería buena idea",
    "les sugiero {prop_inf}",
    "propuesta para {dep}: {prop_inf}",
    "sería chévere que {prop}",
]
PROPS = [
    ("pongan más canecas en {lug}", "poner más canecas en {lug}"),
    ("habiliten horario extendido los sábados", "habilitar horario extendido los sábados"),
    ("hagan ciclovía también en las tardes", "hacer ciclovía también en las tardes"),
    ("instalen rampas para sillas de ruedas", "instalar rampas para sillas de ruedas"),
    ("publiquen los turnos en línea", "publicar los turnos en línea"),
    (
        "pongan reductores de velocidad frente al colegio",
        "poner reductores de velocidad frente al colegio",
    ),
    (
        "hagan más actividades culturales en los barrios",
        "hacer más actividades culturales en los barrios",
    ),
    ("haya wifi gratis en la plaza", "poner wifi gratis en la plaza"),
    ("los trámites se puedan hacer por WhatsApp", "permitir los trámites por WhatsApp"),
    ("sincronicen los semáforos de la avenida", "sincronizar los semáforos de la avenida"),
    ("siembren más árboles en {lug}", "sembrar más árboles en {lug}"),
    ("abran un punto de atención en {lug}", "abrir un punto de atención en {lug}"),
    (
        "capaciten a los funcionarios en lenguaje de señas",
        "capacitar a los funcionarios en lenguaje de señas",
    ),
    ("amplíen la ruta del bus hasta {lug}", "ampliar la ruta del bus hasta {lug}"),
    ("hagan jornadas de reciclaje cada mes", "hacer jornadas de reciclaje cada mes"),
]

# --------------------------------------------------------------------------- praise
PRAISE_TEMPLATES = [
    "muchas gracias a {dep} por {accion}",
    "excelente {cosa}, felicitaciones",
    "felicitaciones a {dep} por {accion}",
    "qué bonito quedó {sitio}, gracias {ent}",
    "gracias por {accion}, de verdad",
    "muy buena la atención de {nombre} en {dep}, muy amable",
    "bien por la {ent}, {cosa} estuvo espectacular",
    "mil gracias a los bomberos, llegaron rapidísimo",
    "excelente iniciativa {cosa}",
    "gracias por responder tan rápido mi solicitud",
    "hermoso {sitio}, se nota el cambio",
    "me encantó {cosa}, ojalá lo repitan",
    "felicito a {dep} por {accion}",
    "por fin {accion_hecha}, gracias de verdad",
    "un aplauso para {dep}, siempre atentos",
    "buen trabajo con {cosa}",
    "agradezco a {dep} la rápida respuesta",
    "qué orgullo ver {sitio} así, gracias",
    "buenísimo {cosa}, súper fácil",
    "gracias {ent} por {accion}, atendieron a mi abuela",
    "la atención fue excelente, muy respetuosos",
    "qué buena gestión, se nota el trabajo",
    "gran trabajo del equipo de {dep}",
    "felicidades por {cosa}, se lo merecen",
    "gracias a {nombre} de {dep}, me ayudó muchísimo",
    "{cosa} de 10, muy bien organizado",
    "gracias por la información, muy clara",
]
ACCIONES = [
    "la jornada de vacunación",
    "arreglar la vía de la vereda",
    "la entrega de los kits escolares",
    "la brigada de salud en el barrio",
    "recuperar el parque",
    "la atención tan rápida",
    "tapar los huecos de mi calle",
    "el acompañamiento a la junta de acción comunal",
    "la campaña de esterilización",
    "atender la emergencia tan rápido",
    "la ciclovía nocturna",
    "limpiar el río",
    "instalar las cámaras",
    "organizar el festival",
    "la rendición de cuentas",
]
ACCIONES_HECHAS = [
    "tapan los huecos de mi calle",
    "arreglaron la luz del parque",
    "pavimentaron la vía",
    "llegó el agua",
    "abrieron el puesto de salud",
    "recogieron la basura",
    "pusieron el semáforo",
]
COSAS = [
    "la nueva iluminación del parque",
    "el festival",
    "el concierto de anoche",
    "la feria de empleo",
    "el nuevo sistema de citas en línea",
    "la app para pagar impuestos",
    "la campaña de reciclaje",
    "el alumbrado navideño",
    "la obra de teatro en el parque",
    "el mercado campesino",
    "la rendición de cuentas",
    "el nuevo puesto de salud",
    "la biblioteca remodelada",
    "el premio de gobierno digital",
    "la recolección de basuras",
    "la jornada deportiva",
]
SITIOS = [
    "el malecón",
    "el parque",
    "la plaza de mercado",
    "la biblioteca",
    "el polideportivo",
    "el centro",
    "la plazoleta",
    "el sendero ecológico",
    "el coliseo",
]
PRAISE_EMOJI = ["", "", "👏", "🙌", "❤️", "🙏", "💪", "🎉", "👍", "😊", "💚", "✨", "👏👏", "❤️❤️"]

# --------------------------------------------------------------------------- other
OTHER_TEXTS = [
    "gana dinero desde tu casa 💰 escríbeme al interno",
    "sigan mi página de ropa al por mayor",
    "presto plata sin fiador, info al 3{tel}",
    "vendo lote en {lug}, interesados al privado",
    "se alquila apartamento cerca al centro, llamar al 3{tel}",
    "aprende inglés en 30 días, link en mi perfil",
    "inversión en criptomonedas, únete a mi grupo",
    "sorteo de una moto!! comparte y etiqueta 3 amigos",
    "tengo tienda virtual de zapatos, síganme",
    "vendo perritos criollos, buen precio",
    "cursos de uñas acrílicas, inscripciones abiertas",
    "hago trasteos a todo el país, whatsapp 3{tel}",
    "rifas de un celular, boleta a 5 mil",
    "ese alcalde es un ladrón hp",
    "son unos payasos todos",
    "idiotas, todos son iguales",
    "uribe paraco, petro guerrillero",
    "pura politiquería",
    "bobos los que creen en estos políticos",
    "el que lea esto es bobo 🤣",
    "lambones todos los que comentan",
    "ratas, ratas y más ratas",
    "jajajaja",
    "jajaja que buen meme",
    "primero!!",
    "hola",
    "buenas noches a todos",
    "feliz domingo 🌞",
    "bendiciones para todos 🙏",
    "Dios les bendiga, amén",
    "saludos desde {ciudad}",
    "feliz cumpleaños a mi mamá jajaja",
    "¿quién pa un tinto? ☕",
    "qué calor el que está haciendo",
    "qué frío tan berraco hoy",
    "vamos Nacional ⚽",
    "a ver si esta vez ganamos la copa",
    "¿alguien sabe quién ganó la lotería?",
    "¿alguien vende un perro labrador?",
    "@{user} mira, aquí sales tú",
    "@{user} jajaja ese eres tú",
    "esa foto la tomé yo, den créditos",
    "¿ya vieron el video del perrito en el bus? 😂",
    "qué recuerdos, cuando eso era un potrero jaja",
    "#TBT la plaza en 1985",
    "miren el atardecer desde el mirador 🌅",
    "RT el clima para hoy: lluvias en la tarde",
    "noticia: el dólar bajó hoy",
    "compartiendo la noticia del nuevo puente de {ciudad}",
    "reenvío: mañana juega la selección",
    "ojo con las estafas por WhatsApp, a mi tía le robaron la cuenta",
    "👍",
    "😂😂😂",
    "🙏🙏",
    "compartí esta publicación",
    "ya casi es navidad 🎄",
    "¿alguien va para el concierto de {ciudad}?",
    "mi gato también quiere salir en la foto jaja",
    "¿quién más viendo esto a las 3 am?",
    "se busca muchacha para oficios varios, buena paga",
    "promoción de llantas esta semana",
    "¿alguien sabe de trabajo? estoy desempleado, cualquier cosa sirve",
    "el partido de anoche estuvo buenísimo",
    "qué lindo el perrito de la foto",
    "compartan para que llegue a más gente",
    "¿esto es en {ciudad}?",
    "excelente día para todos",
]
CIUDADES = [
    "Medellín",
    "Cali",
    "Barranquilla",
    "Bucaramanga",
    "Pasto",
    "Cúcuta",
    "Villavicencio",
    "Montería",
    "Pereira",
    "Manizales",
    "Bogotá",
    "Cartagena",
]
USERS = ["juanita17", "pipe_rm", "caro.lopez", "eldiego", "mafe_23", "andresito"]

SALUDOS = [
    "",
    "",
    "",
    "Buenas tardes, ",
    "Buenos días, ",
    "Hola, ",
    "Buenas noches, ",
    "Señores ",
    "{handle} ",
    "{handle} ",
    "Buen día. ",
    "Alcaldía: ",
    "Buenas, ",
]

# --------------------------------------------------------------------------- noise
ABBREV = [
    ("que ", "q "),
    ("que ", "k "),
    ("por favor", "xfa"),
    ("por favor", "porfa"),
    ("porque", "xq"),
    ("porque", "pq"),
    ("para ", "pa "),
    ("también", "tb"),
    ("por ", "x "),
    ("gracias", "grax"),
    ("saludos", "slds"),
    ("información", "info"),
    ("mucho", "mxo"),
    ("de ", "d "),
    ("está", "ta"),
    ("donde", "dnd"),
    ("cuando", "cdo"),
    ("nada", "nd"),
]


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def typo(r: random.Random, s: str) -> str:
    words = s.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return s
    i = r.choice(candidates)
    w = words[i]
    j = r.randint(1, len(w) - 2)
    op = r.random()
    if op < 0.33:
        w = w[:j] + w[j + 1 :]  # drop
    elif op < 0.66:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # swap
    else:
        w = w[:j] + w[j] + w[j:]  # double
    words[i] = w
    return " ".join(words)


def noisy(r: random.Random, s: str) -> str:
    if r.random() < 0.45:
        s = strip_accents(s)
    if r.random() < 0.35:
        for a, b in r.sample(ABBREV, 4):
            if a in s and r.random() < 0.7:
                s = s.replace(a, b, 1)
    if r.random() < 0.3:
        s = s.replace("¿", "").replace("¡", "")
    if r.random() < 0.25:
        s = typo(r, s)
    if r.random() < 0.1:
        s = typo(r, s)
    if r.random() < 0.35:
        s = s.lower()
    elif r.random() < 0.06:
        s = s.upper()
    if r.random() < 0.1:
        s = s.rstrip(".") + r.choice(["!!", "!!!", "??", "...", " ."])
    return " ".join(s.split())


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# --------------------------------------------------------------------------- builders
def fill(r: random.Random, t: str) -> str:
    return t.format(
        lug=lugar(r),
        dur=duracion(r),
        dep=r.choice(DEPENDENCIAS),
        fun=r.choice(FUNCIONARIOS),
        x=r.randint(2, 6),
        cobro=r.choice(COBROS),
        monto=f"{r.randint(150, 900)} mil pesos",
        subsidio=r.choice(SUBSIDIOS),
        rad=f"{r.randint(2023, 2026)}-{r.randint(1000, 99999)}",
        servicio=r.choice(SERVICIOS),
        tramite=r.choice(TRAMITES),
        programa=r.choice(PROGRAMAS),
        evento=r.choice(EVENTOS),
        doc=r.choice(DOCS),
        ent=r.choice(ENT_NAMES),
        nombre=r.choice(NOMBRES),
        accion=r.choice(ACCIONES),
        accion_hecha=r.choice(ACCIONES_HECHAS),
        cosa=r.choice(COSAS),
        sitio=r.choice(SITIOS),
        ciudad=r.choice(CIUDADES),
        user=r.choice(USERS),
        tel=f"{r.randint(100000000, 199999999)}",
        handle=r.choice(HANDLES),
        prob=r.choice(QUEJA_PROBLEMAS),
        sarc=r.choice(SARCASMO),
    )


def saludo(r: random.Random) -> str:
    return fill(r, r.choice(SALUDOS))


def gen_queja(r):
    if r.random() < 0.55:
        prob = r.choice(QUEJA_PROBLEMAS)
        body = r.choice(
            [
                f"{prob} en {lugar(r)} {duracion(r)}",
                f"en {lugar(r)} {prob} {duracion(r)}",
                f"{duracion(r)} {prob} en {lugar(r)}",
                f"otra vez {prob} en {lugar(r)}",
                f"{prob} y nadie de la {r.choice(ENT_NAMES)} aparece",
            ]
        )
    else:
        body = fill(r, r.choice(QUEJA_DIRECTAS))
    end = fill(r, r.choice(QUEJA_CIERRES))
    return saludo(r) + cap(body) + (". " + end if end else "")


def gen_sarcasmo(r):
    return saludo(r) + cap(fill(r, r.choice(SARC_TEMPLATES)))


def gen_reclamo(r):
    end = r.choice(
        [
            "",
            "",
            "Necesito solución.",
            "Exijo respuesta.",
            "Quedo atento.",
            "Es mi derecho.",
            "Ya es mucho tiempo.",
            "Por favor revisen.",
        ]
    )
    return saludo(r) + cap(fill(r, r.choice(RECLAMO_TEMPLATES))) + (". " + end if end else "")


def gen_denuncia(r):
    end = r.choice(
        [
            "",
            "",
            "Es una vergüenza.",
            "¿Quién controla esto?",
            "Todos lo saben.",
            "Pido que investiguen.",
            "Tengo fotos.",
        ]
    )
    return saludo(r) + cap(fill(r, r.choice(DENUNCIA_TEMPLATES))) + (". " + end if end else "")


def gen_alta(r):
    pqrsd, t = r.choice(ALTA_TEMPLATES)
    txt = r.choice(ALTA_PREFIJOS) + cap(fill(r, t))
    if r.random() < 0.3:
        txt += r.choice(["!!!", " 🚨", " 😱", " por favor", " ayuda", " 🙏🙏"])
    return pqrsd, txt


def gen_peticion(r):
    q = fill(r, r.choice(QWORDS_INFO))
    end = r.choice(
        ["", "", "", " Gracias.", " Muchas gracias", " Quedo atenta.", " 🙏", " por favor"]
    )
    return saludo(r) + cap(q) + end


def gen_sugerencia(r):
    prop, prop_inf = r.choice(PROPS)
    t = r.choice(SUGERENCIAS)
    txt = t.format(prop=fill(r, prop), prop_inf=fill(r, prop_inf), dep=r.choice(DEPENDENCIAS))
    end = r.choice(["", "", " Gracias.", ", ayudaría mucho.", ", sería de gran ayuda."])
    return saludo(r) + cap(txt) + end


def gen_praise(r):
    txt = cap(fill(r, r.choice(PRAISE_TEMPLATES)))
    emo = r.choice(PRAISE_EMOJI)
    return saludo(r) + txt + (" " + emo if emo else "")


def gen_other(r):
    txt = cap(fill(r, r.choice(OTHER_TEXTS)))
    if r.random() < 0.2:
        txt += " " + r.choice(["😂", "jaja", "🤣", "👀", "🔥", ""])
    return txt


# Compositional builders: many more word combinations than the fixed templates above.
ADJ_POS = [
    "excelente",
    "espectacular",
    "genial",
    "impecable",
    "de lujo",
    "de 10",
    "una maravilla",
    "un éxito",
    "muy útil",
    "súper práctico",
    "increíble",
    "muy buena",
    "lo máximo",
    "un lujo",
    "muy completa",
    "bien organizado",
    "rapidísima",
    "muy humana",
]
SUJETOS_POS = [
    "la atención en {dep}",
    "{cosa}",
    "el trabajo de {dep}",
    "{sitio} después del arreglo",
    "el servicio de {dep}",
    "la respuesta de {dep}",
    "el evento del fin de semana",
    "la jornada en {lug}",
    "el nuevo trámite en línea",
    "el equipo de {dep}",
]
PRAISE_FORMS = [
    "{suj} fue {adj}",
    "{suj} quedó {adj}",
    "{suj} estuvo {adj}",
    "qué {adj2} {suj}",
    "me gustó mucho {suj}",
    "quiero agradecer a {dep} por {accion}",
    "se agradece {accion}",
    "reconozco el esfuerzo de {dep}",
    "así sí da gusto, {suj} {adj}",
    "{suj}, {adj}, sigan así",
    "mi reconocimiento a {dep} por {accion}",
    "muy agradecida con {dep}",
    "qué buena noticia {cosa}",
    "admiro el trabajo de {dep}",
    "se nota el cambio en {sitio}, felicitaciones",
    "nos encantó {suj}",
    "de verdad {suj} {adj}, gracias",
]
ADJ2 = ["bueno", "bonito", "chévere", "lindo", "bien hecho", "buen trabajo"]
NEG_SUJETOS = [
    "la atención en {dep}",
    "el servicio de {dep}",
    "el transporte público",
    "la gestión del alcalde",
    "el estado de las vías",
    "la seguridad en {lug}",
    "la recolección de basuras",
    "el servicio de agua",
    "la página web de {dep}",
    "la respuesta de {dep}",
    "la obra de {lug}",
]
ADJ_NEG = [
    "pésimo",
    "terrible",
    "lamentable",
    "una vergüenza",
    "un desastre",
    "una burla",
    "inaceptable",
    "una porquería",
    "cada vez peor",
    "deficiente",
    "un chiste",
    "lo peor",
]
QUEJA_FORMS = [
    "{suj} es {adj}",
    "{suj} está {adj}",
    "qué {adj} {suj}",
    "estoy cansado de {suj}, {adj}",
    "{suj}: {adj}. {cierre}",
    "{suj} sigue siendo {adj}",
    "hasta cuándo {suj} va a ser {adj}",
]
VENTAS = [
    "nevera",
    "moto",
    "celular",
    "bicicleta",
    "lote",
    "cachorros",
    "ropa de segunda",
    "tamales",
    "empanadas",
    "computador portátil",
    "carro",
    "gallinas criollas",
    "muebles",
    "un televisor",
]
VENTA_DETALLES = [
    "buen precio",
    "precio negociable",
    "info al privado",
    "escribir al WhatsApp",
    "entrega a domicilio",
    "como nuevo",
    "urge vender",
    "recibo ofertas",
]
SERVICIOS_PRIV = [
    "arreglo de celulares",
    "clases de inglés",
    "trasteos",
    "manicure a domicilio",
    "plomería",
    "corte de pelo",
    "tortas para cumpleaños",
    "arreglo de computadores",
    "pintura de casas",
]
CHAT_TEMAS = [
    "dónde arreglan celulares",
    "a qué hora juega la selección",
    "quién vende huevos criollos",
    "si va a llover mañana",
    "un buen mecánico",
    "dónde venden buen café",
    "un veterinario barato",
    "una receta de sancocho",
    "quién canta esa canción",
    "el resultado del partido",
]
OTHER_FORMS = [
    "vendo {venta}, {det}",
    "se vende {venta}, {det}",
    "ofrezco {serv}, {det}",
    "hago {serv} a domicilio",
    "¿alguien sabe {tema}?",
    "¿quién sabe {tema}?",
    "alguien que me recomiende {tema}",
    "oremos por {persona}",
    "Dios es fiel, {saludo_fin}",
    "feliz cumpleaños a {persona}",
    "qué partido el de {equipo} anoche",
    "vamos {equipo} ⚽",
    "hoy hace {clima}",
    "los políticos son todos iguales",
    "en las elecciones votemos bien",
    "eso es culpa del gobierno nacional, no de la alcaldía",
    "{persona} salió en la foto jaja",
    "qué buena canción la del video",
    "compartido desde {ciudad}",
    "saludos a todos los de {ciudad}",
    "¿alguien de {ciudad}?",
]
PERSONAS = ["mi abuela", "mi mamá", "don Carlos", "la familia Pérez", "mi hermano", "mi compadre"]
EQUIPOS = ["Nacional", "Millonarios", "América", "Junior", "el Cali", "la Selección", "el Tolima"]
CLIMAS = ["un calor horrible", "mucho frío", "un sol muy bonito", "un día lluvioso"]


def gen_praise2(r):
    suj = fill(r, r.choice(SUJETOS_POS))
    txt = r.choice(PRAISE_FORMS).format(
        suj=suj,
        adj=r.choice(ADJ_POS),
        adj2=r.choice(ADJ2),
        dep=r.choice(DEPENDENCIAS),
        accion=r.choice(ACCIONES),
        cosa=r.choice(COSAS),
        sitio=r.choice(SITIOS),
    )
    emo = r.choice(PRAISE_EMOJI)
    return saludo(r) + cap(txt) + (" " + emo if emo else "")


def gen_queja2(r):
    suj = fill(r, r.choice(NEG_SUJETOS))
    txt = r.choice(QUEJA_FORMS).format(
        suj=suj, adj=r.choice(ADJ_NEG), cierre=fill(r, r.choice(QUEJA_CIERRES))
    )
    return saludo(r) + cap(txt)


def gen_other2(r):
    txt = r.choice(OTHER_FORMS).format(
        venta=r.choice(VENTAS),
        det=r.choice(VENTA_DETALLES),
        serv=r.choice(SERVICIOS_PRIV),
        tema=r.choice(CHAT_TEMAS),
        persona=r.choice(PERSONAS),
        equipo=r.choice(EQUIPOS),
        clima=r.choice(CLIMAS),
        ciudad=r.choice(CIUDADES),
        saludo_fin=r.choice(["bendiciones", "buen día", "amén"]),
    )
    return cap(txt)


PLAN = [
    # (count, label, pqrsd, urgency, builder)
    (330, "complaint", "queja", "normal", gen_queja),
    (140, "complaint", "queja", "normal", gen_sarcasmo),
    (200, "complaint", "reclamo", "normal", gen_reclamo),
    (120, "complaint", "denuncia", "normal", gen_denuncia),
    (170, "complaint", None, "high", gen_alta),
    (380, "question", "peticion", "normal", gen_peticion),
    (110, "question", "sugerencia", "low", gen_sugerencia),
    (330, "praise", "felicitacion", "low", gen_praise),
    (330, "other", "none", "low", gen_other),
    (220, "praise", "felicitacion", "low", gen_praise2),
    (150, "complaint", "queja", "normal", gen_queja2),
    (250, "other", "none", "low", gen_other2),
]


def generate(seed: int = SEED) -> list[dict]:
    r = random.Random(seed)  # noqa: S311 - reproducible corpus, not security
    rows: list[dict] = []
    seen: set[str] = set()
    for count, label, pqrsd, urgency, builder in PLAN:
        made = tries = 0
        while made < count and tries < count * 20:
            tries += 1
            out = builder(r)
            p = pqrsd
            if isinstance(out, tuple):
                p, out = out
            text = noisy(r, out)
            key = strip_accents(text.lower())
            if key in seen:
                continue
            seen.add(key)
            rows.append({"text": text, "label": label, "pqrsd": p, "urgency": urgency})
            made += 1
    r.shuffle(rows)
    return rows


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} examples to {OUT}")


if __name__ == "__main__":
    main()
