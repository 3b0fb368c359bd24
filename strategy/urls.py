from django.urls import path

from . import integration_views, plan_views, views

app_name = "strategy"

urlpatterns = [
    path("", views.entity_home, name="entity_home"),
    path("miembros/", views.member_list, name="member_list"),
    path("miembros/<uuid:membership_id>/", views.member_edit, name="member_edit"),
    path("invitaciones/<uuid:token>/revocar/", views.invitation_revoke, name="invitation_revoke"),
    path("configuracion/", views.entity_settings, name="entity_settings"),
    path("auditoria/", views.audit_log, name="audit_log"),
    path("integraciones/", integration_views.integrations_page, name="integrations"),
    path("integraciones/tokens/<uuid:token_id>/revocar/", integration_views.api_token_revoke,
         name="api_token_revoke"),
    path("integraciones/webhooks/<uuid:endpoint_id>/desactivar/",
         integration_views.webhook_deactivate, name="webhook_deactivate"),
    path("integraciones/entregas/<uuid:event_delivery_id>/reenviar/",
         integration_views.webhook_resend, name="webhook_resend"),
    # The plan (issue 3): steps 1, 2, 4 and 8 here; 3 and 7 in channels_app.
    path("plan/", plan_views.plan_overview, name="plan_overview"),
    path("plan/responsable/", plan_views.plan_owner, name="plan_owner"),
    path("plan/objetivos/", plan_views.plan_objectives, name="plan_objectives"),
    path("plan/tono/", plan_views.plan_tone, name="plan_tone"),
    path("plan/sostenibilidad/", plan_views.plan_sustainability, name="plan_sustainability"),
    path("plan/historial/", plan_views.plan_history, name="plan_history"),
    path("plan/exportar/markdown/", plan_views.plan_export_markdown,
         name="plan_export_markdown"),
    path("plan/exportar/pdf/", plan_views.plan_export_pdf, name="plan_export_pdf"),
    path("plan/indicadores/<uuid:kpi_id>/mediciones/", plan_views.kpi_measurement_add,
         name="plan_kpi_measurement_add"),
    path("lenguaje/revisar/", plan_views.language_check, name="language_check"),
]

# Edit and delete pages of each kind of plan record.
for _segment, _kind in [("personas", "person"), ("objetivos", "objective"),
                        ("audiencias", "audience"), ("indicadores", "kpi"),
                        ("recursos", "resource"), ("actividades", "activity")]:
    _kwarg = plan_views.ITEM_KINDS[_kind].kwarg
    urlpatterns += [
        path(f"plan/{_segment}/<uuid:{_kwarg}>/", plan_views.EDIT_VIEWS[_kind],
             name=f"plan_{_kind}_edit"),
        path(f"plan/{_segment}/<uuid:{_kwarg}>/eliminar/", plan_views.DELETE_VIEWS[_kind],
             name=f"plan_{_kind}_delete"),
    ]
