from rest_framework import serializers

from monitoring.models import ListeningQuery


class ListeningQuerySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    platforms = serializers.ListField(child=serializers.CharField(max_length=20),
                                      required=False, default=list)

    class Meta:
        model = ListeningQuery
        fields = ["id", "name", "query", "platforms", "active", "created_at"]
        read_only_fields = ["id", "created_at"]
