import factory

from channels_app.choices import Platform
from channels_app.models import Channel
from tests.factories import EntityFactory


class PlanChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    entity = factory.SubFactory(EntityFactory)
    platform = Platform.X
    handle = factory.Sequence(lambda n: f"Entidad{n}")
    url = factory.LazyAttribute(lambda o: f"https://x.com/{o.handle}")
