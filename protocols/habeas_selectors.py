"""Reads for data protection: habeas-data requests and the handles under a legal hold."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from .habeas_models import HabeasKind, HabeasRequest, HabeasStatus
from .habeas_services import normalize_handle


def habeas_requests_for(entity, *, status: str = ""):
    queryset = HabeasRequest.objects.filter(entity=entity).select_related("created_by")
    if status in HabeasStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def habeas_counts(entity) -> dict:
    today = timezone.localdate()
    open_requests = HabeasRequest.objects.filter(entity=entity, status=HabeasStatus.OPEN)
    overdue = open_requests.filter(
        Q(extended_due_on__isnull=True, due_on__lt=today) | Q(extended_due_on__lt=today))
    return {"open": open_requests.count(), "overdue": overdue.count()}


def held_handles(entity) -> set[tuple[str, str]]:
    """(platform, lower-case handle) pairs with an open request; platform "" means every one.

    The retention purge leaves their data alone: a consulta must be answered with it and a
    reclamo carries the legend "reclamo en trámite" until it is decided (Ley 1581, art. 15).
    """
    rows = HabeasRequest.objects.filter(entity=entity, status=HabeasStatus.OPEN).values_list(
        "platform", "handle")
    return {(platform, normalize_handle(handle).lower()) for platform, handle in rows}


def claim_in_progress(entity, handle: str, platform: str = "") -> HabeasRequest | None:
    """The open reclamo on this handle, if any: its data shows "reclamo en trámite"."""
    handle = normalize_handle(handle)
    queryset = HabeasRequest.objects.filter(entity=entity, kind=HabeasKind.RECLAMO,
                                            status=HabeasStatus.OPEN, handle__iexact=handle)
    if platform:
        queryset = queryset.filter(Q(platform="") | Q(platform=platform))
    return queryset.order_by("due_on").first()
