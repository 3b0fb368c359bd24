"""Demo data for `seed_demo`: two entities and one user per role. Idempotent."""

from django.db import transaction

from .choices import EntityKind, Role, Sector
from .models import Entity, Membership, User

DEMO_PASSWORD = "Demo-2026-redes"  # noqa: S105  (printed to the user: it is demo data)

DEMO_ENTITIES = [
    {"slug": "alcaldia-san-isidro", "name": "Alcaldía de San Isidro del Valle",
     "nit": "890980123-0", "kind": EntityKind.PUBLIC, "sector": Sector.GOVERNMENT,
     "website": "https://www.sanisidro.gov.co"},
    {"slug": "transito-departamental", "name": "Instituto Departamental de Tránsito",
     "nit": "800987654-4", "kind": EntityKind.STATE, "sector": Sector.TRANSPORT,
     "website": "https://www.transito.gov.co"},
]

DEMO_USERS = [
    ("admin@demo.gov.co", "Ana Administradora", Role.ENTITY_ADMIN),
    ("responsable@demo.gov.co", "Rodrigo Responsable", Role.STRATEGY_OWNER),
    ("comunicaciones@demo.gov.co", "Carolina Comunicaciones", Role.COMMUNICATIONS_OFFICER),
    ("gestor@demo.gov.co", "Gustavo Gestor", Role.COMMUNITY_MANAGER),
    ("aprobador@demo.gov.co", "Amparo Aprobadora", Role.APPROVER),
    ("auditor@demo.gov.co", "Aurelio Auditor", Role.AUDITOR),
]


def _user(email: str, full_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name, is_staff=superuser,
                    is_superuser=superuser)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def seed() -> dict:
    entities = []
    for data in DEMO_ENTITIES:
        entity, _created = Entity.objects.get_or_create(slug=data["slug"], defaults=data)
        entities.append(entity)
    main, second = entities
    users = {}
    for email, full_name, role in DEMO_USERS:
        user = _user(email, full_name)
        Membership.objects.get_or_create(user=user, entity=main, defaults={"role": role})
        users[role] = user
    # The community manager works for an agency that serves both entities.
    Membership.objects.get_or_create(
        user=users[Role.COMMUNITY_MANAGER], entity=second,
        defaults={"role": Role.COMMUNITY_MANAGER, "agency": "Agencia Digital Andina"})
    Membership.objects.get_or_create(
        user=users[Role.COMMUNITY_MANAGER], entity=main, defaults={"role": Role.COMMUNITY_MANAGER})
    Membership.objects.get_or_create(user=users[Role.ENTITY_ADMIN], entity=second,
                                     defaults={"role": Role.ENTITY_ADMIN})
    superuser = _user("superadmin@demo.gov.co", "Sara Superadministradora", superuser=True)
    context = {"entities": entities, "users": users, "superuser": superuser}
    try:  # the plan links the demo channels, so create them first (idempotent)
        from channels_app.demo_data import seed_demo as seed_channels
    except ImportError:
        pass
    else:
        seed_channels(context)
    _seed_plan(main, users)
    return context


# --- The demo entity's plan (issue 3) -------------------------------------------------------


