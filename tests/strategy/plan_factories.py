"""Factories of the plan (issue 3)."""

import datetime

import factory

from strategy.choices import Horizon, PlanPersonRole, ResourceKind
from strategy.models import (
    Audience,
    Kpi,
    Objective,
    PlanActivity,
    PlanPerson,
    Resource,
)
from tests.factories import EntityFactory


class PlanPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanPerson

    entity = factory.SubFactory(EntityFactory)
    role = PlanPersonRole.TEAM
    name = factory.Sequence(lambda n: f"Funcionaria {n}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    entity = factory.SubFactory(EntityFactory)
    title = factory.Sequence(lambda n: f"Objetivo {n}")


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Audiencia {n}")


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    entity = factory.SubFactory(EntityFactory)
    objective = factory.SubFactory(ObjectiveFactory, entity=factory.SelfAttribute("..entity"))
    metric = "Seguidores"
    unit = "personas"
    baseline = 100
    target = 500
    due_date = datetime.date(2027, 12, 31)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    entity = factory.SubFactory(EntityFactory)
    kind = ResourceKind.TOOL
    name = factory.Sequence(lambda n: f"Herramienta {n}")


class PlanActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanActivity

    entity = factory.SubFactory(EntityFactory)
    horizon = Horizon.MONTH
    title = factory.Sequence(lambda n: f"Actividad {n}")
    start_date = datetime.date(2026, 12, 1)
    end_date = datetime.date(2026, 12, 31)
