"""Compile every .po catalogue to .mo with polib, so no system gettext is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po files to .mo (pure Python)."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        # The project catalogue (locale/) and each app's (<app>/locale/).
        catalogues = [*base.glob("locale/*/LC_MESSAGES/*.po"),
                      *base.glob("*/locale/*/LC_MESSAGES/*.po")]
        for po_path in catalogues:
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        self.stdout.write(f"{len(catalogues)} catalogues compiled.")
