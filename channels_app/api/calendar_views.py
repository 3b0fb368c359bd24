"""REST API of the editorial calendar: posts (list, plan, change, cancel), their approval,
and the 14-day coverage. Under /api/v1/e/<entity_slug>/calendario/."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from strategy.api.base import EntityScopedMixin
from strategy.api.plan_views import _drf_error
from strategy.models import Objective, PlanActivity
from strategy.permissions import Action

from .. import calendar_selectors, calendar_services
from ..calendar_models import PostMedia, PostStatus, ScheduledPost
from ..models import Channel


class _EntityRelated(serializers.SlugRelatedField):
    """A related row of the request's entity, by public id (another entity's: invalid)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(slug_field="public_id", queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(entity=self.context["entity"])


class PostMediaSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = PostMedia
        fields = ["id", "kind", "url", "alt_text", "captions_url"]


class ScheduledPostSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    channel = _EntityRelated(Channel)
    objective = _EntityRelated(Objective, required=False, allow_null=True)
    campaign = _EntityRelated(PlanActivity, required=False, allow_null=True)
    media = PostMediaSerializer(many=True, read_only=True)
    author = serializers.CharField(source="author.email", read_only=True, default=None)
    approved_by = serializers.CharField(source="approved_by.email", read_only=True,
                                        default=None)

    class Meta:
        model = ScheduledPost
        fields = ["id", "channel", "text", "link", "scheduled_at", "objective", "campaign",
                  "status", "author", "approved_by", "approved_at", "review_note",
                  "external_id", "external_url", "published_at", "attempts", "error", "media"]
        read_only_fields = ["status", "approved_at", "review_note", "external_id",
                            "external_url", "published_at", "attempts", "error"]


def _call(fn):
    try:
        return fn()
    except DjangoValidationError as exc:
        raise _drf_error(exc) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


class ScheduledPostListView(EntityScopedMixin, generics.ListCreateAPIView):
    """Posts of the calendar (filter with ?desde=&hasta= ISO datetimes, ?estado=)."""

    serializer_class = ScheduledPostSerializer
    queryset = ScheduledPost.objects.select_related(
        "channel", "objective", "campaign", "author", "approved_by").prefetch_related("media")
    read_action = Action.VIEW_PLAN
    write_action = Action.PLAN_POSTS
    ordering = ["scheduled_at", "id"]  # the cursor paginator's order

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        if params.get("desde"):
            queryset = queryset.filter(scheduled_at__gte=params["desde"])
        if params.get("hasta"):
            queryset = queryset.filter(scheduled_at__lt=params["hasta"])
        if params.get("estado") in PostStatus.values:
            queryset = queryset.filter(status=params["estado"])
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _call(lambda: calendar_services.post_create(
            actor=self.request.user, entity=self.entity, channel=data["channel"],
            text=data["text"], link=data.get("link", ""), scheduled_at=data["scheduled_at"],
            objective=data.get("objective"), campaign=data.get("campaign")))


class ScheduledPostDetailView(EntityScopedMixin, generics.RetrieveUpdateAPIView):
    serializer_class = ScheduledPostSerializer
    queryset = ScheduledPostListView.queryset
    lookup_field = "public_id"
    lookup_url_kwarg = "post_id"
    read_action = Action.VIEW_PLAN
    write_action = Action.PLAN_POSTS

    def perform_update(self, serializer):
        serializer.instance = _call(lambda: calendar_services.post_update(
            actor=self.request.user, post=serializer.instance,
            data=dict(serializer.validated_data)))


class _PostActionView(EntityScopedMixin, APIView):
    read_action = Action.VIEW_PLAN
    write_action = Action.PLAN_POSTS

    def get_post(self, post_id):
        return get_object_or_404(ScheduledPost.objects.filter(entity=self.entity)
                                 .select_related("channel", "entity"), public_id=post_id)

    def done(self, post):
        post = calendar_selectors.post_detail(self.entity, post.public_id)
        return Response(ScheduledPostSerializer(post, context={"entity": self.entity}).data)


class ScheduledPostSubmitView(_PostActionView):
    """POST: send a draft for approval."""

    @extend_schema(request=None, responses=ScheduledPostSerializer)
    def post(self, request, entity_slug, post_id):
        post = self.get_post(post_id)
        return self.done(_call(lambda: calendar_services.post_submit(actor=request.user,
                                                                     post=post)))


class ScheduledPostDecideView(_PostActionView):
    """POST {"approve": true|false, "note": "..."}: approve or reject a waiting post."""

    write_action = Action.APPROVE_POSTS

    @extend_schema(request=inline_serializer("PostDecision", {
        "approve": serializers.BooleanField(),
        "note": serializers.CharField(required=False, allow_blank=True, max_length=2000),
    }), responses=ScheduledPostSerializer)
    def post(self, request, entity_slug, post_id):
        post = self.get_post(post_id)
        approve = request.data.get("approve") in (True, "true", "1", 1)
        note = str(request.data.get("note", ""))[:2000]
        return self.done(_call(lambda: calendar_services.post_decide(
            actor=request.user, post=post, approve=approve, note=note)))


class ScheduledPostCancelView(_PostActionView):
    @extend_schema(request=None, responses=ScheduledPostSerializer)
    def post(self, request, entity_slug, post_id):
        post = self.get_post(post_id)
        return self.done(_call(lambda: calendar_services.post_cancel(actor=request.user,
                                                                     post=post)))


class CoverageView(EntityScopedMixin, APIView):
    """The next 14 days per active channel against its weekly target."""

    read_action = Action.VIEW_PLAN

    @extend_schema(responses=inline_serializer("ChannelCoverage", {
        "channel": serializers.UUIDField(), "platform": serializers.CharField(),
        "handle": serializers.CharField(), "posts_per_week": serializers.IntegerField(),
        "target_is_default": serializers.BooleanField(), "planned": serializers.IntegerField(),
        "expected": serializers.IntegerField(),
        "days": inline_serializer("CoverageDay", {
            "date": serializers.DateField(), "posts": serializers.IntegerField(),
            "flagged": serializers.BooleanField()}, many=True),
    }, many=True))
    def get(self, request, entity_slug):
        rows = calendar_selectors.coverage(self.entity)
        return Response([{
            "channel": str(row.channel.public_id), "platform": row.channel.platform,
            "handle": row.channel.handle, "posts_per_week": row.posts_per_week,
            "target_is_default": row.target_is_default, "planned": row.planned,
            "expected": row.expected,
            "days": [{"date": d.date.isoformat(), "posts": d.count, "flagged": d.flagged}
                     for d in row.days],
        } for row in rows])


urlpatterns = [
    path("calendario/publicaciones/", ScheduledPostListView.as_view(),
         name="calendar-post-list"),
    path("calendario/publicaciones/<uuid:post_id>/", ScheduledPostDetailView.as_view(),
         name="calendar-post-detail"),
    path("calendario/publicaciones/<uuid:post_id>/enviar/", ScheduledPostSubmitView.as_view(),
         name="calendar-post-submit"),
    path("calendario/publicaciones/<uuid:post_id>/decidir/", ScheduledPostDecideView.as_view(),
         name="calendar-post-decide"),
    path("calendario/publicaciones/<uuid:post_id>/cancelar/", ScheduledPostCancelView.as_view(),
         name="calendar-post-cancel"),
    path("calendario/cobertura/", CoverageView.as_view(), name="calendar-coverage"),
]
