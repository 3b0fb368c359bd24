import pytest

from protocols.escalation import MentionFacts, check_rules, evaluate
from protocols.selectors import approval_required
from protocols.services import escalation_rule_save
from strategy.choices import Role

from .factories import ApprovalRuleFactory, AreaFactory, ChannelFactory, EscalationRuleFactory

pytestmark = pytest.mark.django_db


def facts(**kw):
    base = {"text": "Hola", "category": "complaint", "pqrsd_type": "", "urgency": "normal",
            "author_followers": 10, "platform": "x", "channel_public_id": None}
    base.update(kw)
    return MentionFacts(**base)


def test_rules_fire_in_order_with_reasons_and_actions(entity):
    legal = AreaFactory(entity=entity, name="Oficina jurídica")
    EscalationRuleFactory(entity=entity, name="Corrupción", position=1,
                          keywords=["corrupción", "soborno"], assign_area=legal,
                          require_approval_role=Role.APPROVER, crisis_candidate=True)
    EscalationRuleFactory(entity=entity, name="Influenciadores", position=2,
                          min_followers=50000, notify_roles=[Role.STRATEGY_OWNER])
    EscalationRuleFactory(entity=entity, name="Solo Facebook", position=3,
                          platforms=["facebook"], notify_roles=[Role.COMMUNICATIONS_OFFICER])
    matches = evaluate(entity=entity, facts=facts(
        text="Denuncio CORRUPCION en la obra", author_followers=120000))
    assert [m.rule.name for m in matches] == ["Corrupción", "Influenciadores"]
    first = matches[0]
    assert any("corrupción" in r for r in first.reasons)
    assert {a.kind for a in first.actions} == {"assign_area", "require_approval",
                                               "crisis_candidate"}
    assert first.assign_area == legal and first.crisis_candidate
    assert any("120.000" in r for r in matches[1].reasons)


def test_stop_processing_and_inactive_rules(entity):
    EscalationRuleFactory(entity=entity, name="Urgente", position=1, urgencies=["high"],
                          stop_processing=True, notify_roles=[Role.APPROVER])
    EscalationRuleFactory(entity=entity, name="Todo", position=2, notify_roles=[Role.AUDITOR])
    EscalationRuleFactory(entity=entity, name="Apagada", position=0, is_active=False,
                          notify_roles=[Role.AUDITOR])
    assert [m.rule.name for m in evaluate(entity=entity, facts=facts(urgency="high"))] == [
        "Urgente"]
    assert [m.rule.name for m in evaluate(entity=entity, facts=facts())] == ["Todo"]


def test_channel_condition_and_other_entity_rules_ignored(entity, other_entity):
    channel = ChannelFactory(entity=entity)
    EscalationRuleFactory(entity=entity, name="Canal", channel=channel,
                          notify_roles=[Role.APPROVER])
    EscalationRuleFactory(entity=other_entity, name="Ajena", notify_roles=[Role.APPROVER])
    assert evaluate(entity=entity, facts=facts()) == []
    matched = evaluate(entity=entity, facts=facts(channel_public_id=str(channel.public_id)))
    assert [m.rule.name for m in matched] == ["Canal"]


def test_unreachable_rule_is_refused(entity, admin_user):
    from django.core.exceptions import ValidationError

    EscalationRuleFactory(entity=entity, name="Quejas", position=1, categories=["complaint"],
                          stop_processing=True, notify_roles=[Role.APPROVER])
    from protocols.models import EscalationRule

    shadowed = EscalationRule(name="Quejas urgentes", position=2, categories=["complaint"],
                              urgencies=["high"], crisis_candidate=True)
    with pytest.raises(ValidationError) as info:
        escalation_rule_save(actor=admin_user, entity=entity, rule=shadowed)
    assert "nunca" in " ".join(info.value.messages) or "never" in " ".join(info.value.messages)
    assert not EscalationRule.objects.filter(name="Quejas urgentes").exists()
    # Put first, it is reachable and accepted.
    shadowed.position = 0
    escalation_rule_save(actor=admin_user, entity=entity, rule=shadowed)


def test_conflicts_and_empty_rules_are_reported(entity):
    a, b = AreaFactory(entity=entity), AreaFactory(entity=entity)
    EscalationRuleFactory(entity=entity, name="A", position=1, categories=["complaint"],
                          assign_area=a)
    EscalationRuleFactory(entity=entity, name="B", position=2, urgencies=["high"],
                          assign_area=b)
    EscalationRuleFactory(entity=entity, name="C", position=3, categories=["praise"],
                          assign_area=b)
    EscalationRuleFactory(entity=entity, name="Vacía", position=4)
    from protocols.models import EscalationRule

    problems = check_rules(list(EscalationRule.objects.filter(entity=entity)))
    kinds = {(p.kind, p.rule.name, p.other.name if p.other else None) for p in problems}
    assert ("conflict", "B", "A") in kinds
    assert ("empty", "Vacía", None) in kinds
    assert not any(p.rule.name == "C" and p.kind == "conflict" and p.other.name == "A"
                   for p in problems)


def test_approval_required(entity):
    rule = EscalationRuleFactory(entity=entity, name="Prensa", keywords=["periodista"],
                                 notify_roles=[Role.STRATEGY_OWNER])
    ApprovalRuleFactory(entity=entity, position=1, escalation_rule=rule,
                        required_role=Role.STRATEGY_OWNER)
    ApprovalRuleFactory(entity=entity, position=2, urgencies=["high"],
                        required_role=Role.APPROVER)
    ApprovalRuleFactory(entity=entity, position=3, min_followers=10000,
                        required_role=Role.COMMUNICATIONS_OFFICER)

    def required(f):
        return approval_required(entity=entity, category=f.category, urgency=f.urgency,
                                 author_followers=f.author_followers,
                                 matches=evaluate(entity=entity, facts=f))

    assert required(facts()) is None
    assert required(facts(text="Soy periodista")) == Role.STRATEGY_OWNER
    assert required(facts(urgency="high")) == Role.APPROVER
    assert required(facts(author_followers=20000)) == Role.COMMUNICATIONS_OFFICER
    assert required(facts(author_followers=None)) is None
    # A rule that requires approval itself wins.
    EscalationRuleFactory(entity=entity, name="Crisis", position=0, keywords=["periodista"],
                          require_approval_role=Role.ENTITY_ADMIN)
    assert required(facts(text="Soy periodista")) == Role.ENTITY_ADMIN