def _seed_plan(entity: Entity, users: dict) -> None:
    """A realistic, fairly complete plan for the Alcaldía. Idempotent (keyed on names)."""
    import datetime

    from .choices import ActivityStatus, EmojiPolicy, Horizon, PlanPersonRole, ResourceKind
    from .models import (
        Audience,
        Kpi,
        KpiMeasurement,
        Objective,
        Plan,
        PlanActivity,
        PlanPerson,
        Resource,
        ToneGuide,
    )

    Plan.objects.update_or_create(entity=entity, defaults={
        "why_be_there": "Porque la ciudadanía de San Isidro del Valle ya conversa en redes "
                        "sociales y espera encontrar allí a su alcaldía: informada, cercana y "
                        "a tiempo.",
        "what_it_seeks": "Informar los trámites y servicios, escuchar quejas y sugerencias, "
                         "rendir cuentas y convocar a la participación ciudadana.",
        "audience_characteristics": "Habitantes urbanos y rurales de 18 a 60 años, jóvenes "
                                    "estudiantes, comerciantes y líderes comunales; la mayoría "
                                    "se conecta desde el celular.",
        "what_to_achieve": "Que la ciudadanía resuelva sus dudas sin desplazarse, confíe en la "
                           "información oficial y participe en las decisiones del municipio.",
        "official_handle": "AlcaldiaSanIsidro",
    })
    today = datetime.date(2026, 1, 1)
    people = {}
    for role, name, position, extra in [
        (PlanPersonRole.OWNER, "Rodrigo Responsable", "Jefe de la Oficina de Comunicaciones",
         {"user": users.get("strategy_owner"), "email": "responsable@demo.gov.co"}),
        (PlanPersonRole.FORMULATION, "Marcela Planeación", "Secretaría de Planeación", {}),
        (PlanPersonRole.FORMULATION, "Jorge Atención", "Oficina de Atención al Ciudadano", {}),
        (PlanPersonRole.TEAM, "Carolina Comunicaciones", "Profesional de comunicaciones",
         {"user": users.get("communications_officer")}),
        (PlanPersonRole.TEAM, "Daniela Diseño", "Diseñadora gráfica", {}),
        (PlanPersonRole.COMMUNITY_MANAGER, "Gustavo Gestor", "Community manager",
         {"user": users.get("community_manager"), "is_outsourced": True,
          "agency": "Agencia Digital Andina", "contract_start": today,
          "contract_end": datetime.date(2026, 12, 20),
          "contact": "contacto@agenciaandina.com.co · 604 444 5566"}),
    ]:
        people[name], _c = PlanPerson.objects.get_or_create(
            entity=entity, name=name,
            defaults={"role": role, "position": position, **extra})

    audiences = {}
    for name, description in [
        ("Ciudadanía urbana", "Habitantes de la cabecera municipal que hacen trámites."),
        ("Población rural", "Veredas con conectividad limitada; prefieren Facebook y WhatsApp."),
        ("Jóvenes", "Estudiantes de 15 a 28 años, activos en Instagram y TikTok."),
        ("Medios y líderes", "Periodistas locales, concejales y juntas de acción comunal."),
    ]:
        audiences[name], _c = Audience.objects.get_or_create(
            entity=entity, name=name, defaults={"description": description})

    tree = [
        ("Mejorar la atención a la ciudadanía en redes", [
            ("Responder toda pregunta o queja en menos de 24 horas hábiles",
             [("Tiempo medio de primera respuesta", "horas", 48, 12, [36, 26])]),
            ("Resolver por redes el 60 % de las consultas de trámites",
             [("Consultas resueltas sin desplazamiento", "%", 20, 60, [31])]),
        ], [("Satisfacción con la atención en redes", "%", 55, 80, [60])]),
        ("Fortalecer la confianza en la información oficial", [
            ("Publicar a diario información verificada de servicios y obras",
             [("Publicaciones propias por semana", "publicaciones", 5, 14, [9, 11])]),
            ("Lograr que la ciudadanía reconozca las cuentas oficiales", []),
        ], []),
        ("Promover la participación ciudadana", [
            ("Convocar por redes a los espacios de rendición de cuentas",
             [("Asistentes convocados por redes", "personas", 80, 300, [120])]),
        ], []),
    ]
    objectives = []
    for order, (title, specifics, kpis) in enumerate(tree, start=1):
        general, _c = Objective.objects.get_or_create(entity=entity, title=title,
                                                      defaults={"order": order})
        objectives.append(general)
        items = [(general, kpis)]
        for sub_order, (sub_title, sub_kpis) in enumerate(specifics, start=1):
            specific, _c = Objective.objects.get_or_create(
                entity=entity, title=sub_title, defaults={"parent": general, "order": sub_order})
            objectives.append(specific)
            items.append((specific, sub_kpis))
        for objective, kpi_rows in items:
            for metric, unit, baseline, target, values in kpi_rows:
                kpi, created = Kpi.objects.get_or_create(
                    entity=entity, objective=objective, metric=metric,
                    defaults={"unit": unit, "baseline": baseline, "target": target,
                              "baseline_date": today,
                              "due_date": datetime.date(2027, 6, 30)})
                if created:
                    for month, value in enumerate(values, start=9):
                        KpiMeasurement.objects.create(
                            entity=entity, kpi=kpi, value=value,
                            measured_on=datetime.date(2026, month, 30),
                            recorded_by=users.get("communications_officer"))

    ToneGuide.objects.update_or_create(entity=entity, defaults={
        "voice_attributes": "Cálida\nCercana\nClara\nRespetuosa\nResolutiva",
        "do_examples": "Hola, Marta. Gracias por escribirnos. Ya reportamos el daño del "
                       "alumbrado en tu barrio a la Secretaría de Infraestructura; la "
                       "reparación está programada para el jueves. Alcaldía de San Isidro.",
        "dont_examples": "USUARIO: su solicitud no procede. Diríjase a la ventanilla.",
        "greeting_rules": "Saludar siempre por el nombre de la persona cuando se conozca; "
                          "tutear en Instagram y TikTok, usar usted en Facebook y X ante "
                          "quejas formales.",
        "signature_rules": "Cerrar con «Alcaldía de San Isidro» y, en casos de PQRSD, el "
                           "número de radicado.",
        "forbidden_words": "usuario\nbeneficiario\nno procede\nimposible\nnegativo",
        "glossary": "San Isidro del Valle\nSISBÉN\nPQRSD\nJAC\nIDT\nSecop",
        "emoji_policy": EmojiPolicy.MODERATE,
        "emoji_notes": "Nunca en respuestas a quejas, duelos o emergencias.",
    })

    for kind, name, fields in [
        (ResourceKind.PEOPLE, "Profesional de comunicaciones", {"people": 1,
                                                                "weekly_hours": 40}),
        (ResourceKind.PEOPLE, "Community managers (agencia)", {"people": 2, "weekly_hours": 30}),
        (ResourceKind.PEOPLE, "Diseño gráfico", {"people": 1, "weekly_hours": 10}),
        (ResourceKind.BUDGET, "Pauta digital 2026", {"amount": 24000000}),
        (ResourceKind.BUDGET, "Contrato de la agencia", {"amount": 96000000}),
        (ResourceKind.TOOL, "Redes Estado (este sistema)", {"notes": "Monitoreo y respuesta"}),
        (ResourceKind.TOOL, "Banco de imágenes institucional", {}),
    ]:
        Resource.objects.get_or_create(entity=entity, name=name,
                                       defaults={"kind": kind, **fields})

    channels = {c.platform: c for c in entity.channels.all()}
    for horizon, title, platform, owner, start, end, status in [
        (Horizon.YEAR, "Rendición de cuentas 2026 en todas las redes", None,
         "Rodrigo Responsable", (2026, 1, 15), (2026, 12, 15), ActivityStatus.IN_PROGRESS),
        (Horizon.YEAR, "Verificar las cuentas oficiales en cada red", None,
         "Carolina Comunicaciones", (2026, 2, 1), (2026, 12, 31), ActivityStatus.IN_PROGRESS),
        (Horizon.QUARTER, "Campaña de pago del impuesto predial", "facebook",
         "Carolina Comunicaciones", (2026, 10, 1), (2026, 12, 31), ActivityStatus.IN_PROGRESS),
        (Horizon.QUARTER, "Serie de videos «Trámites en un minuto»", "youtube",
         "Daniela Diseño", (2026, 10, 1), (2026, 12, 31), ActivityStatus.PLANNED),
        (Horizon.MONTH, "Cubrimiento de la feria navideña", "instagram",
         "Gustavo Gestor", (2026, 12, 1), (2026, 12, 31), ActivityStatus.PLANNED),
        (Horizon.WEEK, "Alertas de cierres viales por obras", "x", "Gustavo Gestor",
         (2026, 11, 30), (2026, 12, 6), ActivityStatus.PLANNED),
    ]:
        PlanActivity.objects.get_or_create(entity=entity, title=title, defaults={
            "horizon": horizon, "channel": channels.get(platform) if platform else None,
            "owner": people.get(owner), "start_date": datetime.date(*start),
            "end_date": datetime.date(*end), "status": status})

    # Step 3 and 7 data on the channels the demo creates (channels_app's seeder).
    objective_by_title = {o.title: o for o in objectives}
    serve = {
        "x": ["Mejorar la atención a la ciudadanía en redes",
              "Fortalecer la confianza en la información oficial"],
        "facebook": ["Mejorar la atención a la ciudadanía en redes",
                     "Promover la participación ciudadana"],
        "instagram": ["Promover la participación ciudadana"],
        "youtube": ["Fortalecer la confianza en la información oficial"],
        "mastodon": ["Fortalecer la confianza en la información oficial"],
    }
    reach = {"x": ["Medios y líderes", "Ciudadanía urbana"],
             "facebook": ["Ciudadanía urbana", "Población rural"],
             "instagram": ["Jóvenes"], "youtube": ["Ciudadanía urbana"]}
    profile_urls = {
        "x": "https://x.com/{}", "facebook": "https://www.facebook.com/{}",
        "instagram": "https://www.instagram.com/{}", "youtube": "https://www.youtube.com/@{}",
        "mastodon": "https://mastodon.social/@{}", "bluesky": "https://bsky.app/profile/{}",
    }
    for platform, channel in channels.items():
        if not channel.url and platform in profile_urls:
            channel.url = profile_urls[platform].format(channel.handle)
            channel.save(update_fields=["url"])
        if not channel.objectives.exists():
            channel.objectives.set([objective_by_title[t] for t in serve.get(platform, [])])
            channel.audiences.set([audiences[a] for a in reach.get(platform, [])])
            channel.has_avatar = channel.has_bio = channel.links_official_site = True
            channel.has_banner = platform != "mastodon"
            channel.is_verified = platform in ("x", "facebook")
            channel.save()
        if platform in ("x", "facebook", "instagram"):
            channel.community_managers.add(people["Gustavo Gestor"])

    from django.apps import apps

    launch_item = apps.get_model("channels_app", "LaunchItem")
    for step, done_on, evidence in [
        ("website", datetime.date(2026, 2, 3), "https://www.sanisidro.gov.co/redes-oficiales"),
        ("staff", datetime.date(2026, 2, 5), "https://intranet.sanisidro.gov.co/circular-012"),
        ("first_content", datetime.date(2026, 2, 6), ""),
    ]:
        launch_item.objects.get_or_create(entity=entity, step=step, defaults={
            "done_on": done_on, "evidence_url": evidence})
