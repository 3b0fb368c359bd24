from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channels_app.choices import Platform
from channels_app.models import Channel
from strategy.choices import Role
from strategy.models import User

from ..choices import MentionCategory, PqrsdType, Urgency
from ..models import (
    AccountCustody,
    ApprovalRequest,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    NonWorkingDay,
    ProtocolSettings,
    RaciActivity,
    ResponseSla,
    ResponseTemplate,
    Risk,
    TemplateVersion,
)


class ScopedSlugField(serializers.SlugRelatedField):
    """A related row given by its public id (or e-mail for people), of the entity only."""

    def get_queryset(self):
        entity = self.context["entity"]
        model = self.queryset.model
        if model is User:
            return User.objects.filter(memberships__entity=entity,
                                       memberships__is_active=True).distinct()
        return model.objects.filter(entity=entity)


def scoped(model, **kwargs):
    slug = "email" if model is User else "public_id"
    return ScopedSlugField(slug_field=slug, queryset=model.objects.all(), required=False,
                           allow_null=True, **kwargs)


class Base(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)


def build(model_cls, field_names, **declared):
    meta = type("Meta", (), {"model": model_cls, "fields": ["id", *field_names]})
    return type(f"{model_cls.__name__}Serializer", (Base,), {"Meta": meta, **declared})


def choice_list(choices):
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), required=False)


AreaSerializer = build(Area, ["name", "kind", "contact", "position"])
RaciActivitySerializer = build(RaciActivity, ["name", "position"])
NonWorkingDaySerializer = build(NonWorkingDay, ["date", "reason"])
ResponseSlaSerializer = build(
    ResponseSla, ["platform", "category", "urgency", "target_hours", "clock"],
    platform=serializers.ChoiceField(choices=[("", "*"), *Platform.choices], required=False,
                                     allow_blank=True))
EscalationRuleSerializer = build(
    EscalationRule,
    ["name", "position", "is_active", "categories", "pqrsd_types", "urgencies", "keywords",
     "min_followers", "platforms", "channel", "assign_area", "assign_user",
     "require_approval_role", "notify_roles", "crisis_candidate", "stop_processing"],
    categories=choice_list(MentionCategory.choices), pqrsd_types=choice_list(PqrsdType.choices),
    urgencies=choice_list(Urgency.choices), platforms=choice_list(Platform.choices),
    notify_roles=choice_list(Role.choices),
    keywords=serializers.ListField(child=serializers.CharField(max_length=100), required=False),
    channel=scoped(Channel), assign_area=scoped(Area), assign_user=scoped(User))
ApprovalRuleSerializer = build(
    ApprovalRule, ["name", "position", "categories", "urgencies", "min_followers",
                   "escalation_rule", "required_role"],
    categories=choice_list(MentionCategory.choices), urgencies=choice_list(Urgency.choices),
    escalation_rule=scoped(EscalationRule))
RiskSerializer = build(Risk, ["kind", "title", "likelihood", "impact", "owner", "mitigation",
                              "status", "score"],
                       owner=scoped(Area), score=serializers.IntegerField(read_only=True))
CrisisLevelSerializer = build(CrisisLevel, ["level", "name", "trigger", "who_is_called",
                                            "call_digital_task_force", "holding_statement",
                                            "checklist"])
ChannelPqrsdPolicySerializer = build(ChannelPqrsdPolicy, ["channel", "accepts_pqrsd", "notes"],
                                     channel=scoped(Channel, allow_empty=False))
AccountCustodySerializer = build(
    AccountCustody, ["channel", "custodian", "custodian_name", "recovery_email",
                     "two_factor_enabled", "last_rotation", "handover", "notes"],
    channel=scoped(Channel), custodian=scoped(User),
    handover=serializers.DictField(child=serializers.BooleanField(), required=False))
ResponseTemplateSerializer = build(ResponseTemplate, ["title", "category", "pqrsd_type",
                                                      "is_active"])


class TemplateVersionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = TemplateVersion
        fields = ["id", "number", "body", "short_body", "status", "created_at", "approved_by",
                  "approved_at"]
        read_only_fields = ["number", "status", "created_at", "approved_at"]


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$",
                     "example": "08:00"})
class HourField(serializers.TimeField):
    """A local time of day "HH:MM" (OpenAPI's "time" format demands a UTC offset)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class ProtocolSettingsSerializer(serializers.ModelSerializer):
    service_start = HourField(required=False)
    service_end = HourField(required=False)

    def validate(self, attrs):
        start = attrs.get("service_start", getattr(self.instance, "service_start", None))
        end = attrs.get("service_end", getattr(self.instance, "service_end", None))
        if start and end and start >= end:
            raise serializers.ValidationError(
                {"service_end": "El horario de atención debe terminar después de empezar."})
        return attrs

    class Meta:
        model = ProtocolSettings
        exclude = ["id", "entity"]


class ApprovalRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = ["id", "kind", "object_ref", "summary", "required_role", "status",
                  "requested_by", "requested_at", "decided_by", "decided_at", "note"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TryMentionSerializer(serializers.Serializer):
    text = serializers.CharField()
    category = serializers.ChoiceField(choices=MentionCategory.choices)
    pqrsd_type = serializers.ChoiceField(choices=PqrsdType.choices, required=False,
                                         allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    author_followers = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                                default=None)
    platform = serializers.ChoiceField(choices=Platform.choices)
    channel = serializers.UUIDField(required=False, allow_null=True, default=None)


class RenderSerializer(serializers.Serializer):
    context = serializers.DictField(child=serializers.CharField(allow_blank=True))
    short = serializers.BooleanField(default=False)


class RuleProblemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["unreachable", "conflict", "empty"])
    rule = serializers.UUIDField()
    other = serializers.UUIDField(allow_null=True)
    message = serializers.CharField()


class RuleActionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()


class RuleMatchSerializer(serializers.Serializer):
    rule = serializers.UUIDField()
    name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    actions = RuleActionSerializer(many=True)


class TryResultSerializer(serializers.Serializer):
    matches = RuleMatchSerializer(many=True)
    approval_role = serializers.CharField(allow_null=True)


class RenderResultSerializer(serializers.Serializer):
    text = serializers.CharField()


class RaciAreaSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField()


class RaciRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    cells = serializers.DictField(child=serializers.CharField())
    problems = serializers.ListField(child=serializers.CharField())


class RaciGridSerializer(serializers.Serializer):
    areas = RaciAreaSerializer(many=True)
    activities = RaciRowSerializer(many=True)


class RaciCellSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    area = serializers.UUIDField()
    letter = serializers.ChoiceField(choices=[("", "-"), "R", "A", "C", "I"], allow_blank=True)


class RaciUpdateSerializer(serializers.Serializer):
    cells = RaciCellSerializer(many=True)


class DeadlineQuerySerializer(serializers.Serializer):
    received = serializers.CharField(help_text="ISO 8601 con zona horaria")
    type = serializers.ChoiceField(choices=PqrsdType.choices)


class DeadlineSerializer(serializers.Serializer):
    type = serializers.CharField()
    term_days = serializers.IntegerField()
    filed = serializers.DateField()
    due = serializers.DateField()
    extension_limit = serializers.DateField()
    transfer_due = serializers.DateField()
