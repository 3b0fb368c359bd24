"""Step 8: editorial calendar pages, under /e/<entity_slug>/canales/calendario/ (names in
the `channels_app` namespace)."""

from django.urls import path

from . import calendar_views as views

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("nuevo/", views.post_create, name="calendar_post_create"),
    path("cobertura/", views.coverage, name="calendar_coverage"),
    path("recurrentes/", views.recurring, name="calendar_recurring"),
    path("recurrentes/<uuid:series_id>/", views.recurring_action,
         name="calendar_recurring_action"),
    path("ical/", views.feed_settings, name="calendar_feed"),
    path("<uuid:post_id>/", views.post_detail, name="calendar_post"),
    path("<uuid:post_id>/mover/", views.post_move, name="calendar_post_move"),
    path("<uuid:post_id>/enviar/", views.post_submit, name="calendar_post_submit"),
    path("<uuid:post_id>/decidir/", views.post_decide, name="calendar_post_decide"),
    path("<uuid:post_id>/cancelar/", views.post_cancel, name="calendar_post_cancel"),
    path("<uuid:post_id>/verificar/", views.post_resolve, name="calendar_post_resolve"),
    path("<uuid:post_id>/medios/", views.media_add, name="calendar_media_add"),
    path("<uuid:post_id>/medios/<uuid:media_id>/eliminar/", views.media_remove,
         name="calendar_media_remove"),
]

#: Login-free: the iCal feed behind its secret token (mounted by public_urls.py).
public_urlpatterns = [
    path("calendario/ical/<str:token>.ics", views.ical_feed, name="calendar_ical_feed"),
]
