"""Writes for step 3 (channels) and step 7 (launch). Each write is validated and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from strategy.plan_services import snapshot
from strategy.services import audit_record

from .models import Channel, LaunchItem


def _save(channel: Channel) -> None:
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError as exc:
        raise ValidationError({"handle": _("This entity already has that handle on that "
                                           "network.")}) from exc


@transaction.atomic
def channel_create(*, actor, entity, data: dict, m2m: dict | None = None) -> Channel:
    channel = Channel(entity=entity, **data)
    channel.full_clean()
    _save(channel)
    for name, values in (m2m or {}).items():
        getattr(channel, name).set(values)
    audit_record(entity=entity, actor=actor, action="channel.create", obj=channel,
                 after=_public_snapshot(channel))
    return channel


@transaction.atomic
def channel_update(*, actor, channel: Channel, data: dict, m2m: dict | None = None) -> Channel:
    before = _public_snapshot(channel)
    for name, value in data.items():
        setattr(channel, name, value)
    channel.full_clean()
    _save(channel)
    for name, values in (m2m or {}).items():
        getattr(channel, name).set(values)
    after = _public_snapshot(channel)
    changed = {k for k in after if before.get(k) != after.get(k)}
    audit_record(entity=channel.entity, actor=actor, action="channel.update", obj=channel,
                 before={k: before.get(k) for k in changed},
                 after={k: after[k] for k in changed})
    return channel


@transaction.atomic
def channel_delete(*, actor, channel: Channel) -> None:
    audit_record(entity=channel.entity, actor=actor, action="channel.delete", obj=channel,
                 before=_public_snapshot(channel))
    channel.delete()


def _public_snapshot(channel: Channel) -> dict:
    data = snapshot(channel)
    data.pop("access_token", None)  # never copy a secret into the audit trail
    return data


@transaction.atomic
def launch_item_save(*, actor, entity, step: str, done_on, evidence_url: str = "",
                     notes: str = "") -> LaunchItem:
    item = LaunchItem.objects.select_for_update().filter(entity=entity, step=step).first()
    created = item is None
    if created:
        item = LaunchItem(entity=entity, step=step)
    before = None if created else snapshot(item)
    item.done_on, item.evidence_url, item.notes = done_on, evidence_url, notes
    item.full_clean()
    item.save()
    after = snapshot(item)
    if before != after:
        audit_record(entity=entity, actor=actor, action="plan.launchitem.save", obj=item,
                     before=before, after=after)
    return item
