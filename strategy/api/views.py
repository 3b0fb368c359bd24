from rest_framework import generics
from rest_framework.pagination import PageNumberPagination

from strategy.integration_models import ApiToken
from strategy.models import Entity, Membership
from strategy.permissions import Action

from .base import EntityScopedMixin
from .serializers import EntitySerializer, MembershipSerializer


class MyEntitiesView(generics.ListAPIView):
    """The entities the requesting user belongs to."""

    serializer_class = EntitySerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        entities = Entity.objects.for_user(self.request.user).order_by("name")
        if isinstance(self.request.auth, ApiToken):
            return entities.filter(pk=self.request.auth.entity_id)
        return entities


class EntityDetailView(EntityScopedMixin, generics.RetrieveAPIView):
    serializer_class = EntitySerializer
    read_action = Action.VIEW_ENTITY

    queryset = Entity.objects.all()

    def get_object(self):
        return self.get_entity()


class MembershipListView(EntityScopedMixin, generics.ListAPIView):
    serializer_class = MembershipSerializer
    read_action = Action.MANAGE_MEMBERS
    queryset = Membership.objects.select_related("user")
    ordering = ["created_at", "id"]
