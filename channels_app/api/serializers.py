from django.utils.translation import gettext as _
from rest_framework import serializers

from strategy.api.plan_serializers import ScopedSlugField

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
    class Meta:
        model = LaunchItem
        fields = ["step", "done_on", "evidence_url", "notes", "updated_at"]
        read_only_fields = ["step", "updated_at"]
