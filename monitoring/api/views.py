"""API of the pipeline: listening queries and the operations status, per entity."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring import selectors, services
from monitoring.models import ListeningQuery
from strategy.api.base import EntityScopedMixin
from strategy.permissions import Action
from strategy.tenancy import get_object_for_entity

from .serializers import ListeningQuerySerializer


def _validation(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": exc.messages})


class ListeningQueryListView(EntityScopedMixin, generics.ListCreateAPIView):
    read_action = Action.VIEW_PLAN
    write_action = Action.MANAGE_CHANNELS
    serializer_class = ListeningQuerySerializer
    pagination_class = PageNumberPagination
    queryset = ListeningQuery.objects.order_by("name")  # filtered on the entity by the mixin

    def perform_create(self, serializer):
        try:
            serializer.instance = services.listening_query_save(
                actor=self.request.user, entity=self.entity, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc


class ListeningQueryDetailView(EntityScopedMixin, generics.RetrieveUpdateDestroyAPIView):
    read_action = Action.VIEW_PLAN
    write_action = Action.MANAGE_CHANNELS
    serializer_class = ListeningQuerySerializer
    queryset = ListeningQuery.objects.none()  # for the schema; requests use get_object

    def get_object(self):
        return get_object_for_entity(ListeningQuery.objects.all(), self.entity,
                                     public_id=self.kwargs["query_id"])

    def perform_update(self, serializer):
        instance = serializer.instance
        data = {"name": instance.name, "query": instance.query,
                "platforms": instance.platforms, "active": instance.active,
                **serializer.validated_data}
        try:
            serializer.instance = services.listening_query_save(
                actor=self.request.user, entity=self.entity, listening_query=instance, **data)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc

    def perform_destroy(self, instance):
        services.listening_query_delete(actor=self.request.user, listening_query=instance)


class OperationsStatusView(EntityScopedMixin, APIView):
    """Polled sources, queues, cases and failed deliveries, for monitoring systems."""

    read_action = Action.MANAGE_SETTINGS

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, entity_slug):
        return Response(selectors.operations_as_json(self.entity), status=status.HTTP_200_OK)
