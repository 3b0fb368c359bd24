from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(use_regex_path=False)  # path() routes: the tenancy matrix checks them
router.register("protocolos/areas", views.AreaViewSet, basename="protocols-area")
router.register("protocolos/actividades", views.RaciActivityViewSet,
                basename="protocols-activity")
router.register("protocolos/dias-no-habiles", views.NonWorkingDayViewSet,
                basename="protocols-nonworkingday")
router.register("protocolos/tiempos-respuesta", views.ResponseSlaViewSet,
                basename="protocols-sla")
router.register("protocolos/escalamiento", views.EscalationRuleViewSet,
                basename="protocols-escalation")
router.register("protocolos/reglas-aprobacion", views.ApprovalRuleViewSet,
                basename="protocols-approvalrule")
router.register("protocolos/riesgos", views.RiskViewSet, basename="protocols-risk")
router.register("protocolos/crisis", views.CrisisLevelViewSet, basename="protocols-crisis")
router.register("protocolos/canales-pqrsd", views.ChannelPqrsdPolicyViewSet,
                basename="protocols-pqrsdchannel")
router.register("protocolos/custodia", views.AccountCustodyViewSet,
                basename="protocols-custody")
router.register("protocolos/plantillas", views.ResponseTemplateViewSet,
                basename="protocols-template")
router.register("protocolos/aprobaciones", views.ApprovalRequestViewSet,
                basename="protocols-approval")

urlpatterns = [
    path("protocolos/ajustes/", views.SettingsView.as_view(), name="protocols-settings"),
    path("protocolos/raci/", views.RaciView.as_view(), name="protocols-raci"),
    path("protocolos/plazo/", views.DeadlineView.as_view(), name="protocols-deadline"),
    *router.urls,
]
