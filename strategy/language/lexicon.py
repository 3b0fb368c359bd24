"""Word lists of the checker: what the dictionary lacks (Colombian Spanish, places,
acronyms of the State), SMS abbreviations, words whose missing tilde is unambiguous, and
the phrases that greet, thank or blame a citizen.

Entries are lowercase. Words the spelling check should accept can be written with their
accents; lookups also try the accent-free form only where documented.
"""

from __future__ import annotations

#: Abbreviations of chat and SMS writing, with the full word(s) to write instead.
SMS_ABBREVIATIONS: dict[str, str] = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "qe": "que",
    "xq": "porque",
    "xk": "porque",
    "pq": "porque",
    "pk": "porque",
    "porq": "porque",
    "tb": "también",
    "tmb": "también",
    "tmbn": "también",
    "tbn": "también",
    "dnd": "dónde",
    "xfa": "por favor",
    "xfavor": "por favor",
    "pls": "por favor",
    "plis": "por favor",
    "plz": "por favor",
    "salu2": "saludos",
    "bss": "besos",
    "msj": "mensaje",
    "msjs": "mensajes",
    "grax": "gracias",
    "grx": "gracias",
    "grcs": "gracias",
    "grs": "gracias",
    "ntp": "no te preocupes",
    "tqm": "te quiero mucho",
    "bn": "bien",
    "cdo": "cuando",
    "qdo": "cuando",
    "kien": "quien",
    "kiero": "quiero",
    "aki": "aquí",
    "dsd": "desde",
    "xo": "pero",
    "vdd": "verdad",
    "bno": "bueno",
    "hla": "hola",
    "nd": "nada",
    "mñn": "mañana",
    "tmpc": "tampoco",
    "xa": "para",
    "pa": "para",
    "x": "por",
    "d": "de",
}

#: Abbreviations that are also ordinary letters or names in some contexts: flagged only
#: when written in lowercase between two words ("gracias x escribir").
SMS_ONLY_BETWEEN_WORDS = frozenset({"x", "d", "pa"})

#: Unaccented spellings that are never correct Spanish, with their accented form. The
#: general rule (an unknown word whose only accented variant is a dictionary word) finds
#: most of these; the list keeps the commonest ones certain whatever the dictionary says.
MISSING_ACCENTS: dict[str, str] = {
    "informacion": "información",
    "atencion": "atención",
    "tambien": "también",
    "ademas": "además",
    "aqui": "aquí",
    "alli": "allí",
    "asi": "así",
    "despues": "después",
    "todavia": "todavía",
    "dia": "día",
    "dias": "días",
    "telefono": "teléfono",
    "telefonos": "teléfonos",
    "pagina": "página",
    "paginas": "páginas",
    "codigo": "código",
    "direccion": "dirección",
    "peticion": "petición",
    "gestion": "gestión",
    "tramites": "trámites",
    "electronico": "electrónico",
    "electronica": "electrónica",
    "rapido": "rápido",
    "facil": "fácil",
    "dificil": "difícil",
    "util": "útil",
    "proximo": "próximo",
    "proxima": "próxima",
    "region": "región",
    "razon": "razón",
    "ningun": "ningún",
    "algun": "algún",
    "segun": "según",
    "tecnico": "técnico",
    "tecnica": "técnica",
    "publicos": "públicos",
    "politica": "política",
    "economico": "económico",
    "basico": "básico",
    "medico": "médico",
    "cedula": "cédula",
    "ciudadania": "ciudadanía",
    "alcaldia": "alcaldía",
    "gobernacion": "gobernación",
    "poblacion": "población",
    "educacion": "educación",
    "comunicacion": "comunicación",
    "solucion": "solución",
    "situacion": "situación",
    "version": "versión",
    "opcion": "opción",
    "tambíen": "también",
}

#: Frequent misspellings that are common enough on social networks to look like words,
#: with their correct form.
MISSPELLINGS: dict[str, str] = {
    "grasias": "gracias",
    "porfavor": "por favor",
    "aver": "a ver",
    "atravez": "a través",
    "atraves": "a través",
    "haci": "así",
    "ise": "hice",
    "nesecita": "necesita",
    "nesesita": "necesita",
    "nesecitamos": "necesitamos",
    "enserio": "en serio",
    "osea": "o sea",
    "haiga": "haya",
    "hechar": "echar",
    "ayga": "haya",
    "sierto": "cierto",
    "bolver": "volver",
    "aprovar": "aprobar",
    "resivir": "recibir",
    "resivio": "recibió",
    "recivido": "recibido",
    "recivir": "recibir",
    "solisitud": "solicitud",
    "desir": "decir",
    "ubiera": "hubiera",
    "ubo": "hubo",
}

