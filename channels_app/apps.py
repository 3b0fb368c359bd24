from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsAppConfig(AppConfig):
    name = "channels_app"
    verbose_name = _("Channels")

    def ready(self):
        # Steps 3 and 7 of the plan live here; the plan overview and exports find them
        # through the registry (strategy never imports channels_app).
        from strategy.plan_registry import register_step

        from . import selectors

        register_step(3, completeness=selectors.channel_checks, export=selectors.channels_export)
        register_step(7, completeness=selectors.launch_checks, export=selectors.launch_export)
