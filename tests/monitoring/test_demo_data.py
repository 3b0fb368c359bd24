import pytest
from django_celery_beat.models import PeriodicTask

from monitoring import demo_data
from monitoring.models import ListeningQuery, PollState
from tests.factories import EntityFactory

from .factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_schedules_channels():
    main = EntityFactory(slug="alcaldia-san-isidro")
    second = EntityFactory(slug="transito-departamental")
    channel = ChannelFactory(entity=main)
    context = {"entities": [main, second], "users": {}, "superuser": None}
    demo_data.seed_demo(context)
    demo_data.seed_demo(context)
    assert ListeningQuery.objects.filter(entity=main).count() == 2
    assert ListeningQuery.objects.filter(entity=second).count() == 1
    assert PeriodicTask.objects.filter(args=f"[{channel.pk}]",
                                       task="monitoring.tasks.poll_channel").count() == 1
    assert PollState.objects.filter(channel=channel, listening_query__isnull=True).count() == 1
