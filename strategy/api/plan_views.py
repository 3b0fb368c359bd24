"""REST endpoints of the plan under /api/v1/e/<entity_slug>/plan/... (writes go through
the same services as the pages, so the history records them too)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from strategy import plan_selectors, plan_services
from strategy.models import (
    Audience,
    Kpi,
    KpiMeasurement,
    Objective,
    PlanActivity,
    PlanPerson,
    Resource,
)
from strategy.permissions import Action

from . import plan_serializers as s
from .base import EntityScopedMixin


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e.messages]
                                for k, v in exc.error_dict.items()})
    return ValidationError({"non_field_errors": exc.messages})


class PlanItemViewSet(EntityScopedMixin, viewsets.ModelViewSet):
    """CRUD of one kind of plan record; every write is validated, saved and audited."""

    model = None
    lookup_field = "public_id"
    read_action = Action.VIEW_PLAN
    write_action = Action.EDIT_PLAN
    ordering = ["id"]

    def get_queryset(self):
        return self.model.objects.filter(entity=self.entity)

    def perform_create(self, serializer):
        try:
            serializer.instance = plan_services.plan_item_create(
                actor=self.request.user, entity=self.entity, model=self.model,
                data=dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        instance = self.get_queryset().get(pk=serializer.instance.pk)
        try:
            serializer.instance = plan_services.plan_item_update(
                actor=self.request.user, instance=instance,
                data=dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        plan_services.plan_item_delete(actor=self.request.user, instance=instance)


class PlanPersonViewSet(PlanItemViewSet):
    queryset = PlanPerson.objects.none()  # for the schema; get_queryset() scopes to the entity
    lookup_url_kwarg = "person_id"
    model = PlanPerson
    serializer_class = s.PlanPersonSerializer


class ObjectiveViewSet(PlanItemViewSet):
    queryset = Objective.objects.none()  # for the schema; get_queryset() scopes to the entity
    lookup_url_kwarg = "objective_id"
    model = Objective
    serializer_class = s.ObjectiveSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("parent")


class AudienceViewSet(PlanItemViewSet):
    queryset = Audience.objects.none()  # for the schema; get_queryset() scopes to the entity
    lookup_url_kwarg = "audience_id"
    model = Audience
    serializer_class = s.AudienceSerializer


class KpiViewSet(PlanItemViewSet):
    queryset = Kpi.objects.none()  # for the schema; get_queryset() scopes to the entity
    lookup_url_kwarg = "kpi_id"
    model = Kpi
    serializer_class = s.KpiSerializer

    def get_queryset(self):
        return (super().get_queryset().select_related("objective")
                .prefetch_related("measurements__recorded_by"))


class ResourceViewSet(PlanItemViewSet):
    queryset = Resource.objects.none()  # for the schema; get_queryset() scopes to the entity
    lookup_url_kwarg = "resource_id"
    model = Resource
    serializer_class = s.ResourceSerializer


class PlanActivityViewSet(PlanItemViewSet):
    queryset = PlanActivity.objects.none()  # for the schema; get_queryset() scopes to the entity
    lookup_url_kwarg = "activity_id"
    model = PlanActivity
    serializer_class = s.PlanActivitySerializer

    def get_queryset(self):
        return super().get_queryset().select_related("channel", "owner")


class KpiMeasurementListView(EntityScopedMixin, generics.ListCreateAPIView):
    serializer_class = s.KpiMeasurementSerializer
    queryset = KpiMeasurement.objects.none()  # for the schema
    read_action = Action.VIEW_PLAN
    write_action = Action.EDIT_PLAN
    ordering = ["-measured_on", "-id"]

    def get_kpi(self):
        from rest_framework.generics import get_object_or_404

        # DRF's get_object_or_404 answers 404 for a malformed id too.
        return get_object_or_404(Kpi.objects.filter(entity=self.entity),
                                 public_id=self.kwargs["kpi_id"])

    def get_queryset(self):
        return self.get_kpi().measurements.select_related("recorded_by")

    def perform_create(self, serializer):
        try:
            serializer.instance = plan_services.kpi_measurement_record(
                actor=self.request.user, kpi=self.get_kpi(), **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc


class _SingletonView(EntityScopedMixin, generics.RetrieveUpdateAPIView):
    read_action = Action.VIEW_PLAN
    write_action = Action.EDIT_PLAN

    def perform_update(self, serializer):
        try:
            serializer.instance = self.update_service(
                actor=self.request.user, entity=self.entity,
                data=dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc


class PlanView(_SingletonView):
    """The guiding answers of step 2 and the handle chosen for every network."""

    serializer_class = s.PlanSerializer

    def get_object(self):
        return plan_selectors.plan_of(self.entity)

    @staticmethod
    def update_service(**kwargs):
        return plan_services.plan_update(**kwargs)


class ToneGuideView(_SingletonView):
    serializer_class = s.ToneGuideSerializer

    def get_object(self):
        return plan_selectors.tone_guide_of(self.entity)

    @staticmethod
    def update_service(**kwargs):
        return plan_services.tone_guide_update(**kwargs)


class PlanCompletenessView(EntityScopedMixin, APIView):
    """Each step's completeness, what is missing, and the overall readiness score."""

    read_action = Action.VIEW_PLAN

    @extend_schema(responses=s.PlanCompletenessSerializer)
    def get(self, request, entity_slug):
        steps, readiness = plan_selectors.plan_completeness(self.entity)
        return Response({"readiness": readiness, "steps": [
            {"number": st.number, "title": st.title, "percent": st.percent,
             "missing": st.missing, "warnings": st.warnings} for st in steps]})


class LanguageCheckView(EntityScopedMixin, APIView):
    """POST {"text", "network"} → {"findings": [...]}: the Spanish language checker with
    the entity's tone guide (forbidden words, glossary)."""

    read_action = Action.VIEW_PLAN
    write_action = Action.VIEW_PLAN  # checking changes nothing

    @extend_schema(request=s.LanguageCheckSerializer, responses=s.LanguageCheckResultSerializer)
    def post(self, request, entity_slug):
        from strategy.language import check_text
        from strategy.selectors import tone_rules_for

        serializer = s.LanguageCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        findings = check_text(serializer.validated_data["text"],
                              serializer.validated_data["network"],
                              rules=tone_rules_for(self.entity))
        return Response({"findings": [f.as_dict() for f in findings]},
                        status=status.HTTP_200_OK)
