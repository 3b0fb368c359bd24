from django.urls import path

from . import habeas_views as views

urlpatterns = [
    path("datos-personales/", views.habeas_list, name="habeas_list"),
    path("datos-personales/retencion/", views.habeas_settings, name="habeas_settings"),
    path("datos-personales/<uuid:habeas_id>/", views.habeas_detail, name="habeas_detail"),
    path("datos-personales/<uuid:habeas_id>/prorrogar/", views.habeas_extend,
         name="habeas_extend"),
    path("datos-personales/<uuid:habeas_id>/responder/", views.habeas_answer,
         name="habeas_answer"),
    path("datos-personales/<uuid:habeas_id>/datos.json", views.habeas_export_json,
         name="habeas_export_json"),
]
