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
    return {"entities": entities, "users": users, "superuser": superuser}
