"""Rebuild the dashboard's daily rollups from the raw mentions (after an import, a restore,
or to backfill the demo): `python manage.py rebuild_rollups --days 90 [--entity slug]`."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.rollups import rollup_recompute_range
from protocols.deadlines import entity_tz
from strategy.models import Entity


class Command(BaseCommand):
    help = "Rebuild the dashboard's daily rollups of the last N days from the raw mentions."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--entity", help="slug of one entity (default: every entity)")

    def handle(self, *args, days, entity, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        entities = Entity.objects.all()
        if entity:
            entities = entities.filter(slug=entity)
            if not entities.exists():
                raise CommandError(f"No entity with slug {entity!r}")
        now = timezone.now()
        for item in entities:
            today = now.astimezone(entity_tz(item)).date()
            rows = rollup_recompute_range(entity_id=item.pk,
                                          start=today - datetime.timedelta(days=days - 1),
                                          end=today)
            self.stdout.write(f"{item.slug}: {days} days, {rows} rollup rows")
