from django.urls import include, path

from . import views

app_name = "protocols"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("responsabilidades/", views.raci, name="raci"),
    path("pqrsd/", views.pqrsd, name="pqrsd"),
    path("escalamiento/probar/", views.escalation_try, name="escalation_try"),
    path("plantillas/", views.template_list, name="template_list"),
    path("plantillas/<uuid:template_id>/", views.template_detail, name="template_detail"),
    path("plantillas/versiones/<uuid:version_id>/enviar/", views.template_version_submit,
         name="template_version_submit"),
    path("aprobaciones/", views.approval_queue, name="approval_queue"),
    path("aprobaciones/<uuid:approval_id>/decidir/", views.approval_decide,
         name="approval_decide"),
    *views.section_urlpatterns(),
    path("", include("protocols.habeas_urls")),  # data protection (Ley 1581 de 2012)
]
