"""REST endpoints of the protocols, under /api/v1/e/<entity_slug>/protocolos/."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from strategy.api.base import EntityScopedMixin
from strategy.permissions import Action

from .. import deadlines, escalation, selectors, services
from ..choices import PqrsdType
from ..models import (
    AccountCustody,
    ApprovalRequest,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    NonWorkingDay,
    RaciActivity,
    ResponseSla,
    ResponseTemplate,
    Risk,
)
from . import serializers as s


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


class ProtocolViewSet(EntityScopedMixin, viewsets.ModelViewSet):
    """CRUD over one entity-owned protocol model; writes go through the services."""

    read_action = Action.VIEW_PROTOCOLS
    write_action = Action.EDIT_PROTOCOLS
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    model = None
    ordering = ["pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.model.objects.none()
        return self.model.objects.filter(entity=self.entity)

    def _save(self, instance):
        return services.record_save(actor=self.request.user, entity=self.entity,
                                    instance=instance)

    def perform_create(self, serializer):
        try:
            serializer.instance = self._save(self.model(entity=self.entity,
                                                        **serializer.validated_data))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        try:
            serializer.instance = self._save(instance)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        services.record_delete(actor=self.request.user, entity=self.entity, instance=instance)


def viewset(model_cls, serializer_cls, kwarg, **attrs):
    return type(f"{model_cls.__name__}ViewSet", (ProtocolViewSet,),
                {"model": model_cls, "serializer_class": serializer_cls,
                 "lookup_url_kwarg": kwarg, **attrs})


# URL kwargs are the same as the pages' (tests/protocols/tenancy.py gives each a value).
AreaViewSet = viewset(Area, s.AreaSerializer, "area_id")
RaciActivityViewSet = viewset(RaciActivity, s.RaciActivitySerializer, "activity_id")
NonWorkingDayViewSet = viewset(NonWorkingDay, s.NonWorkingDaySerializer, "day_id")
ResponseSlaViewSet = viewset(ResponseSla, s.ResponseSlaSerializer, "sla_id")
ApprovalRuleViewSet = viewset(ApprovalRule, s.ApprovalRuleSerializer, "approval_rule_id")
RiskViewSet = viewset(Risk, s.RiskSerializer, "risk_id")
CrisisLevelViewSet = viewset(CrisisLevel, s.CrisisLevelSerializer, "level_id")
ChannelPqrsdPolicyViewSet = viewset(ChannelPqrsdPolicy, s.ChannelPqrsdPolicySerializer,
                                    "policy_id")
AccountCustodyViewSet = viewset(AccountCustody, s.AccountCustodySerializer, "custody_id")


class EscalationRuleViewSet(ProtocolViewSet):
    model = EscalationRule
    serializer_class = s.EscalationRuleSerializer
    lookup_url_kwarg = "rule_id"
    ordering = ["position", "pk"]

    def _save(self, instance):
        return services.escalation_rule_save(actor=self.request.user, entity=self.entity,
                                             rule=instance)

    @extend_schema(responses=s.RuleProblemSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="problemas", pagination_class=None)
    def problems(self, request, **kwargs):
        problems = escalation.check_rules(list(self.get_queryset()))
        return Response([{"kind": p.kind, "rule": str(p.rule.public_id),
                          "other": str(p.other.public_id) if p.other else None,
                          "message": p.message} for p in problems])

    @extend_schema(request=s.TryMentionSerializer, responses=s.TryResultSerializer)
    @action(detail=False, methods=["post"], url_path="probar")
    def try_mention(self, request, **kwargs):
        """Which rules fire for a mention, why, and who must approve the reply."""
        data = s.TryMentionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        facts = escalation.MentionFacts(
            text=v["text"], category=v["category"], pqrsd_type=v["pqrsd_type"],
            urgency=v["urgency"], author_followers=v["author_followers"],
            platform=v["platform"],
            channel_public_id=str(v["channel"]) if v["channel"] else None)
        matches = escalation.evaluate(entity=self.entity, facts=facts)
        role = selectors.approval_required(
            entity=self.entity, category=facts.category, urgency=facts.urgency,
            author_followers=facts.author_followers, matches=matches)
        return Response({
            "matches": [{"rule": str(m.rule.public_id), "name": m.rule.name,
                         "reasons": m.reasons,
                         "actions": [{"kind": a.kind, "label": a.label} for a in m.actions]}
                        for m in matches],
            "approval_role": role,
        })

    def get_permissions(self):
        if self.action == "try_mention":
            self.write_action = Action.VIEW_PROTOCOLS  # trying a mention changes nothing
        return super().get_permissions()


class ResponseTemplateViewSet(ProtocolViewSet):
    model = ResponseTemplate
    serializer_class = s.ResponseTemplateSerializer
    lookup_url_kwarg = "template_id"

    @extend_schema(methods=["GET"], responses=s.TemplateVersionSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.TemplateVersionSerializer,
                   responses={201: s.TemplateVersionSerializer})
    @action(detail=True, methods=["get", "post"], url_path="versiones", pagination_class=None)
    def versions(self, request, **kwargs):
        template = self.get_object()
        if request.method == "GET":
            return Response(s.TemplateVersionSerializer(template.versions.all(), many=True).data)
        data = s.TemplateVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            version = services.template_version_create(
                actor=request.user, template=template, body=data.validated_data["body"],
                short_body=data.validated_data.get("short_body", ""))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(s.TemplateVersionSerializer(version).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.ApprovalRequestSerializer})
    @action(detail=True, methods=["post"], url_path="versiones/<uuid:version_id>/enviar")
    def submit(self, request, version_id=None, **kwargs):
        template = self.get_object()
        version = get_object_or_404(template.versions, public_id=version_id)
        try:
            approval = services.template_version_submit(actor=request.user, version=version)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(s.ApprovalRequestSerializer(approval).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RenderSerializer, responses=s.RenderResultSerializer)
    @action(detail=True, methods=["post"], url_path="renderizar")
    def render(self, request, **kwargs):
        template = self.get_object()
        data = s.RenderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            text = services.template_render(template=template,
                                            context=data.validated_data["context"],
                                            short=data.validated_data["short"])
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response({"text": text})

    def get_permissions(self):
        if self.action == "render":
            self.write_action = Action.VIEW_PROTOCOLS
        return super().get_permissions()


class ApprovalRequestViewSet(EntityScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ApprovalRequestSerializer
    read_action = Action.APPROVE_REPLIES
    write_action = Action.APPROVE_REPLIES
    lookup_field = "public_id"
    lookup_url_kwarg = "approval_id"
    lookup_value_converter = "uuid"
    ordering = ["-requested_at", "-pk"]
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalRequest.objects.none()
        return ApprovalRequest.objects.filter(entity=self.entity)

    @extend_schema(request=s.DecisionSerializer, responses=s.ApprovalRequestSerializer)
    @action(detail=True, methods=["post"], url_path="decidir")
    def decide(self, request, **kwargs):
        approval = self.get_object()
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            approval = services.approval_decide(actor=request.user, request=approval,
                                                approve=data.validated_data["approve"],
                                                note=data.validated_data["note"])
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(s.ApprovalRequestSerializer(approval).data)


class SettingsView(EntityScopedMixin, generics.GenericAPIView):
    """The entity's protocol settings: service hours, PQRSD terms and texts, contacts."""

    read_action = Action.VIEW_PROTOCOLS
    write_action = Action.EDIT_PROTOCOLS
    serializer_class = s.ProtocolSettingsSerializer

    def get_object(self):
        return selectors.settings_for(self.entity)

    def get(self, request, entity_slug):
        return Response(s.ProtocolSettingsSerializer(selectors.settings_for(self.entity)).data)

    def patch(self, request, entity_slug):
        settings = selectors.settings_for(self.entity)
        data = s.ProtocolSettingsSerializer(settings, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for key, value in data.validated_data.items():
            setattr(settings, key, value)
        try:
            services.record_save(actor=request.user, entity=self.entity, instance=settings)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(s.ProtocolSettingsSerializer(settings).data)


class RaciView(EntityScopedMixin, generics.GenericAPIView):
    """GET the matrix; PUT {"cells": [{"activity": id, "area": id, "letter": "R"}, …]}."""

    read_action = Action.VIEW_PROTOCOLS
    write_action = Action.EDIT_PROTOCOLS
    serializer_class = s.RaciGridSerializer

    def get_object(self):  # OPTIONS asks for it; the matrix is the entity's
        return self.entity

    def _grid(self):
        activities, areas, cells = selectors.raci_grid(self.entity)
        problems = selectors.raci_problems(activities, cells)
        by_pk = {a.pk: a for a in areas}
        return {
            "areas": [{"id": str(a.public_id), "name": a.name, "kind": a.kind} for a in areas],
            "activities": [{
                "id": str(act.public_id), "name": act.name,
                "cells": {str(by_pk[area].public_id): letter
                          for (a, area), letter in cells.items() if a == act.pk},
                "problems": problems.get(act.pk, [])} for act in activities],
        }

    def get(self, request, entity_slug):
        return Response(self._grid())

    @extend_schema(request=s.RaciUpdateSerializer, responses=s.RaciGridSerializer)
    def put(self, request, entity_slug):
        data = s.RaciUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activities = {str(a.public_id): a for a in RaciActivity.objects.filter(entity=self.entity)}
        areas = {str(a.public_id): a for a in Area.objects.filter(entity=self.entity)}
        cells = {}
        for item in data.validated_data["cells"]:
            act, area = activities.get(str(item["activity"])), areas.get(str(item["area"]))
            if act is None or area is None:
                raise ValidationError({"cells": ["Actividad o área desconocida."]})
            cells[(act, area)] = item["letter"]
        try:
            services.raci_save_grid(actor=request.user, entity=self.entity, cells=cells)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self._grid())


