from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import integrations
from .integration_forms import ApiTokenForm, WebhookEndpointForm
from .integration_models import ApiToken, WebhookEndpoint, WebhookEventDelivery
from .permissions import Action
from .tenancy import entity_view, get_object_for_entity


def _back(request):
    return redirect("strategy:integrations", entity_slug=request.entity.slug)


@entity_view(Action.MANAGE_INTEGRATIONS)
def integrations_page(request):
    token_form = ApiTokenForm(prefix="token")
    webhook_form = WebhookEndpointForm(prefix="webhook")
    new_token = None
    if request.method == "POST" and "token-name" in request.POST:
        token_form = ApiTokenForm(request.POST, prefix="token")
        if token_form.is_valid():
            try:
                _token, new_token = integrations.api_token_create(
                    actor=request.user, entity=request.entity, **token_form.cleaned_data)
            except ValidationError as exc:
                token_form.add_error(None, exc)
    elif request.method == "POST":
        webhook_form = WebhookEndpointForm(request.POST, prefix="webhook")
        if webhook_form.is_valid():
            try:
                integrations.webhook_endpoint_create(actor=request.user, entity=request.entity,
                                                     **webhook_form.cleaned_data)
            except ValidationError as exc:
                webhook_form.add_error(None, exc)
            else:
                messages.success(request, _("Webhook registered."))
                return _back(request)
    deliveries = (WebhookEventDelivery.objects.filter(endpoint__entity=request.entity)
                  .select_related("endpoint")[:100])
    return render(request, "strategy/integrations.html", {
        "token_form": token_form, "webhook_form": webhook_form, "new_token": new_token,
        "tokens": ApiToken.objects.filter(entity=request.entity).select_related("user"),
        "endpoints": WebhookEndpoint.objects.filter(entity=request.entity),
        "deliveries": deliveries,
    })


@require_POST
@entity_view(Action.MANAGE_INTEGRATIONS)
def api_token_revoke(request, token_id):
    token = get_object_for_entity(ApiToken.objects.all(), request.entity, public_id=token_id)
    integrations.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return _back(request)


@require_POST
@entity_view(Action.MANAGE_INTEGRATIONS)
def webhook_deactivate(request, endpoint_id):
    endpoint = get_object_for_entity(WebhookEndpoint.objects.all(), request.entity,
                                     public_id=endpoint_id)
    integrations.webhook_endpoint_deactivate(actor=request.user, endpoint=endpoint)
    messages.success(request, _("Webhook deactivated."))
    return _back(request)


@require_POST
@entity_view(Action.MANAGE_INTEGRATIONS)
def webhook_resend(request, event_delivery_id):
    # Deliveries belong to the entity through their endpoint.
    delivery = get_object_or_404(
        WebhookEventDelivery.objects.select_related("endpoint__entity"),
        endpoint__entity=request.entity, public_id=event_delivery_id)
    integrations.webhook_resend(actor=request.user, delivery=delivery)
    messages.success(request, _("The event will be sent again."))
    return _back(request)
