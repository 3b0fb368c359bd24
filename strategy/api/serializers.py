from rest_framework import serializers

from strategy.models import Entity, Membership


class EntitySerializer(serializers.ModelSerializer):
    # Blank is allowed, so it is not always a URI: a plain string in the schema.
    website = serializers.CharField(read_only=True)

    class Meta:
        model = Entity
        fields = ["public_id", "name", "nit", "kind", "sector", "slug", "timezone", "website",
                  "require_two_factor"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["public_id", "email", "name", "role", "agency", "is_active", "created_at"]
        read_only_fields = fields
