from django.utils.translation import gettext as _
from rest_framework import serializers

from strategy.api.plan_serializers import ScopedSlugField

from ..choices import LaunchStep
from ..forms import HANDLE_RE
from ..models import Channel, LaunchItem


class ChannelSerializer(serializers.ModelSerializer):
    """A channel of step 3. The access token and API address never leave through the API."""

    objectives = ScopedSlugField("strategy.Objective", many=True, required=False)
    audiences = ScopedSlugField("strategy.Audience", many=True, required=False)
    community_managers = ScopedSlugField("strategy.PlanPerson", many=True, required=False)
    identity_complete = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = ["public_id", "platform", "handle", "name", "url", "status", "objectives",
                  "audiences", "community_managers", "has_avatar", "has_banner", "has_bio",
                  "links_official_site", "is_verified", "show_on_public_page",
                  "identity_complete"]
        read_only_fields = ["public_id", "status", "identity_complete"]

    def get_identity_complete(self, obj) -> bool:
        return all(getattr(obj, name) for name in Channel.IDENTITY_FIELDS)

    def validate_handle(self, value):
        value = value.strip()
        if not HANDLE_RE.match(value):
            raise serializers.ValidationError(_(
                "A handle has only letters, digits, dots, dashes and underscores, with no "
                "spaces (for example @AlcaldiaSanIsidro)."))
        return value.lstrip("@")


class LaunchItemSerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    done = serializers.BooleanField(source="is_done", read_only=True)

    class Meta:
        model = LaunchItem
        fields = ["step", "done", "done_on", "evidence_url", "notes", "updated_at"]
        read_only_fields = ["step", "updated_at"]


class LaunchItemWriteSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=LaunchStep.choices)
    done_on = serializers.DateField(required=False, allow_null=True)
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ChannelChecksSerializer(serializers.Serializer):
    handle = serializers.CharField(allow_blank=True)
    handle_chosen = serializers.BooleanField()
    odd_handles = serializers.ListField(child=serializers.UUIDField())
    objectives_without_channel = serializers.ListField(child=serializers.UUIDField())
    channels_without_objective = serializers.ListField(child=serializers.UUIDField())
