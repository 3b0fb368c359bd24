"""Factories of the pipeline's models (tests/monitoring)."""

from datetime import timedelta

import factory
from django.utils import timezone

from channels_app.models import Channel
from monitoring.choices import CaseStatus, Category, DeliveryStatus, MentionSource, WebhookSource
from monitoring.models import Author, Case, ListeningQuery, Mention, WebhookDelivery
from tests.factories import EntityFactory


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    entity = factory.SubFactory(EntityFactory)
    platform = "x"
    handle = factory.Sequence(lambda n: f"alcaldia{n}")
    account_id = factory.Sequence(lambda n: str(9000 + n))
    api_base_url = "http://sandbox.invalid/x"
    access_token = "token-de-prueba"


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    entity = factory.SubFactory(EntityFactory)
    platform = "x"
    external_id = factory.Sequence(lambda n: f"autor-{n}")
    handle = factory.Sequence(lambda n: f"ciudadano{n}")
    name = factory.Sequence(lambda n: f"Ciudadana {n}")
    followers = 120


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    entity = factory.SubFactory(EntityFactory)
    author = factory.SubFactory(AuthorFactory, entity=factory.SelfAttribute("..entity"))
    platform = "x"
    thread_key = factory.Sequence(lambda n: f"hilo-{n}")
    status = CaseStatus.OPEN
    category = Category.COMPLAINT
    first_response_due = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=8))


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mention

    entity = factory.SubFactory(EntityFactory)
    author = factory.SubFactory(AuthorFactory, entity=factory.SelfAttribute("..entity"))
    platform = "x"
    external_id = factory.Sequence(lambda n: f"m-{n}")
    text = "El hueco de la calle 10 sigue sin arreglar"
    created_at = factory.LazyFunction(timezone.now)
    thread_key = factory.SelfAttribute("external_id")
    source = MentionSource.POLL
    label = Category.COMPLAINT


class ListeningQueryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListeningQuery

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Consulta {n}")
    query = "alcaldía San Isidro"
    platforms = factory.LazyFunction(lambda: ["x"])


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    entity = factory.SubFactory(EntityFactory)
    source = WebhookSource.META
    body = factory.Sequence(lambda n: f'{{"object": "page", "entry": [], "n": {n}}}'.encode())
    body_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = DeliveryStatus.FAILED
    error = "ValueError: boom"
