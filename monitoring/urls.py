from django.urls import include, path

from . import archive_views, views

app_name = "monitoring"

urlpatterns = [
    path("operaciones/", views.operations, name="operations"),
    path("operaciones/estado.json", views.operations_json, name="operations_json"),
    path("operaciones/entregas/<uuid:delivery_id>/reintentar/", views.delivery_retry,
         name="delivery_retry"),
    path("bandeja/casos/<uuid:case_id>/archivo.zip", archive_views.case_archive,
         name="case_archive"),
    path("", include("monitoring.inbox_urls")),
    path("", include("monitoring.dashboard_urls")),
]
