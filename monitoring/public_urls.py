"""Webhook endpoints (no login: the platform's signature over the raw body is checked)."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/meta/", views.webhook_meta, name="webhook_meta"),
    path("webhooks/x/", views.webhook_x, name="webhook_x"),
]
