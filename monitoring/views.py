"""Pages of the pipeline: the operations page (administrators) and the webhook endpoints."""

import hmac

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from strategy.permissions import Action
from strategy.tenancy import entity_view, get_object_for_entity

from . import selectors, services
from .choices import WebhookSource
from .models import WebhookDelivery

# --------------------------------------------------------------------------- operations


@entity_view(Action.MANAGE_SETTINGS)
def operations(request):
    return render(request, "monitoring/operations.html",
                  selectors.operations_overview(request.entity))


@entity_view(Action.MANAGE_SETTINGS)
def operations_json(request):
    return JsonResponse(selectors.operations_as_json(request.entity))


@require_POST
@entity_view(Action.MANAGE_SETTINGS)
def delivery_retry(request, delivery_id):
    delivery = get_object_for_entity(WebhookDelivery.objects.defer("body"), request.entity,
                                     public_id=delivery_id)
    if services.webhook_delivery_retry(actor=request.user, entity=request.entity,
                                       delivery=delivery):
        messages.success(request, _("The delivery was queued for processing again."))
    else:
        messages.warning(request, _("This delivery is no longer failed; nothing to retry."))
    return redirect("monitoring:operations", entity_slug=request.entity.slug)


# --------------------------------------------------------------------------- webhooks
# Public endpoints: the signature over the raw body is the only authentication. A forged or
# missing signature answers 403 and stores nothing. Valid deliveries are stored and answered
# at once; a worker processes them.


def _forbidden() -> HttpResponse:
    return HttpResponseForbidden("invalid signature", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook_meta(request):
    secret = settings.META_APP_SECRET
    if request.method == "GET":
        # Subscription handshake: echo hub.challenge when the verify token is ours.
        expected = settings.META_VERIFY_TOKEN
        token = request.GET.get("hub.verify_token", "")
        if (request.GET.get("hub.mode") == "subscribe" and expected
                and hmac.compare_digest(token.encode(), expected.encode())):
            return HttpResponse(request.GET.get("hub.challenge", ""),
                                content_type="text/plain")
        return _forbidden()
    from channels_app.platforms.signatures import verify_meta_signature

    body = request.body
    header = request.headers.get("X-Hub-Signature-256", "")
    if not secret or not verify_meta_signature(secret.encode(), body, header):
        return _forbidden()
    services.webhook_delivery_store(source=WebhookSource.META, body=body,
                                    headers=dict(request.headers))
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook_x(request):
    from channels_app.platforms.signatures import verify_x_signature, x_crc_response

    secret = settings.X_CONSUMER_SECRET
    if not secret:
        return _forbidden()
    if request.method == "GET":
        crc_token = request.GET.get("crc_token", "")
        if not crc_token:
            return HttpResponse("crc_token missing", status=400, content_type="text/plain")
        return JsonResponse(x_crc_response(secret.encode(), crc_token))
    body = request.body
    header = request.headers.get("x-twitter-webhooks-signature", "")
    if not verify_x_signature(secret.encode(), body, header):
        return _forbidden()
    services.webhook_delivery_store(source=WebhookSource.X, body=body,
                                    headers=dict(request.headers))
    return HttpResponse("OK", content_type="text/plain")
