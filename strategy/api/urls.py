from django.urls import path

from . import views

urlpatterns = [
    path("entidad/", views.EntityDetailView.as_view(), name="entity-detail"),
    path("miembros/", views.MembershipListView.as_view(), name="membership-list"),
]
