"""Login-free pages: the public list of an entity's official channels and its embed."""

from django.urls import path

from . import views

urlpatterns = [
    path("canales-oficiales/<slug:entity_slug>/", views.official_channels,
         name="official_channels"),
    path("canales-oficiales/<slug:entity_slug>/insertar/", views.official_channels_embed,
         name="official_channels_embed"),
]
from .calendar_urls import public_urlpatterns as calendar_public_urls  # noqa: E402

urlpatterns += calendar_public_urls
