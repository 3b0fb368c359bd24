"""The one door from the queue to the protocol: response SLA, legal deadline, escalation.

The protocols app owns the rules (issue 4). While it is not installed or a function is missing,
the queue still works with a documented default (docs/operations.md), so no mention waits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from .choices import LEGAL_PQRSD_TYPES, Urgency

logger = logging.getLogger(__name__)

# Default first-response SLA (wall-clock hours) when the entity has no protocol yet.
DEFAULT_SLA_HOURS = {Urgency.HIGH: 2, Urgency.NORMAL: 8, Urgency.LOW: 24}

# Ley 1755 de 2015, art. 14: fifteen business days is the general term for petitions,
# complaints, claims, suggestions and reports. Used only if protocols.deadlines is missing.
DEFAULT_LEGAL_BUSINESS_DAYS = 15


@dataclass
class Escalation:
    """What the protocol's escalation rules said about one mention, ready to store as JSON."""

    matches: list[dict] = field(default_factory=list)
    is_crisis_candidate: bool = False
    approval_role: str = ""


def first_response_due(*, entity, platform: str, category: str, urgency: str,
                       received_at: datetime) -> datetime:
    return ProtocolContext(entity).first_response_due(
        platform=platform, category=category, urgency=urgency, received_at=received_at)


def _business_days_add(start: date, days: int) -> date:
    import holidays

    co_holidays = holidays.country_holidays("CO", years=range(start.year, start.year + 2))
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in co_holidays:
            remaining -= 1
    return current


def legal_due(*, entity, pqrsd_type: str, received_at: datetime) -> date | None:
    """The legal answer deadline of a PQRSD, or None where the type carries none."""
    return ProtocolContext(entity).legal_due(pqrsd_type=pqrsd_type, received_at=received_at)


def _match_as_dict(match) -> dict:
    """A protocols.escalation.RuleMatch as JSON: the rule, its readable reasons and actions."""
    rule = getattr(match, "rule", None)
    rule_id = getattr(rule, "public_id", None) or getattr(rule, "pk", None)
    actions = []
    for action in getattr(match, "actions", None) or []:
        if isinstance(action, dict):
            actions.append({"kind": str(action.get("kind", "")),
                            "label": str(action.get("label", ""))})
        else:
            actions.append({"kind": str(getattr(action, "kind", action)),
                            "label": str(getattr(action, "label", ""))})
    return {
        "rule": str(rule) if rule is not None else "",
        "rule_id": str(rule_id) if rule_id is not None else "",
        "reasons": [str(r) for r in (getattr(match, "reasons", None) or [])],
        "actions": actions,
    }


def escalate(*, entity, text: str, category: str, pqrsd_type: str, urgency: str,
             author_followers: int | None, platform: str,
             channel_public_id: str | None) -> Escalation:
    return ProtocolContext(entity).escalate(
        text=text, category=category, pqrsd_type=pqrsd_type, urgency=urgency,
        author_followers=author_followers, platform=platform,
        channel_public_id=channel_public_id)


class ProtocolContext:
    """The entity's protocol for one ingestion batch: rules loaded once, answers memoised.

    A batch of a few hundred mentions would otherwise ask the protocol tables the same
    questions hundreds of times (SLA row, escalation rules, approval rules). Every mention of
    a batch shares its `received_at`, so the deadlines memoise exactly.
    """

    def __init__(self, entity):
        self.entity = entity
        self._due: dict = {}
        self._legal: dict = {}
        self._approval: dict = {}
        self._rules = None
        self._thresholds = None
        try:
            from protocols import escalation as protocol_escalation
        except ImportError:
            protocol_escalation = None
        self._escalation = protocol_escalation

    def first_response_due(self, *, platform: str, category: str, urgency: str,
                           received_at: datetime) -> datetime:
        key = (platform, category, urgency, received_at)
        if key not in self._due:
            try:
                from protocols.selectors import first_response_due as protocol_due
            except ImportError:
                protocol_due = None
            if protocol_due is not None:
                self._due[key] = protocol_due(entity=self.entity, platform=platform,
                                              category=category, urgency=urgency,
                                              received_at=received_at)
            else:
                self._due[key] = received_at + timedelta(
                    hours=DEFAULT_SLA_HOURS.get(urgency, 8))
        return self._due[key]

    def legal_due(self, *, pqrsd_type: str, received_at: datetime) -> date | None:
        if pqrsd_type not in LEGAL_PQRSD_TYPES:
            return None
        key = (pqrsd_type, received_at)
        if key not in self._legal:
            self._legal[key] = self._compute_legal_due(pqrsd_type, received_at)
        return self._legal[key]

    def _compute_legal_due(self, pqrsd_type: str, received_at: datetime) -> date | None:
        try:
            from protocols.deadlines import pqrsd_due_date
        except ImportError:
            pqrsd_due_date = None
        if pqrsd_due_date is not None:
            try:
                return pqrsd_due_date(received_at, pqrsd_type, entity=self.entity)
            except Exception:  # an out-of-range year or a type the protocol does not know
                logger.exception("pqrsd_due_date failed for %s; the case keeps no legal "
                                 "deadline", pqrsd_type)
                return None
        local = timezone.localtime(received_at).date()
        return _business_days_add(local, DEFAULT_LEGAL_BUSINESS_DAYS)

    def _follower_key(self, followers: int | None):
        """Followers matter to approval rules only through their thresholds."""
        if self._thresholds is None:
            try:
                from protocols.models import ApprovalRule

                self._thresholds = sorted({t for t in ApprovalRule.objects.filter(
                    entity=self.entity).values_list("min_followers", flat=True)
                    if t is not None})
            except ImportError:
                self._thresholds = []
        return tuple((followers or 0) >= t for t in self._thresholds)

    def escalate(self, *, text: str, category: str, pqrsd_type: str, urgency: str,
                 author_followers: int | None, platform: str,
                 channel_public_id: str | None) -> Escalation:
        if self._escalation is None:
            return Escalation()
        if self._rules is None:
            self._rules = self._escalation.active_rules(self.entity)
        facts = self._escalation.MentionFacts(
            text=text, category=category, pqrsd_type=pqrsd_type, urgency=urgency,
            author_followers=author_followers, platform=platform,
            channel_public_id=channel_public_id)
        matches = list(self._escalation.evaluate(entity=self.entity, facts=facts,
                                                 rules=self._rules))
        result = Escalation(matches=[_match_as_dict(m) for m in matches])
        result.is_crisis_candidate = any(_is_crisis(m) for m in matches)
        key = (category, urgency, self._follower_key(author_followers),
               tuple(m.rule.pk for m in matches))
        if key not in self._approval:
            try:
                from protocols.selectors import approval_required
            except ImportError:
                approval_required = None
            role = None
            if approval_required is not None:
                role = approval_required(entity=self.entity, category=category,
                                         urgency=urgency, author_followers=author_followers,
                                         matches=matches)
            self._approval[key] = str(role or "")
        result.approval_role = self._approval[key]
        return result


def _is_crisis(match) -> bool:
    if getattr(match, "crisis_candidate", False) or getattr(match, "is_crisis_candidate", False):
        return True
    for action in getattr(match, "actions", None) or []:
        kind = getattr(action, "kind", None) or (action.get("kind") if isinstance(action, dict)
                                                 else action)
        if str(getattr(kind, "value", kind)).lower() in {"crisis", "crisis_candidate"}:
            return True
    return False
