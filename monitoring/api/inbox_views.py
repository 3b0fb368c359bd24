"""REST endpoints of the complaint inbox under /api/v1/e/<entity_slug>/bandeja/.

Thin: the tenant gate (EntityScopedMixin; a case outside the member's channels is 404),
one service call, a serialized answer. A lost claim race answers 409 naming the holder.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from strategy.integration_models import TokenScope
from strategy.models import Membership
from strategy.permissions import Action

from .. import inbox_selectors as selectors
from .. import inbox_services as services
from ..models import Case
from . import inbox_serializers as s


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


class InboxAPIView(APIView):
    read_action = Action.VIEW_CASES
    write_action = Action.TRIAGE_CASES
    token_write_scope = TokenScope.CASES
    queryset = Case.objects.none()

    def get_permissions(self):
        from strategy.api.base import EntityActionPermission

        return [EntityActionPermission()]

    def get_entity(self):
        from strategy.tenancy import get_entity_for_user

        if not hasattr(self, "_entity"):
            self._entity = get_entity_for_user(self.request.user, self.kwargs["entity_slug"])
        return self._entity

    def case(self):
        return selectors.get_case_for_user(self.request.user, self.get_entity(),
                                           self.kwargs["case_id"])

    def run(self, func, **kwargs):
        try:
            return func(**kwargs)
        except services.CaseAlreadyClaimed:
            raise
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc


FILTER_PARAMETERS = [
    OpenApiParameter(name, str, required=False, description=description)
    for name, description in (
        ("status", "active (default), all, or a case status"), ("platform", "network"),
        ("channel", "channel id"), ("category", "category"), ("pqrsd", "PQRSD type"),
        ("urgency", "urgency"), ("assignee", "membership id"), ("tag", "tag"),
        ("mine", "1: assigned to me"), ("unassigned", "1: nobody has it"),
        ("overdue", "1: past a deadline"), ("due_today", "1: due today"),
        ("flagged", "1: author flagged"), ("q", "full-text search (Spanish)"),
        ("page", "page number"))
]


class CaseListAPI(InboxAPIView):
    @extend_schema(operation_id="inbox_cases_list", parameters=FILTER_PARAMETERS,
                   responses=s.CasePageSerializer)
    def get(self, request, entity_slug):
        filters = selectors.InboxFilters.from_query(request.query_params)
        try:
            page = int(request.query_params.get("page", "1"))
        except ValueError:
            page = 1
        data = selectors.inbox_page(request.user, self.get_entity(), filters, page=page)
        return Response({"count": data["total"], "page": data["page"], "pages": data["pages"],
                         "results": s.CaseListSerializer(data["cases"], many=True).data})


class CaseDetailAPI(InboxAPIView):
    @extend_schema(responses=s.CaseDetailSerializer)
    def get(self, request, entity_slug, case_id):
        return Response(s.CaseDetailSerializer(self.case()).data)


class CaseClaimAPI(InboxAPIView):
    @extend_schema(request=None, responses=s.CaseListSerializer)
    def post(self, request, entity_slug, case_id):
        try:
            case = self.run(services.case_claim, actor=request.user, case=self.case())
        except services.CaseAlreadyClaimed as exc:
            holder = exc.holder
            return Response({"detail": exc.messages[0],
                             "assignee": holder.email if holder else None},
                            status=status.HTTP_409_CONFLICT)
        return Response(s.CaseListSerializer(case).data)


class CaseReleaseAPI(InboxAPIView):
    @extend_schema(request=None, responses=s.CaseListSerializer)
    def post(self, request, entity_slug, case_id):
        case = self.run(services.case_release, actor=request.user, case=self.case())
        return Response(s.CaseListSerializer(case).data)


class CaseAssignAPI(InboxAPIView):
    @extend_schema(request=s.AssignInputSerializer, responses=s.CaseListSerializer)
    def post(self, request, entity_slug, case_id):
        data = s.AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = get_object_or_404(Membership.objects.select_related("user"),
                                       entity=self.get_entity(), is_active=True,
                                       public_id=data.validated_data["assignee"])
        case = self.run(services.case_assign, actor=request.user, case=self.case(),
                        assignee=membership.user)
        return Response(s.CaseListSerializer(case).data)


class CaseNoteAPI(InboxAPIView):
    @extend_schema(request=s.TextInputSerializer, responses=s.NoteSerializer)
    def post(self, request, entity_slug, case_id):
        data = s.TextInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = self.run(services.note_add, actor=request.user, case=self.case(),
                        text=data.validated_data["text"])
        return Response(s.NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class CaseCloseAPI(InboxAPIView):
    @extend_schema(request=s.TextInputSerializer, responses=s.CaseListSerializer)
    def post(self, request, entity_slug, case_id):
        data = s.TextInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = self.run(services.case_close, actor=request.user, case=self.case(),
                        resolution=data.validated_data["text"])
        return Response(s.CaseListSerializer(case).data)


class CaseRegisterAPI(InboxAPIView):
    @extend_schema(request=s.RegisterInputSerializer, responses=None)
    def post(self, request, entity_slug, case_id):
        data = s.RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = self.run(services.pqrsd_register, actor=request.user, case=self.case(),
                                pqrsd_type=data.validated_data["pqrsd_type"])
        return Response({"radicado": registration.radicado,
                         "legal_due": registration.legal_due.isoformat()},
                        status=status.HTTP_201_CREATED)


class ReplyCreateAPI(InboxAPIView):
    write_action = Action.REPLY_CASES

    @extend_schema(request=s.ReplyInputSerializer, responses=s.ReplySerializer)
    def post(self, request, entity_slug, case_id):
        from protocols.models import ResponseTemplate

        data = s.ReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = None
        if data.validated_data.get("template"):
            template = get_object_or_404(ResponseTemplate, entity=self.get_entity(),
                                         public_id=data.validated_data["template"])
        reply = self.run(services.reply_submit, actor=request.user, case=self.case(),
                         text=data.validated_data["text"], template=template)
        return Response(s.ReplySerializer(reply).data, status=status.HTTP_201_CREATED)


class ReplyRetryAPI(InboxAPIView):
    write_action = Action.REPLY_CASES

    @extend_schema(request=None, responses=s.ReplySerializer)
    def post(self, request, entity_slug, case_id, reply_id):
        reply = selectors.reply_for_case(self.case(), reply_id)
        if not self.run(services.reply_retry, actor=request.user, reply=reply):
            raise ValidationError({"non_field_errors": [_("This reply is not failed.")]})
        reply.refresh_from_db()
        return Response(s.ReplySerializer(reply).data)
