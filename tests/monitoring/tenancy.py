from .factories import WebhookDeliveryFactory

URL_KWARGS = {
    "delivery_id": lambda entity: WebhookDeliveryFactory(entity=entity).public_id,
}
