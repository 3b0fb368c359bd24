"""Serializers of the plan. Related objects are referred to by public id, scoped to the entity."""

from django.apps import apps
from rest_framework import serializers

from strategy.models import (
    Audience,
    Kpi,
    KpiMeasurement,
    Objective,
    Plan,
    PlanActivity,
    PlanPerson,
    Resource,
    ToneGuide,
)


class ScopedSlugField(serializers.SlugRelatedField):
    """A related object by public id; only rows of the request's entity are accepted."""

    def __init__(self, model_label: str, **kwargs):
        self.model_label = model_label
        kwargs.setdefault("slug_field", "public_id")
        super().__init__(queryset=apps.get_model(model_label).objects.none(), **kwargs)

    def get_queryset(self):
        entity = self.context["entity"]
        return apps.get_model(self.model_label).objects.filter(entity=entity)


class PlanSerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Plan
        fields = ["why_be_there", "what_it_seeks", "audience_characteristics",
                  "what_to_achieve", "official_handle", "updated_at"]
        read_only_fields = ["updated_at"]


class PlanPersonSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = PlanPerson
        fields = ["public_id", "role", "name", "position", "email", "phone", "user",
                  "is_outsourced", "agency", "contract_start", "contract_end", "contact",
                  "contract_ending_soon"]
        read_only_fields = ["public_id", "user", "contract_ending_soon"]


class ObjectiveSerializer(serializers.ModelSerializer):
    parent = ScopedSlugField("strategy.Objective", required=False, allow_null=True)

    class Meta:
        model = Objective
        fields = ["public_id", "title", "description", "parent", "order"]
        read_only_fields = ["public_id"]


class AudienceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Audience
        fields = ["public_id", "name", "description"]
        read_only_fields = ["public_id"]


class KpiMeasurementSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="email", read_only=True,
                                               allow_null=True)

    class Meta:
        model = KpiMeasurement
        fields = ["public_id", "measured_on", "value", "note", "recorded_by", "created_at"]
        read_only_fields = ["public_id", "recorded_by", "created_at"]


class KpiSerializer(serializers.ModelSerializer):
    objective = ScopedSlugField("strategy.Objective")
    measurements = KpiMeasurementSerializer(many=True, read_only=True)

    class Meta:
        model = Kpi
        fields = ["public_id", "objective", "metric", "unit", "baseline", "baseline_date",
                  "target", "due_date", "measurements"]
        read_only_fields = ["public_id", "measurements"]


class ToneGuideSerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ToneGuide
        fields = ["voice_attributes", "do_examples", "dont_examples", "greeting_rules",
                  "signature_rules", "forbidden_words", "glossary", "emoji_policy",
                  "emoji_notes", "updated_at"]
        read_only_fields = ["updated_at"]


class ResourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["public_id", "kind", "name", "people", "weekly_hours", "amount", "notes"]
        read_only_fields = ["public_id"]


class PlanActivitySerializer(serializers.ModelSerializer):
    channel = ScopedSlugField("channels_app.Channel", required=False, allow_null=True)
    owner = ScopedSlugField("strategy.PlanPerson", required=False, allow_null=True)

    class Meta:
        model = PlanActivity
        fields = ["public_id", "horizon", "title", "description", "channel", "owner",
                  "start_date", "end_date", "status"]
        read_only_fields = ["public_id"]


class LanguageCheckSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, allow_blank=True, trim_whitespace=False)
    network = serializers.ChoiceField(choices=["x", "facebook", "instagram", "youtube",
                                               "mastodon", "bluesky"])


class FindingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["spelling", "sms_abbreviation",
                                            "missing_inverted_mark", "missing_accent",
                                            "all_caps", "forbidden_word", "over_limit",
                                            "cold_tone"])
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    message = serializers.CharField()
    suggestion = serializers.CharField(allow_blank=True)


class LanguageCheckResultSerializer(serializers.Serializer):
    findings = FindingSerializer(many=True)


class StepStatusSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    percent = serializers.IntegerField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())


class PlanCompletenessSerializer(serializers.Serializer):
    readiness = serializers.IntegerField()
    steps = StepStatusSerializer(many=True)
