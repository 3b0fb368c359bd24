import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_protocols_model_has_a_working_admin(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    models = list(apps.get_app_config("protocols").get_models())
    assert len(models) >= 15  # the protocol itself; data protection (habeas) adds more
    for model in models:
        assert admin.site.is_registered(model), model
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, model
        assert client.get(reverse(f"{name}_add")).status_code == 200, model
