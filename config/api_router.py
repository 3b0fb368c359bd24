"""/api/v1/: every entity-scoped resource lives under /api/v1/e/<entity_slug>/.

Each app exposes `api/urls.py` with its own `urlpatterns`; they are mounted here.
"""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("e/<slug:entity_slug>/", include("strategy.api.urls")),
    path("e/<slug:entity_slug>/", include("channels_app.api.urls")),
    path("e/<slug:entity_slug>/", include("protocols.api.urls")),
    path("e/<slug:entity_slug>/", include("monitoring.api.urls")),
    path("", include("strategy.api.global_urls")),
]
