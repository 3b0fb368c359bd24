from django.urls import path  # noqa: F401

from . import views as _pipeline

# Listening queries and the operations status (issue 5).
urlpatterns: list = [
    path("escucha/", _pipeline.ListeningQueryListView.as_view(), name="listening-query-list"),
    path("escucha/<uuid:query_id>/", _pipeline.ListeningQueryDetailView.as_view(),
         name="listening-query-detail"),
    path("operaciones/", _pipeline.OperationsStatusView.as_view(), name="operations-status"),
]

# Dashboard, alerts and reports (issue 7).
from . import dashboard_views as _dashboard  # noqa: E402

urlpatterns += [
    path("tablero/", _dashboard.DashboardView.as_view(), name="dashboard"),
    path("alertas/", _dashboard.AlertListView.as_view(), name="alert-list"),
    path("alertas/<uuid:alert_id>/reconocer/", _dashboard.AlertAcknowledgeView.as_view(),
         name="alert-acknowledge"),
    path("reportes/", _dashboard.ReportJobListView.as_view(), name="report-list"),
    path("reportes/<uuid:job_id>/", _dashboard.ReportJobDetailView.as_view(),
         name="report-detail"),
]

# The complaint inbox (issue 6).
from . import inbox_views as _inbox  # noqa: E402

_CASE = "bandeja/casos/<uuid:case_id>/"
urlpatterns += [
    path("bandeja/casos/", _inbox.CaseListAPI.as_view(), name="inbox-case-list"),
    path(_CASE, _inbox.CaseDetailAPI.as_view(), name="inbox-case-detail"),
    path(_CASE + "tomar/", _inbox.CaseClaimAPI.as_view(), name="inbox-case-claim"),
    path(_CASE + "liberar/", _inbox.CaseReleaseAPI.as_view(), name="inbox-case-release"),
    path(_CASE + "asignar/", _inbox.CaseAssignAPI.as_view(), name="inbox-case-assign"),
    path(_CASE + "notas/", _inbox.CaseNoteAPI.as_view(), name="inbox-case-note"),
    path(_CASE + "cerrar/", _inbox.CaseCloseAPI.as_view(), name="inbox-case-close"),
    path(_CASE + "radicar/", _inbox.CaseRegisterAPI.as_view(), name="inbox-case-register"),
    path(_CASE + "respuestas/", _inbox.ReplyCreateAPI.as_view(), name="inbox-reply-create"),
    path(_CASE + "respuestas/<uuid:reply_id>/reintentar/", _inbox.ReplyRetryAPI.as_view(),
         name="inbox-reply-retry"),
]

# Archival export of a case (issue 9).
from monitoring.archive_views import CaseArchiveAPI  # noqa: E402

urlpatterns += [
    path("bandeja/casos/<uuid:case_id>/archivo/", CaseArchiveAPI.as_view(),
         name="inbox-case-archive"),
]
