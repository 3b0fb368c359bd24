"""Demo protocol for the main demo entity: RACI, SLAs, escalation and approval rules,
templates, risks, crisis levels, PQRSD settings and account custody. Idempotent."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from strategy.choices import Role

from .choices import AreaKind, Clock, RiskKind, TemplateStatus
from .models import (
    AccountCustody,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    NonWorkingDay,
    ProtocolSettings,
    RaciActivity,
    RaciAssignment,
    ResponseSla,
    ResponseTemplate,
    Risk,
    TemplateVersion,
)

AREAS = [
    ("Alta dirección (alcalde)", AreaKind.TOP_MANAGEMENT, "despacho@sanisidro.gov.co"),
    ("Oficina de comunicaciones", AreaKind.AREA, "comunicaciones@sanisidro.gov.co"),
    ("Community manager", AreaKind.ROLE, ""),
    ("Oficina jurídica", AreaKind.AREA, "juridica@sanisidro.gov.co"),
    ("Atención al ciudadano (PQRSD)", AreaKind.AREA, "pqrsd@sanisidro.gov.co"),
    ("Oficina TIC", AreaKind.AREA, "tic@sanisidro.gov.co"),
]

# activity: letters per area index (same order as AREAS).
RACI = [
    ("Publicar contenidos", ["I", "A", "R", "", "", ""]),
    ("Responder quejas y reclamos", ["", "A", "R", "C", "R", ""]),
    ("Aprobar respuestas sensibles", ["A", "R", "I", "C", "", ""]),
    ("Gestionar una crisis", ["A", "R", "R", "C", "I", "C"]),
    ("Informar a la dirección", ["I", "A", "R", "", "", ""]),
    ("Administrar el acceso a las cuentas", ["I", "A", "", "", "", "R"]),
]

SLAS = [
    ("x", "complaint", "high", Decimal(1), Clock.CALENDAR),
    ("", "complaint", "high", Decimal(2), Clock.CALENDAR),
    ("", "complaint", "normal", Decimal(4), Clock.BUSINESS),
    ("", "question", "", Decimal(8), Clock.BUSINESS),
    ("", "", "low", Decimal(16), Clock.BUSINESS),
]

TEMPLATES = [
    ("Demora en un trámite", "Demoras en trámites", "queja",
     "Hola, {nombre}. Lamentamos la demora en su trámite. Registramos su caso con el radicado "
     "{radicado} y le daremos respuesta en un plazo máximo de {plazo}. Puede seguir el estado "
     "en {enlace}. Gracias por escribirnos.",
     "Hola, {nombre}. Registramos su caso con el radicado {radicado}. Le responderemos en "
     "{plazo}. Gracias."),
    ("Daño en una vía", "Estado de las vías", "reclamo",
     "Hola, {nombre}. Gracias por avisarnos. Trasladamos su reporte a la Secretaría de "
     "Infraestructura con el radicado {radicado}; tendrá respuesta en {plazo}. Más información "
     "en {enlace}.",
     "Hola, {nombre}. Su reporte quedó con el radicado {radicado}. Respuesta en {plazo}."),
    ("Cobro del impuesto predial", "Impuestos y cobros", "reclamo",
     "Hola, {nombre}. Entendemos su inquietud sobre el cobro. Radicamos su solicitud con el "
     "número {radicado} y la Secretaría de Hacienda le responderá en {plazo}. Consulte su "
     "estado de cuenta en {enlace}.",
     "Hola, {nombre}. Radicado {radicado}. Hacienda le responde en {plazo}."),
    ("Petición recibida", "Peticiones generales", "peticion",
     "Hola, {nombre}. Recibimos su petición y quedó registrada con el radicado {radicado}. "
     "La responderemos dentro de {plazo}, como ordena la Ley 1755 de 2015. Siga el trámite en "
     "{enlace}.",
     "Hola, {nombre}. Petición radicada con el número {radicado}. Respuesta en {plazo}."),
    ("Canal que no recibe PQRSD", "Canales oficiales", "",
     "Hola, {nombre}. Gracias por escribirnos. Para que su solicitud quede radicada y tenga "
     "respuesta en los plazos de ley, por favor preséntela en {enlace}.",
     "Hola, {nombre}. Radique su solicitud en {enlace}. Gracias."),
    ("Asunto fuera de nuestra competencia", "Competencia de otra entidad", "peticion",
     "Hola, {nombre}. Su solicitud corresponde a otra entidad. La trasladamos con el radicado "
     "{radicado}, como ordena el artículo 21 de la Ley 1755 de 2015. Puede consultar el "
     "traslado en {enlace}.",
     "Hola, {nombre}. Trasladamos su solicitud (radicado {radicado}) a la entidad competente."),
    ("Agradecimiento", "Felicitaciones", "",
     "Hola, {nombre}. Muchas gracias por su mensaje. Lo compartimos con el equipo.",
     "Gracias, {nombre}. Lo compartimos con el equipo."),
]

RISKS = [
    (RiskKind.FAKE_ACCOUNTS, "Cuentas anónimas atacan a la alcaldía", 4, 3,
     "Documentar, no responder a provocaciones, reportar a la plataforma."),
    (RiskKind.TROLL_CAMPAIGN, "Campaña coordinada en temporada electoral", 3, 4,
     "Monitoreo diario de etiquetas y respuesta con datos verificables."),
    (RiskKind.MISINFORMATION, "Información falsa sobre subsidios", 4, 4,
     "Publicar aclaraciones con fuente oficial y fijarlas en el perfil."),
    (RiskKind.IMPERSONATION, "Cuenta que suplanta a la alcaldía", 3, 5,
     "Verificación de cuentas, página de canales oficiales, denuncia a la plataforma."),
    (RiskKind.DATA_LEAK, "Publicación de datos personales en una respuesta", 2, 5,
     "Revisión de respuestas sensibles y plantillas aprobadas."),
    (RiskKind.ACCOUNT_TAKEOVER, "Toma de control de una cuenta oficial", 2, 5,
     "Doble factor, correo de recuperación institucional y rotación de claves."),
]

CRISIS = [
    (1, "Alerta", "Aumento de menciones negativas sobre un tema durante más de dos horas.",
     "Community manager y jefe de comunicaciones", False,
     "Conocemos la situación y la estamos revisando. Pronto daremos más información.",
     "Confirmar los hechos con el área responsable\nPreparar mensaje de espera\n"
     "Informar al jefe de comunicaciones"),
    (2, "Crisis", "Tema en tendencia, medios nacionales o riesgo para la vida o la seguridad.",
     "Jefe de comunicaciones, alcalde, oficina jurídica", True,
     "La Alcaldía atiende la situación y dará un informe oficial hoy.",
     "Convocar el comité de crisis\nSuspender publicaciones programadas\n"
     "Publicar mensaje de espera\nContactar al equipo digital del Gobierno nacional"),
    (3, "Emergencia", "Toma de una cuenta oficial o suplantación con daño en curso.",
     "Alcalde, oficina TIC, equipo digital del Gobierno nacional", True,
     "Una cuenta oficial de la Alcaldía fue comprometida. No atienda sus mensajes hasta nuevo "
     "aviso.",
     "Recuperar el acceso con el correo institucional\nAvisar a la plataforma\n"
     "Publicar alerta en los demás canales\nRevisar sesiones y aplicaciones conectadas"),
]


@transaction.atomic
def seed_demo(context):
    entity = context["entities"][0]
    users = context["users"]
    approver = users.get(Role.APPROVER)
    ProtocolSettings.objects.get_or_create(entity=entity, defaults={
        "petition_criteria": "Un mensaje es una petición formal cuando pide algo a la entidad "
                             "(información, un trámite, una actuación) y se puede identificar "
                             "a quien lo pide.",
        "pqrsd_channels_notice": "Facebook y X reciben PQRSD; en Instagram y YouTube le "
                                 "indicamos cómo radicar su solicitud.",
        "out_of_competence_message": "Su solicitud corresponde a otra entidad; la trasladamos "
                                     "y le informamos dentro de los cinco días hábiles.",
        "digital_task_force_contact": "Equipo digital del Gobierno nacional: "
                                      "respuesta@gobiernodigital.gov.co",
    })
    NonWorkingDay.objects.get_or_create(entity=entity, date=datetime.date(2026, 12, 24),
                                        defaults={"reason": "Vacancia navideña (decreto)"})
    areas = []
    for position, (name, kind, contact) in enumerate(AREAS):
        area, _created = Area.objects.get_or_create(
            entity=entity, name=name,
            defaults={"kind": kind, "contact": contact, "position": position})
        areas.append(area)
    for position, (name, letters) in enumerate(RACI):
        activity, created = RaciActivity.objects.get_or_create(
            entity=entity, name=name, defaults={"position": position})
        if created:
            RaciAssignment.objects.bulk_create([
                RaciAssignment(activity=activity, area=area, letter=letter)
                for area, letter in zip(areas, letters, strict=True) if letter])
    for platform, category, urgency, hours, clock in SLAS:
        ResponseSla.objects.get_or_create(
            entity=entity, platform=platform, category=category, urgency=urgency,
            defaults={"target_hours": hours, "clock": clock})
    rules = [
        ("Corrupción o denuncias graves", {"keywords": ["corrupción", "soborno", "robo"],
                                           "assign_area": areas[3],
                                           "require_approval_role": Role.APPROVER,
                                           "crisis_candidate": True}),
        ("Amenazas o riesgo para la vida", {"keywords": ["amenaza", "muerte", "emergencia"],
                                            "urgencies": ["high"],
                                            "notify_roles": [Role.STRATEGY_OWNER,
                                                             Role.APPROVER],
                                            "crisis_candidate": True}),
        ("Autor con gran alcance", {"min_followers": 50000,
                                    "notify_roles": [Role.COMMUNICATIONS_OFFICER]}),
        ("Quejas y reclamos formales", {"pqrsd_types": ["queja", "reclamo"],
                                        "assign_area": areas[4]}),
    ]
    for position, (name, fields) in enumerate(rules, start=1):
        EscalationRule.objects.get_or_create(entity=entity, name=name,
                                             defaults={"position": position, **fields})
    ApprovalRule.objects.get_or_create(
        entity=entity, name="Respuestas urgentes a quejas",
        defaults={"position": 1, "categories": ["complaint"], "urgencies": ["high"],
                  "required_role": Role.APPROVER})
    ApprovalRule.objects.get_or_create(
        entity=entity, name="Autores con más de 100.000 seguidores",
        defaults={"position": 2, "min_followers": 100000,
                  "required_role": Role.STRATEGY_OWNER})
    now = timezone.now()
    for title, category, pqrsd_type, body, short in TEMPLATES:
        template, created = ResponseTemplate.objects.get_or_create(
            entity=entity, title=title, defaults={"category": category,
                                                  "pqrsd_type": pqrsd_type})
        if created:
            TemplateVersion.objects.create(
                template=template, number=1, body=body, short_body=short,
                status=TemplateStatus.APPROVED, created_by=users.get(Role.COMMUNICATIONS_OFFICER),
                approved_by=approver, approved_at=now)
    for kind, title, likelihood, impact, mitigation in RISKS:
        Risk.objects.get_or_create(entity=entity, title=title, defaults={
            "kind": kind, "likelihood": likelihood, "impact": impact, "owner": areas[1],
            "mitigation": mitigation})
    for level, name, trigger, who, task_force, statement, checklist in CRISIS:
        CrisisLevel.objects.get_or_create(entity=entity, level=level, defaults={
            "name": name, "trigger": trigger, "who_is_called": who,
            "call_digital_task_force": task_force, "holding_statement": statement,
            "checklist": checklist})
    from channels_app.models import Channel

    for index, channel in enumerate(Channel.objects.filter(entity=entity).order_by("pk")):
        ChannelPqrsdPolicy.objects.get_or_create(
            entity=entity, channel=channel,
            defaults={"accepts_pqrsd": channel.platform in ("facebook", "x")})
        AccountCustody.objects.get_or_create(entity=entity, channel=channel, defaults={
            "custodian": users.get(Role.COMMUNICATIONS_OFFICER),
            # One account with the weaknesses the warnings exist for, to show them.
            "recovery_email": "redes@sanisidro.gov.co" if index else "prensa.alcaldia@gmail.com",
            "two_factor_enabled": bool(index),
            "last_rotation": datetime.date(2026, 9, 1) if index else None,
        })
