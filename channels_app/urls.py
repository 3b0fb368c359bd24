from django.urls import include, path

from . import views

app_name = "channels_app"

urlpatterns = [
    path("", views.channel_list, name="channel_list"),
    path("nuevo/", views.channel_create, name="channel_create"),
    path("<uuid:channel_id>/", views.channel_edit, name="channel_edit"),
    path("<uuid:channel_id>/eliminar/", views.channel_delete, name="channel_delete"),
    path("lanzamiento/", views.launch, name="launch"),
    path("calendario/", include("channels_app.calendar_urls")),
]
