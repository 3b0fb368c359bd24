from django.urls import path

from . import plan_views, views

LIST_ACTIONS = {"get": "list", "post": "create"}
DETAIL_ACTIONS = {"get": "retrieve", "put": "update", "patch": "partial_update",
                  "delete": "destroy"}


def crud(prefix: str, viewset, basename: str) -> list:
    """List and detail routes of a viewset, with named kwargs (no regex routes).

    The id is matched as any string, not `<uuid:>`: a malformed id then reaches the view
    and answers a JSON 404 like an unknown one, instead of the site's HTML 404 page.
    """
    kwarg = viewset.lookup_url_kwarg
    return [
        path(f"{prefix}/", viewset.as_view(LIST_ACTIONS), name=f"{basename}-list"),
        path(f"{prefix}/<str:{kwarg}>/", viewset.as_view(DETAIL_ACTIONS),
             name=f"{basename}-detail"),
    ]


urlpatterns = [
    path("entidad/", views.EntityDetailView.as_view(), name="entity-detail"),
    path("miembros/", views.MembershipListView.as_view(), name="membership-list"),
    # The plan (issue 3).
    path("plan/", plan_views.PlanView.as_view(), name="plan-detail"),
    path("plan/completitud/", plan_views.PlanCompletenessView.as_view(),
         name="plan-completeness"),
    path("plan/tono/", plan_views.ToneGuideView.as_view(), name="plan-tone"),
    path("plan/indicadores/<str:kpi_id>/mediciones/",
         plan_views.KpiMeasurementListView.as_view(), name="plan-kpi-measurements"),
    path("lenguaje/revisar/", plan_views.LanguageCheckView.as_view(), name="language-check"),
    *crud("plan/personas", plan_views.PlanPersonViewSet, "plan-person"),
    *crud("plan/objetivos", plan_views.ObjectiveViewSet, "plan-objective"),
    *crud("plan/audiencias", plan_views.AudienceViewSet, "plan-audience"),
    *crud("plan/indicadores", plan_views.KpiViewSet, "plan-kpi"),
    *crud("plan/recursos", plan_views.ResourceViewSet, "plan-resource"),
    *crud("plan/actividades", plan_views.PlanActivityViewSet, "plan-activity"),
]
