from tests.channels_app.factories import PlanChannelFactory

URL_KWARGS = {
    "channel_id": lambda entity: PlanChannelFactory(entity=entity).public_id,
}
