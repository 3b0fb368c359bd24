import factory

from channels_app.models import Channel
from protocols.choices import ApprovalKind, RiskKind
from protocols.models import (
    AccountCustody,
    ApprovalRequest,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    NonWorkingDay,
    RaciActivity,
    ResponseSla,
    ResponseTemplate,
    Risk,
    TemplateVersion,
)
from strategy.choices import Role
from tests.factories import EntityFactory


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    entity = factory.SubFactory(EntityFactory)
    platform = "x"
    handle = factory.Sequence(lambda n: f"cuenta{n}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Área {n}")


class RaciActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RaciActivity

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Actividad {n}")


class NonWorkingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NonWorkingDay

    entity = factory.SubFactory(EntityFactory)
    date = factory.Sequence(lambda n: __import__("datetime").date(2026, 1, 1)
                            + __import__("datetime").timedelta(days=n))
    reason = "Día declarado"


class ResponseSlaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseSla

    entity = factory.SubFactory(EntityFactory)
    platform = factory.Sequence(lambda n: f"red{n}")
    target_hours = 4


class EscalationRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationRule

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Regla {n}")


class ApprovalRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalRule

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Aprobación {n}")
    required_role = Role.APPROVER


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    entity = factory.SubFactory(EntityFactory)
    kind = RiskKind.TROLL_CAMPAIGN
    title = factory.Sequence(lambda n: f"Riesgo {n}")
    likelihood = 3
    impact = 4
    mitigation = "Monitoreo diario."


class CrisisLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrisisLevel

    entity = factory.SubFactory(EntityFactory)
    level = factory.Sequence(lambda n: n % 5 + 1)
    name = "Nivel"
    trigger = "Pico de menciones negativas."
    who_is_called = "Jefe de prensa"
    holding_statement = "Estamos revisando la situación."
    checklist = "Avisar\nVerificar"


class ChannelPqrsdPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelPqrsdPolicy

    entity = factory.SubFactory(EntityFactory)
    channel = factory.SubFactory(ChannelFactory, entity=factory.SelfAttribute("..entity"))
    accepts_pqrsd = True


class AccountCustodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountCustody

    entity = factory.SubFactory(EntityFactory)
    channel = factory.SubFactory(ChannelFactory, entity=factory.SelfAttribute("..entity"))
    recovery_email = "redes@entidad.gov.co"
    two_factor_enabled = True


class ResponseTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseTemplate

    entity = factory.SubFactory(EntityFactory)
    title = factory.Sequence(lambda n: f"Plantilla {n}")
    category = "Demoras en trámites"


class TemplateVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateVersion

    template = factory.SubFactory(ResponseTemplateFactory)
    number = factory.Sequence(lambda n: n + 1)
    body = "Hola, {nombre}. Su radicado es {radicado}."


class ApprovalRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalRequest

    entity = factory.SubFactory(EntityFactory)
    kind = ApprovalKind.REPLY
    object_ref = factory.Sequence(lambda n: f"obj-{n}")
    summary = "Respuesta a un ciudadano"
    required_role = Role.APPROVER
