"""Alerts (issue 7): absence, crisis, SLA breaches, contracts ending, channels to reconnect.

`alerts_sweep_entity(entity_id=)` evaluates every rule for one entity (a worker runs it for
every entity on a schedule). A situation has a `dedupe_key`: while an alert with that key is
open the sweep only refreshes it, so a sweep run twice raises nothing new. A new alert is
e-mailed once to the entity's admins, strategy owners and communications officers.
Acknowledging (`alert_acknowledge`) records the named person, the time and a note, and writes
the audit trail.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels_app.choices import CONNECTED_PLATFORMS, ChannelStatus
from channels_app.models import Channel
from strategy import permissions
from strategy.choices import Role
from strategy.models import Entity, Membership, PlanPerson
from strategy.permissions import Action
from strategy.services import audit_record

from . import spikes
from .choices import ACTIVE_CASE_STATUSES, CaseStatus
from .dashboard_choices import AlertKind, AlertSeverity
from .dashboard_models import Alert, DailyRollup
from .models import Case, Mention

logger = logging.getLogger(__name__)

#: Absence: a channel with no post by the entity for this many days.
ABSENCE_POST_DAYS = getattr(settings, "DASHBOARD_ABSENCE_POST_DAYS", 3)
#: Absence: mentions in the queue without any answer for this many hours.
ABSENCE_UNANSWERED_HOURS = getattr(settings, "DASHBOARD_ABSENCE_UNANSWERED_HOURS", 24)
#: Outsourced contracts ending within this many days.
CONTRACT_WARNING_DAYS = 30

ALERT_RECIPIENT_ROLES = (Role.ENTITY_ADMIN, Role.STRATEGY_OWNER, Role.COMMUNICATIONS_OFFICER)


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    dedupe_key: str
    params: dict
    channel_id: int | None = None


def can_acknowledge(user, entity) -> bool:
    """Who may acknowledge: members who see the dashboard and act on the plan or approve.

    Auditors see alerts but change nothing.
    """
    return permissions.can(user, entity, Action.VIEW_DASHBOARD) and (
        permissions.can(user, entity, Action.EDIT_PLAN)
        or permissions.can(user, entity, Action.APPROVE_REPLIES))


def alert_message(alert: Alert) -> str:
    """The alert in words, in the active language (built from its kind and stored params)."""
    p = alert.params or {}
    if alert.kind == AlertKind.ABSENCE_POSTS:
        if p.get("last_post"):
            return ngettext(
                "%(channel)s has not posted for %(days)d day (last post on %(last)s).",
                "%(channel)s has not posted for %(days)d days (last post on %(last)s).",
                p.get("days", 0)) % {"channel": p.get("channel", ""), "days": p.get("days", 0),
                                     "last": p.get("last_post")}
        return _("%(channel)s has no post by the entity on record.") % {
            "channel": p.get("channel", "")}
    if alert.kind == AlertKind.ABSENCE_UNANSWERED:
        return ngettext(
            "%(count)d case waits for a first answer for more than %(hours)d hours.",
            "%(count)d cases wait for a first answer for more than %(hours)d hours.",
            p.get("count", 0)) % {"count": p.get("count", 0), "hours": p.get("hours", 0)}
    if alert.kind == AlertKind.CRISIS:
        return _("%(observed)d negative mentions in the last %(hours)d hours; usually "
                 "%(baseline)s (score %(score)s).") % {
            "observed": p.get("observed", 0), "hours": p.get("hours", spikes.WINDOW_HOURS),
            "baseline": p.get("baseline", 0), "score": p.get("score", 0)}
    if alert.kind == AlertKind.SLA_BREACH:
        return ngettext("%(count)d case missed its first-response deadline.",
                        "%(count)d cases missed their first-response deadline.",
                        p.get("count", 0)) % {"count": p.get("count", 0)}
    if alert.kind == AlertKind.CONTRACT_ENDING:
        return _("The contract of %(name)s (%(agency)s) ends on %(end)s.") % {
            "name": p.get("name", ""), "agency": p.get("agency", ""), "end": p.get("end", "")}
    if alert.kind == AlertKind.CHANNEL_RECONNECTION:
        return _("%(channel)s needs to be reconnected: mentions are not arriving.") % {
            "channel": p.get("channel", "")}
    return alert.get_kind_display()


# --- Rules: each returns the findings for one entity ----------------------------------------


def find_absence_posts(entity, *, now: datetime.datetime, days: int = ABSENCE_POST_DAYS
                       ) -> list[Finding]:
    """Active channels whose latest post by the entity is `days` or more days old (or none)."""
    from protocols.deadlines import entity_tz

    today = now.astimezone(entity_tz(entity)).date()
    # Only networks the product reads: a channel on a network without an API client (LinkedIn,
    # TikTok) has no recorded posts and would always look absent.
    channels = list(Channel.objects.filter(entity=entity, status=ChannelStatus.ACTIVE,
                                           platform__in=CONNECTED_PLATFORMS))
    last_rollup = dict(DailyRollup.objects.filter(entity=entity, own_posts__gt=0)
                       .values_list("channel_id").annotate(last=Max("day")))
    last_raw = dict(Mention.objects.filter(entity=entity, is_own=True)
                    .values_list("channel_id").annotate(last=Max("created_at")))
    findings = []
    for channel in channels:
        candidates = [last_rollup.get(channel.pk)]
        raw = last_raw.get(channel.pk)
        if raw is not None:
            candidates.append(raw.astimezone(entity_tz(entity)).date())
        last = max((d for d in candidates if d is not None), default=None)
        if last is None:
            quiet = (today - channel.created_at.astimezone(entity_tz(entity)).date()).days
            if quiet < days:
                continue
        else:
            quiet = (today - last).days
            if quiet < days:
                continue
        findings.append(Finding(
            kind=AlertKind.ABSENCE_POSTS, severity=AlertSeverity.WARNING,
            dedupe_key=f"absence_posts:{channel.public_id}:{last or 'never'}",
            params={"channel": str(channel), "days": quiet,
                    "last_post": last.isoformat() if last else ""},
            channel_id=channel.pk))
    return findings


def _waiting_cases(entity):
    return Case.objects.filter(entity=entity, status__in=ACTIVE_CASE_STATUSES,
                               first_response_at__isnull=True).exclude(
        status=CaseStatus.ANSWERED)


def find_absence_unanswered(entity, *, now: datetime.datetime,
                            hours: int = ABSENCE_UNANSWERED_HOURS) -> list[Finding]:
    count = _waiting_cases(entity).filter(
        opened_at__lt=now - datetime.timedelta(hours=hours)).count()
    if not count:
        return []
    return [Finding(kind=AlertKind.ABSENCE_UNANSWERED, severity=AlertSeverity.WARNING,
                    dedupe_key=f"absence_unanswered:{now.date().isoformat()}",
                    params={"count": count, "hours": hours})]


def find_sla_breaches(entity, *, now: datetime.datetime) -> list[Finding]:
    count = _waiting_cases(entity).filter(first_response_due__lt=now).count()
    if not count:
        return []
    return [Finding(kind=AlertKind.SLA_BREACH, severity=AlertSeverity.CRITICAL
                    if count >= 10 else AlertSeverity.WARNING,
                    dedupe_key=f"sla_breach:{now.date().isoformat()}",
                    params={"count": count})]


def find_crisis(entity, *, now: datetime.datetime) -> list[Finding]:
    result = spikes.detect_for_entity(entity, now=now)
    if not result.is_spike:
        return []
    # One alert per six-hour slot: a long crisis re-alerts after an acknowledgement.
    slot = now.replace(minute=0, second=0, microsecond=0, hour=(now.hour // 6) * 6)
    return [Finding(kind=AlertKind.CRISIS, severity=AlertSeverity.CRITICAL,
                    dedupe_key=f"crisis:{slot.isoformat()}",
                    params={**result.as_dict(), "hours": spikes.WINDOW_HOURS})]


def find_contracts_ending(entity, *, now: datetime.datetime,
                          days: int = CONTRACT_WARNING_DAYS) -> list[Finding]:
    today = timezone.localdate(now)
    people = PlanPerson.objects.filter(
        entity=entity, is_outsourced=True, contract_end__isnull=False,
        contract_end__gte=today, contract_end__lte=today + datetime.timedelta(days=days))
    return [Finding(kind=AlertKind.CONTRACT_ENDING, severity=AlertSeverity.WARNING
                    if (p.contract_end - today).days > 7 else AlertSeverity.CRITICAL,
                    dedupe_key=f"contract:{p.public_id}:{p.contract_end.isoformat()}",
                    params={"name": p.name, "agency": p.agency,
                            "end": p.contract_end.isoformat()}) for p in people]


def find_reconnection(entity, *, now: datetime.datetime) -> list[Finding]:
    channels = Channel.objects.filter(entity=entity, status=ChannelStatus.NEEDS_RECONNECTION)
    return [Finding(kind=AlertKind.CHANNEL_RECONNECTION, severity=AlertSeverity.CRITICAL,
                    dedupe_key=f"reconnect:{c.public_id}", params={"channel": str(c)},
                    channel_id=c.pk) for c in channels]


RULES = (find_absence_posts, find_absence_unanswered, find_crisis, find_sla_breaches,
         find_contracts_ending, find_reconnection)


# --- Writes --------------------------------------------------------------------------------


def alert_raise(*, entity, finding: Finding, now: datetime.datetime) -> tuple[Alert, bool]:
    """Create the alert for a finding, or refresh the open one with the same key.

    An acknowledged situation is not raised again: the key names the episode (the date of a
    channel's last post, the day of the SLA breaches), so a new episode gets a new alert.
    """
    existing = (Alert.objects.filter(entity=entity, dedupe_key=finding.dedupe_key)
                .order_by(F("acknowledged_at").asc(nulls_first=True)).first())  # open first
    if existing is not None and existing.acknowledged_at is not None:
        return existing, False
    if existing is not None:
        Alert.objects.filter(pk=existing.pk).update(last_seen_at=now, params=finding.params,
                                                    severity=finding.severity)
        existing.params, existing.last_seen_at = finding.params, now
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                entity=entity, kind=finding.kind, severity=finding.severity,
                dedupe_key=finding.dedupe_key, channel_id=finding.channel_id,
                params=finding.params, raised_at=now, last_seen_at=now)
    except IntegrityError:  # a concurrent sweep raised it first
        return Alert.objects.get(entity=entity, dedupe_key=finding.dedupe_key,
                                 acknowledged_at__isnull=True), False
    return alert, True


def alerts_sweep_entity(*, entity_id: int, now: datetime.datetime | None = None,
                        send_email: bool = True) -> list[Alert]:
    """Evaluate every rule for one entity; return the alerts raised by this run."""
    now = now or timezone.now()
    entity = Entity.objects.get(pk=entity_id)
    raised = []
    for rule in RULES:
        try:
            findings = rule(entity, now=now)
        except Exception:  # one broken rule must not silence the others
            logger.exception("Alert rule %s failed for entity %s", rule.__name__, entity_id)
            continue
        for finding in findings:
            alert, created = alert_raise(entity=entity, finding=finding, now=now)
            if created:
                raised.append(alert)
    if send_email and raised:
        alerts_email(entity=entity, alerts=raised)
    return raised


def alert_recipients(entity) -> list[str]:
    return sorted(set(Membership.objects.filter(
        entity=entity, is_active=True, role__in=ALERT_RECIPIENT_ROLES)
        .values_list("user__email", flat=True)))


def alerts_email(*, entity, alerts: list[Alert]) -> int:
    """One e-mail per sweep listing the new alerts; records `emailed_at`. Returns messages sent."""
    recipients = alert_recipients(entity)
    if not recipients or not alerts:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse("monitoring:dashboard",
                                                  kwargs={"entity_slug": entity.slug})
    with translation.override("es-co"):
        subject = ngettext("[%(entity)s] %(count)d new alert",
                           "[%(entity)s] %(count)d new alerts",
                           len(alerts)) % {"entity": entity.name, "count": len(alerts)}
        lines = [f"- {a.get_severity_display()}: {alert_message(a)}" for a in alerts]
        body = "\n".join([
            _("New alerts on the dashboard of %(entity)s:") % {"entity": entity.name}, "",
            *lines, "",
            _("Open the dashboard to acknowledge them: %(url)s") % {"url": url}])
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=timezone.now())
    return 1


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert, note: str = "") -> Alert:
    """Record who acknowledged the alert and when. Acknowledging twice is refused."""
    if not can_acknowledge(actor, alert.entity):
        raise PermissionDenied(_("Your role in this entity does not allow this action."))
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError(_("The note can have at most 500 characters."))
    now = timezone.now()
    changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor, acknowledgement_note=note)
    if not changed:
        alert.refresh_from_db()
        raise ValidationError(_("This alert was already acknowledged by %(name)s.")
                              % {"name": alert.acknowledged_by or "—"})
    alert.acknowledged_at, alert.acknowledged_by, alert.acknowledgement_note = now, actor, note
    audit_record(entity=alert.entity, actor=actor, action="alert.acknowledge", obj=alert,
                 before={"acknowledged": False},
                 after={"acknowledged": True, "kind": alert.kind, "note": note})
    return alert


def open_alerts(entity, *, limit: int = 50):
    return (Alert.objects.filter(entity=entity, acknowledged_at__isnull=True)
            .select_related("channel").order_by("-raised_at")[:limit])


def recent_acknowledged(entity, *, limit: int = 10):
    return (Alert.objects.filter(entity=entity, acknowledged_at__isnull=False)
            .select_related("acknowledged_by").order_by("-acknowledged_at")[:limit])
