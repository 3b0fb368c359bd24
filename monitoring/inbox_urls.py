"""URLs of the complaint inbox, under /e/<entity_slug>/bandeja/ (included by monitoring/urls.py)."""

from django.urls import path

from . import inbox_views as views

CASE = "bandeja/casos/<uuid:case_id>/"

urlpatterns = [
    path("bandeja/", views.inbox, name="inbox"),
    path("bandeja/nuevos/", views.inbox_poll, name="inbox_poll"),
    path("bandeja/lote/", views.inbox_bulk, name="inbox_bulk"),
    path("bandeja/exportar/casos.csv", views.case_export, name="case_export"),
    path("bandeja/exportar/auditoria.csv", views.audit_export, name="audit_export"),
    path("bandeja/configuracion/", views.inbox_settings, name="inbox_settings"),
    path("bandeja/mis-avisos/", views.notification_preferences,
         name="notification_preferences"),
    path(CASE, views.case_detail, name="case_detail"),
    path(CASE + "presencia/", views.case_presence, name="case_presence"),
    path(CASE + "tomar/", views.case_claim, name="case_claim"),
    path(CASE + "liberar/", views.case_release, name="case_release"),
    path(CASE + "asignar/", views.case_assign, name="case_assign"),
    path(CASE + "clasificar/", views.case_classify, name="case_classify"),
    path(CASE + "notas/", views.case_note, name="case_note"),
    path(CASE + "etiquetas/", views.case_tags, name="case_tags"),
    path(CASE + "resultado/<slug:outcome>/", views.case_outcome, name="case_outcome"),
    path(CASE + "respuesta/borrador/", views.reply_draft, name="reply_draft"),
    path(CASE + "respuesta/plantilla/", views.reply_template, name="reply_template"),
    path(CASE + "respuesta/enviar/", views.reply_submit, name="reply_submit"),
    path(CASE + "respuestas/<uuid:reply_id>/reintentar/", views.reply_retry,
         name="reply_retry"),
    path(CASE + "respuestas/<uuid:reply_id>/decidir/", views.reply_decide,
         name="reply_decide"),
]