class DeadlineView(EntityScopedMixin, generics.GenericAPIView):
    """GET ?received=<ISO 8601 with offset>&type=<pqrsd type>: the legal deadlines."""

    read_action = Action.VIEW_PROTOCOLS
    serializer_class = s.DeadlineSerializer

    @extend_schema(parameters=[
        OpenApiParameter("received", str, required=True,
                         description="ISO 8601 con zona horaria, p. ej. 2026-03-20T10:00:00-05:00"),
        OpenApiParameter("type", str, required=True, enum=list(PqrsdType.values))])
    def get(self, request, entity_slug):
        raw, kind = request.query_params.get("received", ""), request.query_params.get("type", "")
        try:
            received = datetime.datetime.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError({"received": ["Fecha ISO 8601 con zona horaria."]}) from exc
        try:
            entity = self.entity
            return Response({
                "type": kind,
                "term_days": deadlines.pqrsd_term_days(kind, entity=entity),
                "filed": deadlines.filing_date(received, entity=entity),
                "due": deadlines.pqrsd_due_date(received, kind, entity=entity),
                "extension_limit": deadlines.pqrsd_extension_limit(received, kind,
                                                                   entity=entity),
                "transfer_due": deadlines.transfer_due_date(received, entity=entity),
            })
        except deadlines.DeadlineError as exc:
            raise ValidationError({"detail": [str(exc)]}) from exc
