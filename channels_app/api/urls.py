from django.urls import path

from strategy.api.urls import crud

from . import calendar_views, views

urlpatterns = [
    path("canales/revision/", views.ChannelChecksView.as_view(), name="channel-checks"),
    path("lanzamiento/", views.LaunchChecklistView.as_view(), name="launch-checklist"),
    *crud("canales", views.ChannelViewSet, "channel"),
    *calendar_views.urlpatterns,
]
