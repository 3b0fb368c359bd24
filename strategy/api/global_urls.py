from django.urls import path

from . import views

urlpatterns = [
    path("entidades/", views.MyEntitiesView.as_view(), name="my-entities"),
]
