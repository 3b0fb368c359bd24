import importlib

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from strategy import demo

# Each app may contribute demo data in `<app>/demo_data.py` with `seed_demo(context)`;
# they run in dependency order, strategy's entities and users first.
_APP_SEEDERS = ["channels_app", "protocols", "monitoring"]


class Command(BaseCommand):
    help = "Create (or complete) the demo entities, one user per role and their demo data."

    def handle(self, *args, **options):
        context = demo.seed()
        for app in _APP_SEEDERS:
            try:
                module = importlib.import_module(f"{app}.demo_data")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo_data":
                    raise
                continue
            module.seed_demo(context)
        self.stdout.write(self.style.SUCCESS(_("Demo data ready.")))
        self.stdout.write(_("Entities: %(names)s") % {
            "names": ", ".join(e.name for e in context["entities"])})
        self.stdout.write(_("Password for every demo login: %(password)s")
                          % {"password": demo.DEMO_PASSWORD})
        for role, user in context["users"].items():
            self.stdout.write(f"  {user.email:32} {role}")
        self.stdout.write(f"  {context['superuser'].email:32} superuser (/admin/)")
