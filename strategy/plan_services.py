"""Writes of the plan (steps 1, 2, 4 and 8). Views, the API and the admin call these.

Every write validates first (`full_clean`, Spanish errors), saves, and records an audit
row with before and after so that the plan's history says who changed what, when.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .choices import PlanPersonRole
from .models import Entity, Kpi, KpiMeasurement, Plan, PlanPerson, ToneGuide
from .services import audit_record


def _jsonable(value):
    if isinstance(value, models.Model):
        return str(getattr(value, "public_id", None) or value.pk)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(obj) -> dict:
    """The plain fields of `obj` (and its many-to-many ids) for the audit trail."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in {"id", "entity", "public_id", "created_at", "updated_at"}:
            continue
        if field.is_relation:
            data[field.name] = _jsonable(getattr(obj, field.name))
        else:
            data[field.name] = _jsonable(field.value_from_object(obj))
    if obj.pk:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(
                str(getattr(o, "public_id", o.pk)) for o in getattr(obj, field.name).all())
    return data


def _audit_name(obj) -> str:
    return obj._meta.model_name


def _check_single_owner(person: PlanPerson) -> None:
    if person.role != PlanPersonRole.OWNER:
        return
    others = PlanPerson.objects.filter(entity_id=person.entity_id, role=PlanPersonRole.OWNER)
    if person.pk:
        others = others.exclude(pk=person.pk)
    owner = others.first()
    if owner is not None:
        raise ValidationError({"role": _(
            "The strategy already has an owner (%(name)s). There must be exactly one: "
            "change that person's role first.") % {"name": owner.name}})


def _validate(obj) -> None:
    if isinstance(obj, PlanPerson):
        _check_single_owner(obj)  # before full_clean: a clearer message than the constraint's
    obj.full_clean()


def _save(obj) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        # A race lost against the database constraints (a second owner, a duplicate).
        if isinstance(obj, PlanPerson):
            raise ValidationError({"role": _("The strategy already has an owner.")}) from exc
        raise ValidationError(_("This record conflicts with another one; reload the page "
                                "and try again.")) from exc


@transaction.atomic
def plan_item_create(*, actor, entity: Entity, model: type[models.Model], data: dict,
                     m2m: dict | None = None):
    """Create a plan record of `model` for `entity` from clean `data`."""
    obj = model(entity=entity, **data)
    _validate(obj)
    _save(obj)
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    audit_record(entity=entity, actor=actor, action=f"plan.{_audit_name(obj)}.create",
                 obj=obj, after=snapshot(obj))
    return obj


@transaction.atomic
def plan_item_update(*, actor, instance: models.Model, data: dict, m2m: dict | None = None):
    """Change fields of a plan record; the audit row keeps before and after."""
    before = snapshot(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    _validate(instance)
    _save(instance)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    after = snapshot(instance)
    changed = {k for k in after if before.get(k) != after.get(k)}
    audit_record(entity=instance.entity, actor=actor,
                 action=f"plan.{_audit_name(instance)}.update", obj=instance,
                 before={k: before.get(k) for k in changed},
                 after={k: after[k] for k in changed})
    return instance


@transaction.atomic
def plan_item_delete(*, actor, instance: models.Model) -> None:
    before = snapshot(instance)
    audit_record(entity=instance.entity, actor=actor,
                 action=f"plan.{_audit_name(instance)}.delete", obj=instance, before=before)
    instance.delete()


def plan_get_or_create(entity: Entity) -> Plan:
    plan, _created = Plan.objects.get_or_create(entity=entity)
    return plan


def tone_guide_get_or_create(entity: Entity) -> ToneGuide:
    guide, _created = ToneGuide.objects.get_or_create(entity=entity)
    return guide


@transaction.atomic
def plan_update(*, actor, entity: Entity, data: dict) -> Plan:
    """The guiding answers (step 2) and the chosen handle (step 3)."""
    plan = plan_get_or_create(entity)
    if "official_handle" in data:
        data = {**data, "official_handle": data["official_handle"].strip().lstrip("@")}
    return plan_item_update(actor=actor, instance=plan, data=data)


@transaction.atomic
def tone_guide_update(*, actor, entity: Entity, data: dict) -> ToneGuide:
    guide = tone_guide_get_or_create(entity)
    return plan_item_update(actor=actor, instance=guide, data=data)


@transaction.atomic
def kpi_measurement_record(*, actor, kpi: Kpi, measured_on, value, note: str = "") -> \
        KpiMeasurement:
    """Record a measured value of a KPI, with who recorded it."""
    measurement = KpiMeasurement(entity=kpi.entity, kpi=kpi, measured_on=measured_on,
                                 value=value, note=note,
                                 recorded_by=actor if getattr(actor, "is_authenticated",
                                                              False) else None)
    measurement.full_clean()
    measurement.save()
    audit_record(entity=kpi.entity, actor=actor, action="plan.kpimeasurement.create",
                 obj=measurement, after=snapshot(measurement))
    return measurement
