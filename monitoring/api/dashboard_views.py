"""API of the dashboard, alerts and reports (issue 7), under /api/v1/e/<entity_slug>/."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring import alerts, reports
from monitoring.dashboard_choices import ReportKind
from monitoring.dashboard_models import Alert, ReportJob
from monitoring.dashboard_selectors import (
    dashboard_as_json,
    dashboard_data,
    entity_today,
    period_from_params,
)
from strategy.api.base import EntityScopedMixin
from strategy.permissions import Action
from strategy.tenancy import get_object_for_entity


class AlertSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    message = serializers.CharField(read_only=True)
    acknowledged_by = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "kind", "severity", "message", "params", "raised_at", "last_seen_at",
                  "acknowledged_by", "acknowledged_at", "acknowledgement_note"]
        read_only_fields = fields

    def get_acknowledged_by(self, obj) -> str | None:
        return obj.acknowledged_by.display_name if obj.acknowledged_by_id else None


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReportJobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    params = serializers.DictField(child=serializers.CharField(), required=False)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = ["id", "kind", "params", "status", "progress", "rows", "error", "created_at",
                  "finished_at", "download_url"]
        read_only_fields = ["id", "status", "progress", "rows", "error", "created_at",
                            "finished_at", "download_url"]

    def get_download_url(self, obj) -> str | None:
        if not obj.file:
            return None
        from django.urls import reverse

        return reverse("monitoring:report_download",
                       kwargs={"entity_slug": obj.entity.slug, "job_id": obj.public_id})


class DashboardView(EntityScopedMixin, APIView):
    """The dashboard's figures for a period (periodo=7|30|90|custom, desde, hasta)."""

    read_action = Action.VIEW_DASHBOARD

    @extend_schema(
        parameters=[OpenApiParameter("periodo", str, enum=["7", "30", "90", "custom"]),
                    OpenApiParameter("desde", OpenApiTypes.DATE),
                    OpenApiParameter("hasta", OpenApiTypes.DATE)],
        responses=OpenApiTypes.OBJECT)
    def get(self, request, entity_slug):
        entity = self.get_entity()
        period, errors = period_from_params(request.query_params, today=entity_today(entity))
        if errors:
            raise ValidationError({"periodo": errors})
        return Response(dashboard_as_json(dashboard_data(entity, period)))


class AlertListView(EntityScopedMixin, generics.ListAPIView):
    """Alerts of the entity, newest first; `?abiertas=1` for the unacknowledged ones."""

    serializer_class = AlertSerializer
    read_action = Action.VIEW_DASHBOARD
    queryset = Alert.objects.select_related("acknowledged_by")
    pagination_class = PageNumberPagination
    ordering = ["-raised_at"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.query_params.get("abiertas") in ("1", "true"):
            qs = qs.filter(acknowledged_at__isnull=True)
        return qs.order_by("-raised_at", "-pk")


class AlertAcknowledgeView(EntityScopedMixin, APIView):
    read_action = Action.VIEW_DASHBOARD
    write_action = Action.VIEW_DASHBOARD

    @extend_schema(request=AcknowledgeSerializer, responses=AlertSerializer)
    def post(self, request, entity_slug, alert_id):
        entity = self.get_entity()
        alert = get_object_for_entity(Alert.objects.select_related("entity"), entity,
                                      public_id=alert_id)
        payload = AcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            alert = alerts.alert_acknowledge(actor=request.user, alert=alert,
                                             note=payload.validated_data.get("note", ""))
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(AlertSerializer(alert).data)


class ReportJobListView(EntityScopedMixin, generics.ListCreateAPIView):
    """Report jobs: POST {kind, params: {month} or {start, end}} queues one for a worker."""

    serializer_class = ReportJobSerializer
    read_action = Action.VIEW_DASHBOARD
    write_action = Action.EXPORT_DATA
    queryset = ReportJob.objects.select_related("entity")
    pagination_class = PageNumberPagination

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = reports.report_job_request(
                entity=self.get_entity(), actor=self.request.user, kind=data["kind"],
                params=data.get("params") or {})
        except DjangoValidationError as exc:
            raise ValidationError({"params": exc.messages}) from exc


class ReportJobDetailView(EntityScopedMixin, generics.RetrieveAPIView):
    serializer_class = ReportJobSerializer
    read_action = Action.VIEW_DASHBOARD
    queryset = ReportJob.objects.select_related("entity")
    lookup_field = "public_id"
    lookup_url_kwarg = "job_id"
