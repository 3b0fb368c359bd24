"""Writes for data protection (Ley 1581 de 2012): retention settings and habeas-data requests.

`protocols` does not import `monitoring` (dependencies point one way). The app that holds the
citizens' data registers how to export and suppress it with `register_data_subject_handler`
(monitoring does it in its `AppConfig.ready()`), and these services call the registered
functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy.services import audit_record

from . import deadlines
from .habeas_models import (
    HABEAS_TERMS,
    DataProtectionSettings,
    HabeasKind,
    HabeasRequest,
    HabeasStatus,
    ReclamoType,
    RetentionAction,
)


@dataclass(frozen=True)
class DataSubjectHandler:
    """What an app holding citizens' data does for a habeas-data request.

    export(entity, handle, *, platform) -> dict (JSON-serialisable);
    suppress(entity, handle, *, actor, platform) -> dict of counts. platform "" means every one.
    """

    export: Callable[..., dict]
    suppress: Callable[..., dict]


DATA_SUBJECT_HANDLERS: dict[str, DataSubjectHandler] = {}


def register_data_subject_handler(name: str, *, export: Callable[..., dict],
                                  suppress: Callable[..., dict]) -> None:
    DATA_SUBJECT_HANDLERS[name] = DataSubjectHandler(export=export, suppress=suppress)


def normalize_handle(handle: str) -> str:
    return (handle or "").strip().lstrip("@").strip()


# --- Retention settings -----------------------------------------------------------------------


def data_protection_settings_for(entity) -> DataProtectionSettings:
    found = DataProtectionSettings.objects.filter(entity=entity).first()
    return found or DataProtectionSettings(entity=entity)


@transaction.atomic
def data_protection_settings_save(*, actor, entity, retention_months: int,
                                  retention_action: str) -> DataProtectionSettings:
    settings = data_protection_settings_for(entity)
    before = ({"retention_months": settings.retention_months,
               "retention_action": settings.retention_action} if settings.pk else None)
    settings.retention_months = retention_months
    settings.retention_action = retention_action
    settings.full_clean(exclude=["entity", "last_purge_result"])
    if retention_action not in RetentionAction.values:
        raise ValidationError({"retention_action": _("Unknown retention action.")})
    settings.save()
    audit_record(entity=entity, actor=actor, action="data_protection.settings", obj=settings,
                 before=before, after={"retention_months": retention_months,
                                       "retention_action": retention_action})
    return settings


def retention_record_run(*, entity, result: dict, now: datetime.datetime) -> None:
    """Store (and audit) the outcome of a retention run; called by the retention task."""
    settings = data_protection_settings_for(entity)
    settings.last_purge_at = now
    settings.last_purge_result = result
    settings.save()
    audit_record(entity=entity, actor=None, action="data_protection.retention_run",
                 obj=settings, after=result)


# --- Habeas-data requests ---------------------------------------------------------------------


def habeas_terms(kind: str) -> tuple[int, int]:
    if kind not in HABEAS_TERMS:
        raise ValidationError({"kind": _("Unknown kind of request.")})
    return HABEAS_TERMS[kind]


@transaction.atomic
def habeas_request_create(*, actor, entity, kind: str, handle: str, requester_name: str,
                          contact: str, platform: str = "", reclamo_type: str = "",
                          description: str = "",
                          received_at: datetime.datetime | None = None) -> HabeasRequest:
    """Register a consulta or reclamo and compute its legal due date (business days)."""
    received_at = received_at or timezone.now()
    first_term, _extension = habeas_terms(kind)
    handle = normalize_handle(handle)
    if not handle:
        raise ValidationError({"handle": _("Give the citizen's handle.")})
    if kind == HabeasKind.CONSULTA:
        reclamo_type = ""
    elif reclamo_type not in ReclamoType.values:
        raise ValidationError({"reclamo_type": _("Say whether the claim asks for a correction "
                                                 "or for the suppression of the data.")})
    try:
        filed_on = deadlines.filing_date(received_at, entity=entity)
        due_on = deadlines.business_days_add(filed_on, first_term, entity=entity)
    except deadlines.DeadlineError as exc:
        raise ValidationError({"received_at": str(exc)}) from exc
    request = HabeasRequest(
        entity=entity, kind=kind, reclamo_type=reclamo_type, handle=handle, platform=platform,
        requester_name=requester_name, contact=contact, description=description,
        received_at=received_at, filed_on=filed_on, due_on=due_on, created_by=actor)
    request.full_clean(exclude=["created_by"])
    request.save()
    audit_record(entity=entity, actor=actor, action=f"habeas.{kind}.create", obj=request,
                 after={"handle": handle, "platform": platform, "reclamo_type": reclamo_type,
                        "filed_on": filed_on.isoformat(), "due_on": due_on.isoformat(),
                        "legend": "reclamo en trámite" if kind == HabeasKind.RECLAMO else ""})
    return request


def _locked(request: HabeasRequest) -> HabeasRequest:
    return HabeasRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def habeas_request_extend(*, actor, request: HabeasRequest, reason: str,
                          today: datetime.date | None = None) -> HabeasRequest:
    """Extend the term once (art. 14: +5 business days; art. 15: +8), before it expires."""
    request = _locked(request)
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not request.is_open:
        raise ValidationError(_("This request has already been answered."))
    if request.extended_due_on:
        raise ValidationError(_("The term can be extended only once."))
    if today > request.due_on:
        raise ValidationError(_("The term has already expired: it can no longer be extended."))
    if not reason:
        raise ValidationError({"extension_reason": _(
            "Tell the citizen why the answer needs more time.")})
    _first, extension = habeas_terms(request.kind)
    request.extended_due_on = deadlines.business_days_add(request.due_on, extension,
                                                          entity=request.entity)
    request.extension_reason = reason
    request.save(update_fields=["extended_due_on", "extension_reason"])
    audit_record(entity=request.entity, actor=actor, action=f"habeas.{request.kind}.extend",
                 obj=request, before={"due_on": request.due_on.isoformat()},
                 after={"due_on": request.extended_due_on.isoformat(), "reason": reason})
    return request


def habeas_collect_data(entity, handle: str, *, platform: str = "") -> dict:
    """Everything the registered apps hold about `handle` in `entity` (a consulta's answer)."""
    return {name: handler.export(entity, normalize_handle(handle), platform=platform)
            for name, handler in sorted(DATA_SUBJECT_HANDLERS.items())}


@transaction.atomic
def habeas_request_answer(*, actor, request: HabeasRequest, resolution: str,
                          suppress: bool = False) -> HabeasRequest:
    """Answer a request. A consulta stores the export of the citizen's data as its result;
    a suppression reclamo, with `suppress=True`, deletes the data through the handlers."""
    request = _locked(request)
    resolution = (resolution or "").strip()
    if not request.is_open:
        raise ValidationError(_("This request has already been answered."))
    if not resolution:
        raise ValidationError({"resolution": _("Write the answer given to the citizen.")})
    if suppress and not (request.kind == HabeasKind.RECLAMO
                         and request.reclamo_type == ReclamoType.SUPPRESSION):
        raise ValidationError(_("Only a suppression claim deletes data."))
    if request.kind == HabeasKind.CONSULTA:
        result = {"export": habeas_collect_data(request.entity, request.handle,
                                                platform=request.platform)}
    elif suppress:
        result = {"suppressed": {
            name: handler.suppress(request.entity, request.handle, actor=actor,
                                   platform=request.platform)
            for name, handler in sorted(DATA_SUBJECT_HANDLERS.items())}}
    else:
        result = {}
    request.status = HabeasStatus.ANSWERED
    request.resolution = resolution
    request.result = result
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "resolution", "result", "answered_at"])
    # The audit row says what was done, never the citizen's data itself.
    summary = {"suppressed": result["suppressed"]} if "suppressed" in result else {
        "exported": "export" in result}
    audit_record(entity=request.entity, actor=actor, action=f"habeas.{request.kind}.answer",
                 obj=request, before={"status": HabeasStatus.OPEN},
                 after={"status": HabeasStatus.ANSWERED,
                        "on_time": timezone.localdate(request.answered_at)
                        <= request.current_due_on, **summary})
    return request
