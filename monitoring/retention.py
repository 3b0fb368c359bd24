"""Data protection on monitoring's rows (Ley 1581 de 2012): retention, export and suppression.

* `purge_expired(entity)`: mentions and authors older than the entity's retention period
  (protocols.DataProtectionSettings, default 24 months) are anonymised (the text, payload,
  address and the person's identifiers are removed; dates and classification stay for the
  statistics) or deleted. Never touched: mentions of an active case, authors with an active
  case or with a mention inside the period, and the handles with an open habeas-data request
  (a consulta is answered with that data; a reclamo keeps it marked "reclamo en trámite").
  Webhook deliveries (raw bodies) older than the period are deleted in both modes.
* `export_author_data(entity, handle)`: everything the entity holds about a handle (a
  consulta's answer).
* `suppress_author_data(entity, handle, actor=)`: a suppression reclamo: the handle's authors and
  mentions are anonymised whatever their age and the classifier corrections copied from their
  text are deleted.

Registered with protocols' habeas services from `MonitoringConfig.ready()`.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from protocols import habeas_selectors
from protocols.habeas_models import DEFAULT_RETENTION_MONTHS, RetentionAction
from protocols.habeas_services import (
    data_protection_settings_for,
    normalize_handle,
    retention_record_run,
)
from strategy.services import audit_record

from .choices import ACTIVE_CASE_STATUSES
from .models import Author, Case, ClassificationCorrection, Mention, Reply, WebhookDelivery

ANONYMOUS_PREFIX = "anon-"


def _authors_for_handle(entity, handle: str, platform: str = ""):
    queryset = Author.objects.filter(entity=entity, handle__iexact=normalize_handle(handle))
    return queryset.filter(platform=platform) if platform else queryset


def _held_author_ids(entity) -> set[int]:
    ids: set[int] = set()
    for platform, handle in habeas_selectors.held_handles(entity):
        ids.update(_authors_for_handle(entity, handle, platform).values_list("pk", flat=True))
    return ids


def _anonymize_mentions(queryset) -> int:
    return queryset.exclude(Q(text="") & Q(url="") & Q(raw={})).update(
        text="", url="", raw={}, reasons=[])


def _anonymize_authors(queryset) -> int:
    count = 0
    for author in queryset.exclude(external_id__startswith=ANONYMOUS_PREFIX).only("pk",
                                                                                 "public_id"):
        Author.objects.filter(pk=author.pk).update(
            external_id=f"{ANONYMOUS_PREFIX}{author.public_id.hex}", handle="", name="",
            followers=None, account_created_at=None, profile_url="", flag_reasons=[])
        count += 1
    return count


def retention_cutoff(entity, *, now: datetime.datetime | None = None) -> datetime.datetime:
    settings = data_protection_settings_for(entity)
    months = settings.retention_months or DEFAULT_RETENTION_MONTHS
    return (now or timezone.now()) - relativedelta(months=months)


@transaction.atomic
def purge_expired(entity, *, now: datetime.datetime | None = None) -> dict:
    """Apply the entity's retention policy once; idempotent. Returns the counts."""
    now = now or timezone.now()
    settings = data_protection_settings_for(entity)
    cutoff = retention_cutoff(entity, now=now)
    held = _held_author_ids(entity)
    old_mentions = (Mention.objects.filter(entity=entity, created_at__lt=cutoff)
                    .exclude(case__status__in=ACTIVE_CASE_STATUSES)
                    .exclude(author_id__in=held))
    # Authors whose whole history lies before the cutoff and who have no case in progress.
    recent_mention = Mention.objects.filter(author=OuterRef("pk"), created_at__gte=cutoff)
    active_case = Case.objects.filter(author=OuterRef("pk"), status__in=ACTIVE_CASE_STATUSES)
    old_authors = (Author.objects.filter(entity=entity, last_seen_at__lt=cutoff)
                   .exclude(pk__in=held)
                   .exclude(Exists(recent_mention)).exclude(Exists(active_case)))
    result = {"cutoff": cutoff.isoformat(), "action": settings.retention_action,
              "mentions": 0, "authors_anonymized": 0, "authors_deleted": 0,
              "held_authors": len(held)}
    if settings.retention_action == RetentionAction.PURGE:
        result["mentions"] = old_mentions.delete()[1].get("monitoring.Mention", 0)
        orphans = old_authors.exclude(Exists(Mention.objects.filter(author=OuterRef("pk"))))
        orphans = orphans.exclude(Exists(Case.objects.filter(author=OuterRef("pk"))))
        result["authors_deleted"] = orphans.delete()[1].get("monitoring.Author", 0)
    else:
        result["mentions"] = _anonymize_mentions(old_mentions)
    result["authors_anonymized"] = _anonymize_authors(old_authors)
    result["webhook_deliveries"] = WebhookDelivery.objects.filter(
        entity=entity, received_at__lt=cutoff).delete()[1].get("monitoring.WebhookDelivery", 0)
    retention_record_run(entity=entity, result=result, now=now)
    return result


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_author_data(entity, handle: str, *, platform: str = "") -> dict:
    """Everything `entity` holds about `handle`: authors, mentions, cases and replies."""
    authors = list(_authors_for_handle(entity, handle, platform).order_by("platform"))
    author_ids = [a.pk for a in authors]
    mentions = (Mention.objects.filter(entity=entity, author_id__in=author_ids)
                .select_related("case").order_by("created_at"))
    cases = (Case.objects.filter(entity=entity, author_id__in=author_ids)
             .select_related("pqrsd").order_by("opened_at"))
    replies = (Reply.objects.filter(entity=entity, case__author_id__in=author_ids)
               .exclude(published_at=None).order_by("published_at"))
    claim = habeas_selectors.claim_in_progress(entity, handle, platform)
    return {
        "handle": normalize_handle(handle),
        "entity": entity.name,
        "generated_at": timezone.now().isoformat(),
        "legend": "reclamo en trámite" if claim else "",
        "authors": [{
            "platform": a.platform, "external_id": a.external_id, "handle": a.handle,
            "name": a.name, "followers": a.followers, "profile_url": a.profile_url,
            "first_seen_at": _iso(a.first_seen_at), "last_seen_at": _iso(a.last_seen_at),
            "suspected_troll": a.is_suspected_troll, "suspected_fake": a.is_suspected_fake,
            "flag_reasons": a.flag_reasons,
        } for a in authors],
        "mentions": [{
            "platform": m.platform, "external_id": m.external_id, "text": m.text,
            "url": m.url, "created_at": _iso(m.created_at), "received_at": _iso(m.received_at),
            "category": m.label, "pqrsd_type": m.pqrsd_type, "urgency": m.urgency,
            "sentiment": m.sentiment, "case": str(m.case.public_id) if m.case_id else None,
        } for m in mentions],
        "cases": [{
            "id": str(c.public_id), "status": c.status, "category": c.category,
            "pqrsd_type": c.pqrsd_type, "opened_at": _iso(c.opened_at),
            "closed_at": _iso(c.closed_at),
            "radicado": getattr(getattr(c, "pqrsd", None), "radicado", None),
        } for c in cases],
        "replies": [{"case": str(r.case.public_id), "text": r.text,
                     "published_at": _iso(r.published_at), "url": r.url} for r in replies],
    }


@transaction.atomic
def suppress_author_data(entity, handle: str, *, actor, platform: str = "") -> dict:
    """A suppression reclamo: remove the person from every mention and author of the handle."""
    authors = _authors_for_handle(entity, handle, platform)
    author_ids = list(authors.values_list("pk", flat=True))
    mentions = Mention.objects.filter(entity=entity, author_id__in=author_ids)
    corrections = ClassificationCorrection.objects.filter(
        entity=entity, mention__in=mentions).delete()[1].get(
        "monitoring.ClassificationCorrection", 0)
    result = {"authors": len(author_ids), "mentions": _anonymize_mentions(mentions),
              "corrections_deleted": corrections}
    _anonymize_authors(Author.objects.filter(pk__in=author_ids))
    audit_record(entity=entity, actor=actor, action="habeas.suppress", obj=entity,
                 after=dict(result, platform=platform))
    return result


def register() -> None:
    """Let protocols' habeas-data services export and suppress monitoring's data."""
    from protocols.habeas_services import register_data_subject_handler

    register_data_subject_handler("monitoring", export=export_author_data,
                                  suppress=suppress_author_data)
