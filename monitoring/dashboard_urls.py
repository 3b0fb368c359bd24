"""Dashboard, alerts and reports (issue 7), under /e/<entity_slug>/."""

from django.urls import path

from . import dashboard_views as views

urlpatterns = [
    path("tablero/", views.dashboard, name="dashboard"),
    path("tablero/alertas/<uuid:alert_id>/reconocer/", views.alert_acknowledge,
         name="alert_acknowledge"),
    path("reportes/", views.reports, name="reports"),
    path("reportes/solicitar/", views.report_request, name="report_request"),
    path("reportes/<uuid:job_id>/estado/", views.report_status, name="report_status"),
    path("reportes/<uuid:job_id>/descargar/", views.report_download, name="report_download"),
]
