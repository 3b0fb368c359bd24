"""Escalation rules: which rule fires for a mention, why, and which rules cannot work.

    from protocols.escalation import MentionFacts, evaluate
    matches = evaluate(entity=entity, facts=MentionFacts(text=..., category="complaint", ...))
    for m in matches: m.rule, m.reasons, m.actions

Rules are evaluated in order (`position`); every rule whose conditions all hold fires; a
rule marked "stop here" ends the evaluation. Empty conditions mean "any".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from strategy.choices import Role

from .choices import MentionCategory, PqrsdType, Urgency
from .models import EscalationRule


@dataclass
class MentionFacts:
    text: str
    category: str
    pqrsd_type: str
    urgency: str
    author_followers: int | None
    platform: str
    channel_public_id: str | None


@dataclass
class EscalationAction:
    kind: str  # assign_area | assign_person | require_approval | notify | crisis_candidate
    target: object
    label: str


@dataclass
class RuleMatch:
    rule: EscalationRule
    reasons: list[str] = field(default_factory=list)
    actions: list[EscalationAction] = field(default_factory=list)

    @property
    def assign_area(self):
        return self.rule.assign_area

    @property
    def assign_user(self):
        return self.rule.assign_user

    @property
    def approval_role(self) -> str:
        return self.rule.require_approval_role

    @property
    def notify_roles(self) -> list[str]:
        return list(self.rule.notify_roles)

    @property
    def crisis_candidate(self) -> bool:
        return self.rule.crisis_candidate


def normalize(text: str) -> str:
    """Lower case without accents, so "corrupción" matches "corrupcion"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def choice_label(choices, value) -> str:
    """The translated label of a choice value (the value itself if unknown)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


_label = choice_label


def _labels(choices, values) -> str:
    return ", ".join(_label(choices, v) for v in values)


def rule_actions(rule: EscalationRule) -> list[EscalationAction]:
    actions = []
    if rule.assign_area_id:
        actions.append(EscalationAction("assign_area", rule.assign_area,
                                        _("Assign to %(area)s") % {"area": rule.assign_area}))
    if rule.assign_user_id:
        actions.append(EscalationAction("assign_person", rule.assign_user,
                                        _("Assign to %(person)s") % {"person": rule.assign_user}))
    if rule.require_approval_role:
        actions.append(EscalationAction(
            "require_approval", rule.require_approval_role,
            _("Reply needs approval by: %(role)s")
            % {"role": _label(Role, rule.require_approval_role)}))
    if rule.notify_roles:
        actions.append(EscalationAction("notify", list(rule.notify_roles),
                                        _("Notify: %(roles)s")
                                        % {"roles": _labels(Role, rule.notify_roles)}))
    if rule.crisis_candidate:
        actions.append(EscalationAction("crisis_candidate", True,
                                        _("Mark as a crisis candidate")))
    return actions


def match_rule(rule: EscalationRule, facts: MentionFacts) -> list[str] | None:
    """The reasons the rule fires for these facts, or None when a condition fails."""
    reasons = []
    if rule.categories:
        if facts.category not in rule.categories:
            return None
        reasons.append(_("the category is %(value)s") % {"value": _label(MentionCategory,
                                                                        facts.category)})
    if rule.pqrsd_types:
        if facts.pqrsd_type not in rule.pqrsd_types:
            return None
        reasons.append(_("the PQRSD type is %(value)s") % {"value": _label(PqrsdType,
                                                                          facts.pqrsd_type)})
    if rule.urgencies:
        if facts.urgency not in rule.urgencies:
            return None
        reasons.append(_("the urgency is %(value)s") % {"value": _label(Urgency, facts.urgency)})
    if rule.keywords:
        text = normalize(facts.text)
        found = [k for k in rule.keywords if normalize(k) and normalize(k) in text]
        if not found:
            return None
        reasons.append(_("the text contains: %(words)s")
                       % {"words": ", ".join(f"«{k}»" for k in found)})
    if rule.min_followers is not None:
        if facts.author_followers is None or facts.author_followers < rule.min_followers:
            return None
        reasons.append(_("the author has %(n)s followers (at least %(min)s)")
                       % {"n": f"{facts.author_followers:,}".replace(",", "."),
                          "min": f"{rule.min_followers:,}".replace(",", ".")})
    if rule.platforms:
        if facts.platform not in rule.platforms:
            return None
        from channels_app.choices import Platform

        reasons.append(_("the network is %(value)s")
                       % {"value": choice_label(Platform, facts.platform)})
    if rule.channel_id:
        if str(rule.channel.public_id) != str(facts.channel_public_id or ""):
            return None
        reasons.append(_("it arrived on the channel %(channel)s") % {"channel": rule.channel})
    if not reasons:
        reasons.append(_("the rule has no conditions: it applies to every mention"))
    return reasons


def active_rules(entity):
    return list(EscalationRule.objects.filter(entity=entity, is_active=True)
                .select_related("assign_area", "assign_user", "channel"))


def evaluate(*, entity, facts: MentionFacts, rules=None) -> list[RuleMatch]:
    """Every rule that fires for the mention, in order, with reasons and actions."""
    matches = []
    for rule in rules if rules is not None else active_rules(entity):
        reasons = match_rule(rule, facts)
        if reasons is None:
            continue
        matches.append(RuleMatch(rule=rule, reasons=reasons, actions=rule_actions(rule)))
        if rule.stop_processing:
            break
    return matches


# --- Checking the rule set ---------------------------------------------------------------

@dataclass
class RuleProblem:
    kind: str  # "unreachable" | "conflict" | "empty"
    rule: EscalationRule
    other: EscalationRule | None
    message: str


def _set_covers(outer: list, inner: list) -> bool:
    """Does a condition list `outer` match every value `inner` matches? (empty = any)."""
    if not outer:
        return True
    if not inner:
        return False
    return set(inner) <= set(outer)


def _sets_overlap(a: list, b: list) -> bool:
    return not a or not b or bool(set(a) & set(b))


def covers(a: EscalationRule, b: EscalationRule) -> bool:
    """True when `a` fires for every mention `b` fires for."""
    if not all(_set_covers(getattr(a, f), getattr(b, f))
               for f in ("categories", "pqrsd_types", "urgencies", "platforms")):
        return False
    if a.keywords:
        if not b.keywords:
            return False
        a_words = [normalize(k) for k in a.keywords]
        if not all(any(w in normalize(k) for w in a_words) for k in b.keywords):
            return False
    if a.min_followers is not None and (b.min_followers is None
                                        or b.min_followers < a.min_followers):
        return False
    return not (a.channel_id and a.channel_id != b.channel_id)


def overlap(a: EscalationRule, b: EscalationRule) -> bool:
    """True when some mention could make both rules fire (keywords are assumed compatible)."""
    if not all(_sets_overlap(getattr(a, f), getattr(b, f))
               for f in ("categories", "pqrsd_types", "urgencies", "platforms")):
        return False
    return not (a.channel_id and b.channel_id and a.channel_id != b.channel_id)


def _has_action(rule) -> bool:
    return bool(rule.assign_area_id or rule.assign_user_id or rule.require_approval_role
                or rule.notify_roles or rule.crisis_candidate)


def check_rules(rules: list[EscalationRule]) -> list[RuleProblem]:
    """Unreachable rules (shadowed by an earlier "stop here" rule that covers them),
    conflicting rules (both can fire and assign or require approval differently),
    and rules that do nothing."""
    problems = []
    active = [r for r in rules if r.is_active]
    for index, rule in enumerate(active):
        if not _has_action(rule):
            problems.append(RuleProblem("empty", rule, None, _(
                "«%(rule)s» has no action: it fires but changes nothing.") % {"rule": rule}))
        for earlier in active[:index]:
            if earlier.stop_processing and covers(earlier, rule):
                problems.append(RuleProblem("unreachable", rule, earlier, _(
                    "«%(rule)s» can never fire: «%(other)s» comes first, matches every "
                    "mention it matches and stops the evaluation.")
                    % {"rule": rule, "other": earlier}))
                break
            if earlier.stop_processing or not overlap(earlier, rule):
                continue
            clash = []
            if (earlier.assign_area_id and rule.assign_area_id
                    and earlier.assign_area_id != rule.assign_area_id):
                clash.append(_("assign to different areas"))
            if (earlier.assign_user_id and rule.assign_user_id
                    and earlier.assign_user_id != rule.assign_user_id):
                clash.append(_("assign to different people"))
            if (earlier.require_approval_role and rule.require_approval_role
                    and earlier.require_approval_role != rule.require_approval_role):
                clash.append(_("require approval from different roles"))
            if clash:
                problems.append(RuleProblem("conflict", rule, earlier, _(
                    "«%(rule)s» and «%(other)s» can fire for the same mention and %(what)s; "
                    "the earlier one («%(other)s») wins.")
                    % {"rule": rule, "other": earlier, "what": ", ".join(clash)}))
    return problems
