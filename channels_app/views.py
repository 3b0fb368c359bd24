"""Step 3 (channels) and step 7 (launch) pages, plus the public official-channels page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from strategy import plan_selectors, plan_services
from strategy.models import Entity
from strategy.permissions import Action, can, require
from strategy.tenancy import entity_view, get_object_for_entity

from . import selectors, services
from .forms import ChannelForm, LaunchItemForm, LookupForm, OfficialHandleForm
from .models import Channel


def _apply(form, call) -> bool:
    try:
        call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False
    return True


def _back(request, name="channel_list"):
    return redirect(f"channels_app:{name}", entity_slug=request.entity.slug)


@entity_view(Action.VIEW_PLAN)
def channel_list(request):
    entity = request.entity
    plan = plan_selectors.plan_of(entity)
    handle_form = OfficialHandleForm(request.POST or None, instance=plan, prefix="handle")
    if request.method == "POST":
        require(request.user, entity, Action.MANAGE_CHANNELS)
        if handle_form.is_valid() and _apply(handle_form, lambda: plan_services.plan_update(
                actor=request.user, entity=entity, data=handle_form.cleaned_data)):
            messages.success(request, _("Handle saved."))
            return _back(request)
    channels = list(selectors.channels_of(entity))
    consistency = selectors.handle_consistency(entity, channels)
    odd = {c.pk for c in consistency.odd_ones}
    rows = [{"channel": c, "odd": c.pk in odd, "gaps": selectors.identity_gaps(c)}
            for c in channels]
    return render(request, "channels_app/channel_list.html", {
        "rows": rows, "consistency": consistency, "handle_form": handle_form,
        "objectives_without_channel": selectors.objectives_without_channel(entity),
        "channels_without_objective": [c for c in channels if not c.objectives.all()],
        "status": plan_selectors.step_status(entity, 3),
        "can_manage": can(request.user, entity, Action.MANAGE_CHANNELS),
    })


@entity_view(Action.MANAGE_CHANNELS)
def channel_create(request):
    form = ChannelForm(request.POST or None, entity=request.entity)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.split_data()
        if _apply(form, lambda: services.channel_create(actor=request.user,
                                                        entity=request.entity,
                                                        data=data, m2m=m2m)):
            messages.success(request, _("Channel added."))
            return _back(request)
    return render(request, "channels_app/channel_form.html", {"form": form, "channel": None})


@entity_view(Action.MANAGE_CHANNELS)
def channel_edit(request, channel_id):
    channel = get_object_for_entity(Channel.objects.all(), request.entity, public_id=channel_id)
    form = ChannelForm(request.POST or None, instance=channel, entity=request.entity)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.split_data()
        fresh = get_object_for_entity(Channel.objects.all(), request.entity,
                                      public_id=channel_id)
        if _apply(form, lambda: services.channel_update(actor=request.user, channel=fresh,
                                                        data=data, m2m=m2m)):
            messages.success(request, _("Changes saved."))
            return _back(request)
    return render(request, "channels_app/channel_form.html", {"form": form, "channel": channel})


@require_POST
@entity_view(Action.MANAGE_CHANNELS)
def channel_delete(request, channel_id):
    channel = get_object_for_entity(Channel.objects.all(), request.entity, public_id=channel_id)
    services.channel_delete(actor=request.user, channel=channel)
    messages.success(request, _("Channel deleted."))
    return _back(request)


@entity_view(Action.VIEW_PLAN)
def launch(request):
    entity = request.entity
    items = selectors.launch_items_of(entity)
    posted = request.method == "POST"
    forms = [(item, LaunchItemForm(request.POST if posted else None, instance=item,
                                   prefix=item.step)) for item in items]
    if posted:
        require(request.user, entity, Action.EDIT_PLAN)
        if all(form.is_valid() for _item, form in forms):
            ok = True
            for item, form in forms:
                ok = _apply(form, lambda item=item, form=form: services.launch_item_save(
                    actor=request.user, entity=entity, step=item.step,
                    **form.cleaned_data)) and ok
            if ok:
                messages.success(request, _("Launch checklist saved."))
                return _back(request, "launch")
    public_url = request.build_absolute_uri(
        reverse("official_channels", kwargs={"entity_slug": entity.slug}))
    embed_url = request.build_absolute_uri(
        reverse("official_channels_embed", kwargs={"entity_slug": entity.slug}))
    return render(request, "channels_app/launch.html", {
        "forms": forms, "status": plan_selectors.step_status(entity, 7),
        "public_url": public_url, "embed_url": embed_url,
        "snippet": embed_snippet(entity, embed_url),
        "can_edit": can(request.user, entity, Action.EDIT_PLAN),
    })


def embed_snippet(entity, embed_url: str) -> str:
    """The HTML the entity pastes on its website to show its official channels."""
    title = _("Official social media channels of %(entity)s") % {"entity": entity.name}
    from django.utils.html import escape

    return (f'<iframe src="{escape(embed_url)}" title="{escape(title)}" '
            f'width="100%" height="360" style="border:0" loading="lazy"></iframe>')


# --- Public, login-free pages ---------------------------------------------------------------


def official_channels(request, entity_slug):
    """The public page of an entity's official channels, with the impostor lookup."""
    entity = get_object_or_404(Entity.objects.only("name", "slug", "website"), slug=entity_slug)
    form = LookupForm(request.GET or None)
    lookup = None
    if form.is_valid():
        lookup = selectors.lookup_official(entity, form.cleaned_data["q"])
    return render(request, "channels_app/public/official_channels.html", {
        "entity": entity, "channels": selectors.official_channels(entity), "form": form,
        "lookup": lookup,
    })


EMBED_CSP = "; ".join([
    "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "base-uri 'none'",
    "form-action 'none'", "frame-ancestors *",
])


@xframe_options_exempt
def official_channels_embed(request, entity_slug):
    """The embeddable list: it may be framed by any site (its own CSP allows it)."""
    entity = get_object_or_404(Entity.objects.only("name", "slug"), slug=entity_slug)
    response = render(request, "channels_app/public/embed.html", {
        "entity": entity, "channels": selectors.official_channels(entity),
        "public_url": request.build_absolute_uri(
            reverse("official_channels", kwargs={"entity_slug": entity.slug})),
    })
    response["Content-Security-Policy"] = EMBED_CSP
    return response
