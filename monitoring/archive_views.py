from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from strategy.api.base import EntityScopedMixin
from strategy.permissions import Action
from strategy.services import audit_record
from strategy.tenancy import entity_view

from .archive import case_archive_package
from .inbox_selectors import get_case_for_user


def _package_response(request, case) -> HttpResponse:
    audit_record(entity=case.entity, actor=request.user, action="case.archive_export", obj=case)
    response = HttpResponse(case_archive_package(case), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="caso-{case.public_id}.zip"'
    return response


@entity_view(Action.EXPORT_DATA)
def case_archive(request, case_id):
    return _package_response(request, get_case_for_user(request.user, request.entity, case_id))


class CaseArchiveAPI(EntityScopedMixin, APIView):
    """The case as an archival package (ZIP: JSON, PDF, manifest with SHA-256 checksums)."""

    read_action = Action.EXPORT_DATA

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, entity_slug, case_id):
        case = get_case_for_user(request.user, self.get_entity(), case_id)
        return _package_response(request, case)
