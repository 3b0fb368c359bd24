"""Retrain the mention classifier on the shipped corpus plus community managers' corrections."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from monitoring.classifier import train


class Command(BaseCommand):
    help = (
        "Retrain the classifier on the shipped corpus plus the corrections community "
        "managers made, save it under VAR_DIR and print the held-out report."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-corrections", action="store_true", help="Train on the shipped corpus only."
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print the report as JSON."
        )

    def handle(self, *args, no_corrections: bool, as_json: bool, **options):
        extra = []
        if not no_corrections:
            from monitoring.selectors import correction_examples

            extra = list(correction_examples())
        report = train(extra_examples=extra)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.summary())
