"""Reads for the protocols: SLA targets, approvals, completeness, custody warnings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from strategy.choices import Role

from . import deadlines
from .choices import ApprovalStatus, Clock, RaciLetter, Urgency
from .models import (
    AccountCustody,
    ApprovalRequest,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    ProtocolSettings,
    RaciActivity,
    RaciAssignment,
    ResponseSla,
    ResponseTemplate,
    Risk,
)

#: First-response targets used when the entity configured none that applies:
#: (hours, clock). High urgency: one calendar hour (a crisis does not wait for office hours);
#: normal: one business day (8 business hours); low: three business days.
DEFAULT_SLA: dict[str, tuple[Decimal, str]] = {
    Urgency.HIGH: (Decimal(1), Clock.CALENDAR),
    Urgency.NORMAL: (Decimal(8), Clock.BUSINESS),
    Urgency.LOW: (Decimal(24), Clock.BUSINESS),
}


def settings_for(entity) -> ProtocolSettings:
    """The entity's protocol settings, created with the law's defaults when missing."""
    settings, _created = ProtocolSettings.objects.get_or_create(entity=entity)
    return settings


def sla_for(*, entity, platform: str, category: str, urgency: str):
    """The SLA row that applies, or None. Most specific wins; ties: the shortest target."""
    rows = ResponseSla.objects.filter(entity=entity).filter(
        Q(platform="") | Q(platform=platform),
        Q(category="") | Q(category=category),
        Q(urgency="") | Q(urgency=urgency),
    )
    best = None
    for row in rows:
        key = (-(bool(row.platform) + bool(row.category) + bool(row.urgency)), row.target_hours)
        if best is None or key < best[0]:
            best = (key, row)
    return best[1] if best else None


def add_business_hours(start: datetime.datetime, hours, *, entity) -> datetime.datetime:
    """`start` plus `hours` counted only inside service hours on business days."""
    tz = deadlines.entity_tz(entity)
    open_at, close_at = deadlines.service_window(entity)
    remaining = datetime.timedelta(hours=float(hours))
    current = start.astimezone(tz)
    day = current.date()
    while True:
        if deadlines.is_business_day(day, entity=entity):
            window_start = datetime.datetime.combine(day, open_at, tzinfo=tz)
            window_end = datetime.datetime.combine(day, close_at, tzinfo=tz)
            begin = max(current, window_start)
            if begin < window_end:
                available = window_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += datetime.timedelta(days=1)
        current = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=tz)


def first_response_due(*, entity, platform: str, category: str, urgency: str,
                       received_at: datetime.datetime) -> datetime.datetime:
    """When the first answer to a mention is due, per the entity's SLA table.

    With no SLA row that applies, `DEFAULT_SLA` by urgency is used (documented in
    docs/protocols.md). Business hours use the entity's service hours and time zone.
    """
    row = sla_for(entity=entity, platform=platform, category=category, urgency=urgency)
    if row is not None:
        hours, clock = row.target_hours, row.clock
    else:
        hours, clock = DEFAULT_SLA.get(urgency, DEFAULT_SLA[Urgency.NORMAL])
    if clock == Clock.CALENDAR:
        return received_at + datetime.timedelta(hours=float(hours))
    return add_business_hours(received_at, hours, entity=entity)


def _matches_list(values: list, value) -> bool:
    return not values or value in values


def approval_required(*, entity, category: str, urgency: str, author_followers: int | None,
                      matches: list) -> str | None:
    """The Role value that must approve a reply, or None when none is needed.

    An escalation rule that fired and requires approval wins (the first in rule order);
    then the approval rules in order.
    """
    for match in matches:
        if match.rule.require_approval_role:
            return match.rule.require_approval_role
    fired = {match.rule.pk for match in matches}
    for rule in ApprovalRule.objects.filter(entity=entity):
        if rule.escalation_rule_id is not None and rule.escalation_rule_id not in fired:
            continue
        if not _matches_list(rule.categories, category):
            continue
        if not _matches_list(rule.urgencies, urgency):
            continue
        if rule.min_followers is not None and (author_followers or 0) < rule.min_followers:
            continue
        return rule.required_role
    return None


def pending_approvals_for(user, entity):
    """Approval requests the user may decide: their role, or any role for entity admins."""
    from strategy.permissions import role_of

    role = role_of(user, entity)
    qs = ApprovalRequest.objects.filter(entity=entity, status=ApprovalStatus.PENDING)
    if role != Role.ENTITY_ADMIN:
        qs = qs.filter(required_role=role)
    return qs.select_related("requested_by")


def raci_grid(entity):
    """(activities, areas, cells) with cells[(activity_id, area_id)] = letter."""
    activities = list(RaciActivity.objects.filter(entity=entity))
    areas = list(Area.objects.filter(entity=entity))
    cells = {(a.activity_id, a.area_id): a.letter
             for a in RaciAssignment.objects.filter(activity__entity=entity)}
    return activities, areas, cells


def raci_problems(activities, cells) -> dict[int, list[str]]:
    """Per activity id: what breaks the rule "exactly one A, at least one R"."""
    problems: dict[int, list[str]] = {}
    for activity in activities:
        letters = [letter for (act, _area), letter in cells.items() if act == activity.pk]
        errs = []
        accountable = letters.count(RaciLetter.ACCOUNTABLE)
        if accountable == 0:
            errs.append(_("No one is Accountable (A)."))
        elif accountable > 1:
            errs.append(_("%(n)s Accountable (A); there must be exactly one.")
                        % {"n": accountable})
        if RaciLetter.RESPONSIBLE not in letters:
            errs.append(_("No one is Responsible (R)."))
        if errs:
            problems[activity.pk] = errs
    return problems


PERSONAL_EMAIL_DOMAINS = frozenset({
    "gmail.com", "hotmail.com", "hotmail.es", "outlook.com", "outlook.es", "live.com",
    "yahoo.com", "yahoo.es", "icloud.com", "me.com", "aol.com", "protonmail.com",
    "proton.me", "gmx.com", "mail.com", "msn.com", "zoho.com", "yandex.com",
})
ROTATION_MAX_AGE = datetime.timedelta(days=180)


def is_institutional_email(email: str, entity) -> bool:
    """Institutional: a .gov.co/.edu.co/.mil.co address or the entity's own web domain."""
    domain = email.rsplit("@", 1)[-1].lower().strip()
    if domain in PERSONAL_EMAIL_DOMAINS:
        return False
    if domain.endswith((".gov.co", ".edu.co", ".mil.co", ".org.co")) or domain == "gov.co":
        return True
    website = (getattr(entity, "website", "") or "").lower()
    host = website.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.")
    return bool(host) and (domain == host or domain.endswith("." + host))