#: Words the Spanish dictionary lacks but that are correct, common in Colombia or in the
#: public sector, or usual loanwords on social networks.
EXTRA_WORDS = frozenset(
    """
    hay inconvenientes inconveniente radicado radicados radicada radicación radique
    agradecemos agradezco agradecer agradecidos agradecida agradecido agradecimiento
    chévere bacano bacana parcero parcera parce berraco verraca verraco berraca camello
    camellar tinto tintico guayabo rumba paila vaina buseta colectivo mamera ñapa arepa
    ajiaco sancocho bandeja empanada aguardiente corrientazo chiva arriero paisa costeño
    costeña rolo rola caleño caleña pastuso pastusa llanero llanera santandereano boyacense
    sumercé su merced parceros bacanes chévere porfa pues
    vereda veredas corregimiento corregimientos comuna comunas localidad localidades
    estrato estratos sisbén subsidiado subsidiada subsidiados cotizante cotizantes
    tutela tutelas radicar pqrsd pqrs pqr
    escríbanos llámenos contáctenos cuéntenos indíquenos envíenos permítanos comuníquese
    acérquese diríjase ingrese consulte
    whatsapp facebook instagram youtube twitter tiktok linkedin bluesky mastodon telegram
    web online link links email emails mail chat chats hashtag hashtags post posts app apps
    tuit tuits retuit trino trinos influenciador influenciadores streaming podcast wifi
    internet google gmail hotmail outlook zoom teams meet
    ok okey
    """.split()
)

#: Colombian places (departments, capitals and large cities), accepted by the spelling
#: check and never taken for shouting when written in capitals.
PLACES = frozenset(
    """
    colombia bogotá medellín cali barranquilla cartagena cúcuta bucaramanga pereira
    manizales ibagué santa marta villavicencio pasto neiva armenia popayán montería
    valledupar sincelejo tunja riohacha quibdó florencia yopal mocoa leticia arauca inírida
    mitú puerto carreño san josé del guaviare andrés providencia soacha bello itagüí envigado
    soledad palmira buenaventura tumaco zipaquirá chía facatativá fusagasugá girardot
    rionegro sabaneta dosquebradas floridablanca girón piedecuesta barrancabermeja
    apartadó turbo tuluá cartago buga jamundí yumbo maicao uribia ipiales duitama sogamoso
    antioquia cundinamarca valle cauca nariño santander boyacá caldas risaralda quindío
    tolima huila meta casanare caquetá putumayo amazonas guainía vaupés vichada guaviare
    chocó córdoba sucre bolívar atlántico magdalena cesar guajira norte urabá catatumbo
    pacífico caribe orinoquía amazonía usaquén chapinero suba kennedy engativá fontibón
    bosa usme ciudad tunjuelito teusaquillo antonio nariño mártires candelaria sumapaz
    rafael uribe barrios unidos
    """.split()
)

#: Acronyms of Colombian public bodies and procedures: never spelling errors nor
#: shouting. Upper case as written.
ACRONYMS = frozenset(
    """
    PQRSD PQRS PQR DIAN SENA ICBF EPS IPS NIT RUT SOAT DANE SISBEN SISBÉN ICETEX RUNT SIMIT
    ARL AFP DNP TIC MINTIC EPM ETB ESP POT JAC IDU SDM SECOP ESAL CC TI CE PEP PPT RUV SENA
    ICFES IGAC INVIMA INPEC UGPP DPS ANI INVÍAS INVIAS IDRD SED SDA SDS SDIS ADRES CAR CAI
    ONU OEA ONG IVA ICA PAE SITP MIO TPC SGSSS POS PBS COVID SIDA VIH UPC CRA CREG PDF URL
    SMS FAQ WIFI ID OK GOV CO
    """.split()
)

#: Greetings that open a warm reply (accent-free, lowercase; matched on word boundaries).
GREETINGS = (
    "hola",
    "buenos dias",
    "buenas tardes",
    "buenas noches",
    "buen dia",
    "buenas",
    "saludos",
    "saludo",
    "cordial saludo",
    "estimado",
    "estimada",
    "estimados",
    "estimadas",
    "apreciado",
    "apreciada",
    "querido",
    "querida",
    "bienvenido",
    "bienvenida",
    "bienvenidos",
    "bienvenidas",
)

#: Words that thank the citizen (accent-free, lowercase).
THANKS = (
    "gracias",
    "agradecemos",
    "agradezco",
    "agradecer",
    "agradecidos",
    "agradecidas",
    "agradecido",
    "agradecida",
    "agradecimiento",
    "muy amable",
)

#: Phrases that blame the citizen (accent-free, lowercase, matched on word boundaries).
BLAME_PHRASES = (
    "es su culpa",
    "por su culpa",
    "es culpa suya",
    "fue culpa suya",
    "fue su culpa",
    "usted tiene la culpa",
    "la culpa es suya",
    "la culpa es de usted",
    "usted se equivoco",
    "usted se confundio",
    "usted no leyo",
    "usted no entendio",
    "usted no sabe",
    "usted debio",
    "usted debia",
    "debio leer",
    "si hubiera leido",
    "si usted hubiera",
    "lea bien",
    "lea con atencion",
    "como ya le dijimos",
    "como ya se le dijo",
    "como ya se le informo",
    "como ya se le explico",
    "ya se le explico",
    "ya se le dijo",
    "le repetimos",
    "no es nuestro problema",
    "no es problema nuestro",
    "no es nuestra culpa",
    "no es culpa nuestra",
    "no es nuestra responsabilidad",
    "eso no nos corresponde",
    "por no leer",
    "por no seguir",
    "usted no siguio",
    "usted no hizo",
    "usted no cumplio",
    "deberia saber",
    "usted deberia",
    "fue su error",
    "es su error",
    "el error es suyo",
)

#: Small words of names ignored when looking for the citizen's name in a reply.
NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "van", "von", "san"})
