from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from strategy import views as strategy_views

urlpatterns = [
    path("", strategy_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("cuentas/", include("allauth.urls")),
    path("idioma/", set_language, name="set_language"),
    path("salud/", strategy_views.health, name="health"),
    path("api/v1/", include("config.api_router")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    # Public (no login) and webhook endpoints; each app keeps them in `public_urls.py`.
    path("", include("channels_app.public_urls")),
    path("", include("monitoring.public_urls")),
    # Everything an entity owns lives under /e/<entity_slug>/: another entity's slug answers 404.
    path("e/<slug:entity_slug>/", include("strategy.urls")),
    path("e/<slug:entity_slug>/canales/", include("channels_app.urls")),
    path("e/<slug:entity_slug>/protocolos/", include("protocols.urls")),
    path("e/<slug:entity_slug>/", include("monitoring.urls")),
    path("", include("strategy.global_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "config.api_errors.not_found"
