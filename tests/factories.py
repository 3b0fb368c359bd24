"""factory_boy factories shared by every test module.

Apps add theirs in tests/<app>/factories.py.
"""

import factory
from django.utils import timezone

from strategy.choices import EntityKind, Role, Sector
from strategy.models import INVITATION_LIFETIME, Entity, Invitation, Membership, User
from strategy.validators import nit_check_digit

PASSWORD = "Clave-de-prueba-2026"


def _nit(n: int) -> str:
    base = str(800000000 + n)
    return f"{base}-{nit_check_digit(base)}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@entidad.gov.co")
    full_name = factory.Sequence(lambda n: f"Persona {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Entidad de prueba {n}")
    nit = factory.Sequence(_nit)
    kind = EntityKind.PUBLIC
    sector = Sector.GOVERNMENT
    slug = factory.Sequence(lambda n: f"entidad-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    entity = factory.SubFactory(EntityFactory)
    role = Role.COMMUNITY_MANAGER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    entity = factory.SubFactory(EntityFactory)
    email = factory.Sequence(lambda n: f"invitada{n}@entidad.gov.co")
    role = Role.COMMUNITY_MANAGER
    expires_at = factory.LazyFunction(lambda: timezone.now() + INVITATION_LIFETIME)
