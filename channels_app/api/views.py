from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from strategy.api.base import EntityScopedMixin
from strategy.api.plan_views import _drf_error
from strategy.permissions import Action

from .. import selectors, services
from ..models import Channel
from .serializers import (
    ChannelChecksSerializer,
    ChannelSerializer,
    LaunchItemSerializer,
    LaunchItemWriteSerializer,
)

M2M = ("objectives", "audiences", "community_managers")


class ChannelViewSet(EntityScopedMixin, viewsets.ModelViewSet):
    serializer_class = ChannelSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "channel_id"
    queryset = Channel.objects.none()  # for the schema; get_queryset() scopes to the entity
    read_action = Action.VIEW_PLAN
    write_action = Action.MANAGE_CHANNELS
    ordering = ["platform", "handle"]

    def get_queryset(self):
        return (Channel.objects.filter(entity=self.entity)
                .prefetch_related("objectives", "audiences", "community_managers"))

    def _split(self, serializer):
        data = dict(serializer.validated_data)
        return data, {name: data.pop(name) for name in M2M if name in data}

    def perform_create(self, serializer):
        data, m2m = self._split(serializer)
        try:
            serializer.instance = services.channel_create(
                actor=self.request.user, entity=self.entity, data=data, m2m=m2m)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        data, m2m = self._split(serializer)
        try:
            serializer.instance = services.channel_update(
                actor=self.request.user, channel=serializer.instance, data=data, m2m=m2m)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        services.channel_delete(actor=self.request.user, channel=instance)


class ChannelChecksView(EntityScopedMixin, APIView):
    """Step 3 checks: coverage of objectives, handle consistency, identity gaps."""

    read_action = Action.VIEW_PLAN

    @extend_schema(responses=ChannelChecksSerializer)
    def get(self, request, entity_slug):
        consistency = selectors.handle_consistency(self.entity)
        return Response({
            "handle": consistency.reference, "handle_chosen": consistency.chosen,
            "odd_handles": [str(c.public_id) for c in consistency.odd_ones],
            "objectives_without_channel": [
                str(o.public_id) for o in selectors.objectives_without_channel(self.entity)],
            "channels_without_objective": [
                str(c.public_id) for c in selectors.channels_without_objective(self.entity)],
        })


class LaunchChecklistView(EntityScopedMixin, APIView):
    """GET the four launch items; PUT a list of {step, done_on, evidence_url, notes}."""

    parser_classes = [JSONParser]
    read_action = Action.VIEW_PLAN
    write_action = Action.EDIT_PLAN
    pagination_class = None

    @extend_schema(responses=LaunchItemSerializer(many=True))
    def get(self, request, entity_slug):
        items = selectors.launch_items_of(self.entity)
        return Response(LaunchItemSerializer(items, many=True).data)

    @extend_schema(request=LaunchItemWriteSerializer(many=True),
                   responses=LaunchItemSerializer(many=True))
    def put(self, request, entity_slug):
        rows = request.data if isinstance(request.data, list) else [request.data]
        serializer = LaunchItemWriteSerializer(data=rows, many=True)
        serializer.is_valid(raise_exception=True)
        try:
            for row in serializer.validated_data:
                services.launch_item_save(
                    actor=request.user, entity=self.entity, step=row["step"],
                    done_on=row.get("done_on"), evidence_url=row.get("evidence_url", ""),
                    notes=row.get("notes", ""))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(LaunchItemSerializer(selectors.launch_items_of(self.entity),
                                             many=True).data)
