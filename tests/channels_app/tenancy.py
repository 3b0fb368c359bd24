import datetime
import uuid

from django.utils import timezone

from tests.channels_app.factories import PlanChannelFactory


def calendar_post(entity, *, channel=None, status="draft", when=None, **fields):
    """A ScheduledPost of `entity` (helper shared by the calendar tests)."""
    from channels_app.calendar_models import ScheduledPost

    channel = channel or PlanChannelFactory(entity=entity)
    return ScheduledPost.objects.create(
        entity=entity, channel=channel, status=status,
        text=fields.pop("text", f"Publicación de prueba {uuid.uuid4().hex[:6]}"),
        scheduled_at=when or timezone.now() + datetime.timedelta(days=2), **fields)


def calendar_media(entity):
    from channels_app.calendar_models import PostMedia

    return PostMedia.objects.create(post=calendar_post(entity), kind="image",
                                    url="https://entidad.gov.co/a.png",
                                    alt_text="Fachada de la alcaldía").public_id


def calendar_series(entity):
    from channels_app.calendar_models import RecurringPost

    return RecurringPost.objects.create(
        entity=entity, channel=PlanChannelFactory(entity=entity), title="Horarios",
        text="Horario de atención: lunes a viernes de 8:00 a 17:00.", weekdays=[0],
        time_of_day=datetime.time(8, 0), start_date=timezone.localdate()).public_id


URL_KWARGS = {
    "channel_id": lambda entity: PlanChannelFactory(entity=entity).public_id,
    "post_id": lambda entity: calendar_post(entity).public_id,
    "media_id": calendar_media,
    "series_id": calendar_series,
}
