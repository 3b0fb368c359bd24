from django.urls import path  # noqa: F401

app_name = "channels_app"

urlpatterns: list = []
