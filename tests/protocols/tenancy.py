from .factories import (
    AccountCustodyFactory,
    ApprovalRequestFactory,
    ApprovalRuleFactory,
    AreaFactory,
    ChannelPqrsdPolicyFactory,
    CrisisLevelFactory,
    EscalationRuleFactory,
    NonWorkingDayFactory,
    RaciActivityFactory,
    ResponseSlaFactory,
    ResponseTemplateFactory,
    RiskFactory,
    TemplateVersionFactory,
)

URL_KWARGS = {
    "area_id": lambda entity: AreaFactory(entity=entity).public_id,
    "activity_id": lambda entity: RaciActivityFactory(entity=entity).public_id,
    "day_id": lambda entity: NonWorkingDayFactory(entity=entity).public_id,
    "sla_id": lambda entity: ResponseSlaFactory(entity=entity).public_id,
    "rule_id": lambda entity: EscalationRuleFactory(entity=entity).public_id,
    "approval_rule_id": lambda entity: ApprovalRuleFactory(entity=entity).public_id,
    "risk_id": lambda entity: RiskFactory(entity=entity).public_id,
    "level_id": lambda entity: CrisisLevelFactory(entity=entity).public_id,
    "policy_id": lambda entity: ChannelPqrsdPolicyFactory(entity=entity).public_id,
    "custody_id": lambda entity: AccountCustodyFactory(entity=entity).public_id,
    "template_id": lambda entity: ResponseTemplateFactory(entity=entity).public_id,
    "version_id": lambda entity: TemplateVersionFactory(template__entity=entity).public_id,
    "approval_id": lambda entity: ApprovalRequestFactory(entity=entity).public_id,
}


def _habeas_request(entity):
    import datetime

    from protocols.habeas_services import habeas_request_create

    return habeas_request_create(
        actor=None, entity=entity, kind="consulta", handle="victima", requester_name="V",
        contact="v@example.com",
        received_at=datetime.datetime(2026, 11, 3, 15, tzinfo=datetime.UTC)).public_id


URL_KWARGS["habeas_id"] = _habeas_request
