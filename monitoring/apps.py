from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        # The inbox: what happens to a reply when its approval request is decided.
        from protocols.services import register_approval_handler

        from .inbox_services import APPROVAL_KIND_REPLY, reply_approval_decided

        register_approval_handler(APPROVAL_KIND_REPLY, reply_approval_decided)
        __import__("monitoring.retention", fromlist=["register"]).register()  # habeas data

        # The inbox's and the dashboard's models in Django admin.
        from . import dashboard_admin, inbox_admin  # noqa: F401
