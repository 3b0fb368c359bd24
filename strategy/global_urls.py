"""URLs outside any entity: choosing one and accepting an invitation."""

from django.urls import path

from . import views

urlpatterns = [
    path("entidades/", views.choose_entity, name="choose_entity"),
    path("entidades/cambiar/", views.switch_entity, name="switch_entity"),
    path("invitacion/<uuid:token>/", views.invitation_accept, name="invitation_accept"),
]
