"""Serializers of the inbox API (read shapes; writes go through monitoring.inbox_services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..inbox_models import CaseNote, Reply
from ..models import Case, Mention


class CaseListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author = serializers.CharField(source="author.__str__", read_only=True)
    channel = serializers.UUIDField(source="channel.public_id", read_only=True,
                                    allow_null=True)
    assignee = serializers.EmailField(source="assignee.email", read_only=True,
                                      allow_null=True)
    snippet = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "status", "category", "pqrsd_type", "urgency", "platform", "channel",
                  "author", "assignee", "first_response_due", "first_response_at",
                  "legal_due", "opened_at", "author_flagged", "snippet"]


class CasePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = CaseListSerializer(many=True)


class MentionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = Mention
        fields = ["id", "external_id", "author", "text", "url", "created_at", "label",
                  "pqrsd_type", "urgency", "reasons"]


class ReplySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author = serializers.EmailField(source="author.email", read_only=True, allow_null=True)

    class Meta:
        model = Reply
        fields = ["id", "author", "text", "status", "attempts", "error", "retry_after",
                  "external_id", "url", "submitted_at", "published_at"]


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.EmailField(source="author.email", read_only=True, allow_null=True)

    class Meta:
        model = CaseNote
        fields = ["author", "text", "created_at"]


class CaseDetailSerializer(CaseListSerializer):
    mentions = MentionSerializer(many=True, read_only=True)
    replies = serializers.SerializerMethodField()
    notes = NoteSerializer(many=True, read_only=True)
    tags = serializers.SerializerMethodField()
    radicado = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "escalation_matches", "approval_role",
                  "closed_at", "mentions", "replies", "notes", "tags", "radicado"]

    @extend_schema_field(ReplySerializer(many=True))
    def get_replies(self, case):
        return ReplySerializer(case.replies.exclude(status="draft").select_related("author"),
                               many=True).data

    def get_tags(self, case) -> list[str]:
        return [t.name for t in case.tags.all()]

    def get_radicado(self, case) -> str | None:
        registration = getattr(case, "pqrsd", None)
        return registration.radicado if registration else None


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000)
    template = serializers.UUIDField(required=False, allow_null=True)


class AssignInputSerializer(serializers.Serializer):
    assignee = serializers.UUIDField(help_text="Public id of the colleague's membership.")


class TextInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class RegisterInputSerializer(serializers.Serializer):
    pqrsd_type = serializers.CharField(max_length=20)
