"""Demo data of the pipeline: listening queries, and the beat schedules of the demo channels.

The channels themselves (pointing at the sandbox networks) come from channels_app/demo_data.py,
which runs before this seeder. Idempotent.
"""

from .models import ListeningQuery
from .services import poll_schedules_sync

DEMO_QUERIES = {
    "alcaldia-san-isidro": [
        # Single words: every network's search (and the sandbox's) treats them alike.
        ("Vías y huecos", "hueco", ["x", "mastodon", "bluesky"]),
        ("Servicio de agua", "agua", ["x", "mastodon", "bluesky", "youtube"]),
    ],
    "transito-departamental": [
        ("Trámites de licencia", "licencia", ["x", "bluesky"]),
    ],
}


def seed_demo(context) -> None:
    for entity in context["entities"]:
        for name, query, platforms in DEMO_QUERIES.get(entity.slug, []):
            ListeningQuery.objects.get_or_create(
                entity=entity, name=name, defaults={"query": query, "platforms": platforms})
    # One beat schedule per demo channel and query: mentions start arriving within a minute.
    poll_schedules_sync()