@dataclass
class CustodyWarning:
    custody: AccountCustody
    message: str


def custody_warnings(entity, *, today: datetime.date | None = None) -> list[CustodyWarning]:
    from django.utils import timezone

    today = today or timezone.localdate()
    warnings = []
    for custody in AccountCustody.objects.filter(entity=entity).select_related("channel"):
        if not custody.two_factor_enabled:
            warnings.append(CustodyWarning(custody, _(
                "%(account)s has no two-factor authentication.") % {"account": custody.channel}))
        if not is_institutional_email(custody.recovery_email, entity):
            warnings.append(CustodyWarning(custody, _(
                "%(account)s recovers access through %(email)s, which is not an institutional "
                "address.") % {"account": custody.channel, "email": custody.recovery_email}))
        if custody.last_rotation is None or today - custody.last_rotation > ROTATION_MAX_AGE:
            warnings.append(CustodyWarning(custody, _(
                "%(account)s has not rotated its credentials in the last 180 days.")
                % {"account": custody.channel}))
    return warnings


@dataclass
class SectionStatus:
    key: str
    label: str
    url_name: str
    done: int
    total: int
    note: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def protocol_summary(entity) -> list[SectionStatus]:
    """Completeness per section, for the overview page and the plan's overview and PDF."""
    from channels_app.models import Channel

    activities, _areas, cells = raci_grid(entity)
    problems = raci_problems(activities, cells)
    raci_ok = len(activities) - len(problems)
    has_settings = ProtocolSettings.objects.filter(entity=entity).first()
    urgencies_covered = set(ResponseSla.objects.filter(entity=entity)
                            .values_list("urgency", flat=True))
    sla_done = 3 if "" in urgencies_covered else len(urgencies_covered & set(Urgency.values))
    templates = ResponseTemplate.objects.filter(entity=entity, is_active=True).annotate(
        approved=Count("versions", filter=Q(versions__status="approved")))
    tpl_total = templates.count()
    tpl_done = templates.filter(approved__gt=0).count()
    channels = Channel.objects.filter(entity=entity).count()
    custody = AccountCustody.objects.filter(entity=entity).count()
    policies = ChannelPqrsdPolicy.objects.filter(entity=entity).count()
    crisis = CrisisLevel.objects.filter(entity=entity).count()
    pqrsd_done = (1 if has_settings and has_settings.petition_criteria else 0) + \
        (1 if has_settings and has_settings.out_of_competence_message else 0) + \
        min(policies, 1)
    return [
        SectionStatus("raci", _("Responsibilities (RACI)"), "protocols:raci",
                      raci_ok, max(len(activities), 1) if activities else 1),
        SectionStatus("sla", _("Response targets"), "protocols:sla_list", sla_done, 3),
        SectionStatus("pqrsd", _("PQRSD deadlines and channels"), "protocols:pqrsd",
                      pqrsd_done, 3),
        SectionStatus("escalation", _("Escalation rules"), "protocols:escalation_list",
                      min(EscalationRule.objects.filter(entity=entity, is_active=True).count(),
                          1), 1),
        SectionStatus("templates", _("Response templates"), "protocols:template_list",
                      tpl_done, max(tpl_total, 1)),
        SectionStatus("approval", _("Approval rules"), "protocols:approvalrule_list",
                      min(ApprovalRule.objects.filter(entity=entity).count(), 1), 1),
        SectionStatus("risks", _("Risks and crisis"), "protocols:risk_list",
                      min(Risk.objects.filter(entity=entity).count(), 1) + min(crisis, 1), 2),
        SectionStatus("custody", _("Account custody"), "protocols:custody_list",
                      custody, max(channels, 1)),
    ]


def protocol_completeness(entity) -> tuple[int, list[str]]:
    """(percent, missing) for step 5 in the plan's overview and PDF: the mean of the
    sections' completeness and the names of the sections not yet complete."""
    sections = protocol_summary(entity)
    percent = round(sum(min(s.percent, 100) for s in sections) / len(sections))
    missing = [str(s.label) for s in sections if s.percent < 100]
    return percent, missing
