from django.urls import path

from . import views

app_name = "strategy"

urlpatterns = [
    path("", views.entity_home, name="entity_home"),
    path("miembros/", views.member_list, name="member_list"),
    path("miembros/<uuid:membership_id>/", views.member_edit, name="member_edit"),
    path("invitaciones/<uuid:token>/revocar/", views.invitation_revoke, name="invitation_revoke"),
    path("configuracion/", views.entity_settings, name="entity_settings"),
    path("auditoria/", views.audit_log, name="audit_log"),
]
