"""Step 8: the editorial calendar pages (month, week, list), the composer, approval,
coverage and the iCal feed. Thin views: parse, load through the tenant gate, one service."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategy.permissions import Action, can, require
from strategy.tenancy import entity_view, get_object_for_entity

from . import calendar_selectors as selectors
from . import calendar_services as services
from .calendar_forms import DecisionForm, MediaForm, MoveForm, PostForm, RecurringForm, TargetForm
from .calendar_models import PostMedia, PostStatus, RecurringPost, ScheduledPost
from .models import Channel

VIEWS = ("mes", "semana", "lista")


def _apply(form, call) -> bool:
    try:
        call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = name if name in form.fields else None
                if name == "scheduled_at" and "date" in form.fields:
                    target = "date"
                form.add_error(target, errors)
        else:
            form.add_error(None, exc)
        return False
    return True


def _flash_errors(request, call) -> bool:
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    return True


def _render(request, template: str, context: dict):
    """Render with the entity's time zone active, so every date filter shows local time."""
    with timezone.override(services.entity_zone(request.entity)):
        return render(request, template, context)


def _load_post(request, post_id) -> ScheduledPost:
    get_object_for_entity(ScheduledPost.objects.all(), request.entity, public_id=post_id)
    return selectors.post_detail(request.entity, post_id)


def _post_url(request, post) -> str:
    return reverse("channels_app:calendar_post", kwargs={
        "entity_slug": request.entity.slug, "post_id": post.public_id})


def _parse_date(value: str, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _scheduled_at(request, form) -> datetime.datetime:
    return services.local_to_utc(request.entity, form.cleaned_data["date"],
                                 form.cleaned_data["time"])


@entity_view(Action.VIEW_PLAN)
def calendar(request):
    """Month, week or list view of the planned posts, optionally of one channel."""
    entity = request.entity
    view = request.GET.get("vista", "mes")
    if view not in VIEWS:
        view = "mes"
    today = selectors.today_for(entity)
    day = _parse_date(request.GET.get("fecha", ""), today)
    channels = list(Channel.objects.filter(entity=entity).order_by("platform", "handle"))
    channel = None
    if request.GET.get("canal"):
        channel = next((c for c in channels if str(c.public_id) == request.GET["canal"]), None)
    context = {"view": view, "day": day, "today": today, "channels": channels,
               "channel": channel, "views": VIEWS,
               "can_plan": can(request.user, entity, Action.PLAN_POSTS),
               "can_approve": can(request.user, entity, Action.APPROVE_POSTS),
               "timezone_name": entity.timezone}
    if view == "mes":
        first = day.replace(day=1)
        context["weeks"] = selectors.month_grid(entity, first.year, first.month,
                                                channel=channel)
        context["previous"] = (first - datetime.timedelta(days=1)).replace(day=1)
        context["next"] = (first + datetime.timedelta(days=32)).replace(day=1)
        context["period_start"] = first
    elif view == "semana":
        monday = day - datetime.timedelta(days=day.weekday())
        context["days"] = selectors.week_days(entity, monday, channel=channel)
        context["previous"] = monday - datetime.timedelta(days=7)
        context["next"] = monday + datetime.timedelta(days=7)
        context["period_start"] = monday
        context["period_end"] = monday + datetime.timedelta(days=6)
    else:
        last = day + datetime.timedelta(days=30)
        context["posts"] = selectors.post_list(entity, day, last, channel=channel)
        context["previous"] = day - datetime.timedelta(days=31)
        context["next"] = last + datetime.timedelta(days=1)
        context["period_start"], context["period_end"] = day, last
    context["pending"] = list(selectors.pending_approval(entity)[:20])
    context["attention"] = list(selectors.needing_attention(entity)[:20])
    return _render(request, "channels_app/calendar/calendar.html", context)


@entity_view(Action.PLAN_POSTS)
def post_create(request):
    entity = request.entity
    initial = {"date": _parse_date(request.GET.get("fecha", ""),
                                   selectors.today_for(entity) + datetime.timedelta(days=1)),
               "time": datetime.time(9, 0)}
    form = PostForm(request.POST or None, entity=entity, membership=request.membership,
                    initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = {}
        if _apply(form, lambda: holder.update(post=services.post_create(
                actor=request.user, entity=entity, channel=data["channel"], text=data["text"],
                link=data["link"], objective=data["objective"], campaign=data["campaign"],
                scheduled_at=_scheduled_at(request, form)))):
            messages.success(request, _("Post planned as a draft. Send it for approval when "
                                        "it is ready."))
            return redirect(_post_url(request, holder["post"]))
    return _render(request, "channels_app/calendar/post_form.html", {"form": form, "post": None})


@entity_view(Action.VIEW_PLAN)
def post_detail(request, post_id):
    """The post, and (by role and status) its edit, move, media and approval forms."""
    entity = request.entity
    post = _load_post(request, post_id)
    zone = services.entity_zone(entity)
    local = post.scheduled_at.astimezone(zone)
    can_plan = can(request.user, entity, Action.PLAN_POSTS, channel=post.channel)
    form = None
    if can_plan and post.is_editable:
        form = PostForm(request.POST or None, entity=entity, membership=request.membership,
                        initial={"channel": post.channel, "text": post.text, "link": post.link,
                                 "objective": post.objective, "campaign": post.campaign,
                                 "date": local.date(), "time": local.time()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if _apply(form, lambda: services.post_update(
                    actor=request.user, post=post, data={
                        "channel": data["channel"], "text": data["text"], "link": data["link"],
                        "objective": data["objective"], "campaign": data["campaign"],
                        "scheduled_at": _scheduled_at(request, form)})):
                messages.success(request, _("Post saved."))
                return redirect(_post_url(request, post))
    elif request.method == "POST":
        require(request.user, entity, Action.PLAN_POSTS)
        messages.error(request, _("This post can no longer be changed."))
        return redirect(_post_url(request, post))
    return _render(request, "channels_app/calendar/post_detail.html", {
        "post": post, "local_at": local, "form": form, "can_plan": can_plan,
        "move_form": MoveForm(initial={"date": local.date(), "time": local.time()},
                              prefix="move"),
        "media_form": MediaForm(prefix="media"), "decision_form": DecisionForm(),
        "can_approve": services.can_approve(request.user, post),
        "is_own": post.author_id == request.user.pk,
    })


@require_POST
@entity_view(Action.PLAN_POSTS)
def post_move(request, post_id):
    """Reschedule: the "move to" form, or the drag and drop of calendar.js (same POST)."""
    post = _load_post(request, post_id)
    form = MoveForm(request.POST, prefix="move")
    if form.is_valid():
        if _flash_errors(request, lambda: services.post_reschedule(
                actor=request.user, post=post, scheduled_at=_scheduled_at(request, form))):
            messages.success(request, _("Post moved."))
    else:
        messages.error(request, _("Give a valid date and time."))
    if request.headers.get("X-Requested-With") == "calendar":
        return HttpResponse(status=204)
    return redirect(request.POST.get("next") or _post_url(request, post))


@require_POST
@entity_view(Action.PLAN_POSTS)
def post_submit(request, post_id):
    post = _load_post(request, post_id)
    if _flash_errors(request, lambda: services.post_submit(actor=request.user, post=post)):
        messages.success(request, _("Sent for approval."))
    return redirect(_post_url(request, post))


@require_POST
@entity_view(Action.APPROVE_POSTS)
def post_decide(request, post_id):
    post = _load_post(request, post_id)
    form = DecisionForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    if _flash_errors(request, lambda: services.post_decide(
            actor=request.user, post=post, approve=approve,
            note=form.cleaned_data.get("note", ""))):
        messages.success(request, _("Post approved: it will be published at its time.")
                         if approve else _("Post returned to its author."))
    return redirect(_post_url(request, post))


@require_POST
@entity_view(Action.PLAN_POSTS)
def post_cancel(request, post_id):
    post = _load_post(request, post_id)
    if _flash_errors(request, lambda: services.post_cancel(actor=request.user, post=post)):
        messages.success(request, _("Post cancelled."))
    return redirect(_post_url(request, post))


@require_POST
@entity_view(Action.PLAN_POSTS)
def post_resolve(request, post_id):
    post = _load_post(request, post_id)
    published = request.POST.get("published") == "yes"
    if _flash_errors(request, lambda: services.post_resolve_check(
            actor=request.user, post=post, published=published,
            external_url=request.POST.get("external_url", "")[:500])):
        messages.success(request, _("Post marked as published.") if published
                         else _("The post will be published again."))
    return redirect(_post_url(request, post))


@require_POST
@entity_view(Action.PLAN_POSTS)
def media_add(request, post_id):
    post = _load_post(request, post_id)
    form = MediaForm(request.POST, prefix="media")
    if form.is_valid():
        data = form.cleaned_data
        if _flash_errors(request, lambda: services.media_add(
                actor=request.user, post=post, kind=data["kind"], url=data["url"],
                alt_text=data["alt_text"], captions_url=data["captions_url"])):
            messages.success(request, _("Media added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_post_url(request, post))


@require_POST
@entity_view(Action.PLAN_POSTS)
def media_remove(request, post_id, media_id):
    post = _load_post(request, post_id)
    media = PostMedia.objects.filter(post=post, public_id=media_id).first()
    if media is None:
        raise Http404
    if _flash_errors(request, lambda: services.media_remove(actor=request.user, media=media)):
        messages.success(request, _("Media removed."))
    return redirect(_post_url(request, post))


@entity_view(Action.VIEW_PLAN)
def recurring(request):
    entity = request.entity
    can_plan = can(request.user, entity, Action.PLAN_POSTS)
    form = RecurringForm(request.POST or None, entity=entity, membership=request.membership,
                         initial={"start_date": selectors.today_for(entity),
                                  "time_of_day": datetime.time(8, 0)})
    if request.method == "POST":
        require(request.user, entity, Action.PLAN_POSTS)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if _apply(form, lambda: services.recurring_create(
                    actor=request.user, entity=entity, **data)):
                messages.success(request, _("Recurring series created. An approver must "
                                            "approve it before its posts are scheduled."))
                return redirect("channels_app:calendar_recurring", entity_slug=entity.slug)
    return _render(request, "channels_app/calendar/recurring.html", {
        "series": selectors.recurring_series(entity), "form": form, "can_plan": can_plan,
        "can_approve": can(request.user, entity, Action.APPROVE_POSTS)})


@require_POST
@entity_view(Action.VIEW_PLAN)
def recurring_action(request, series_id):
    series = get_object_for_entity(RecurringPost.objects.select_related("channel", "entity"),
                                   request.entity, public_id=series_id)
    if request.POST.get("action") == "approve":
        require(request.user, request.entity, Action.APPROVE_POSTS)
        if _flash_errors(request, lambda: services.recurring_approve(actor=request.user,
                                                                     series=series)):
            messages.success(request, _("Series approved: its posts are in the calendar."))
    else:
        require(request.user, request.entity, Action.PLAN_POSTS)
        services.recurring_stop(actor=request.user, series=series)
        messages.success(request, _("Series stopped; its future posts were cancelled."))
    return redirect("channels_app:calendar_recurring", entity_slug=request.entity.slug)


@entity_view(Action.VIEW_PLAN)
def coverage(request):
    """The next 14 days per channel against the weekly targets."""
    entity = request.entity
    can_edit = can(request.user, entity, Action.EDIT_PLAN)
    if request.method == "POST":
        require(request.user, entity, Action.EDIT_PLAN)
        channel = get_object_for_entity(Channel.objects.all(), entity,
                                        public_id=request.POST.get("channel", "") or None)
        form = TargetForm(request.POST)
        if form.is_valid() and _flash_errors(request, lambda: services.posting_target_set(
                actor=request.user, channel=channel,
                posts_per_week=form.cleaned_data["posts_per_week"])):
            messages.success(request, _("Target saved."))
        elif not form.is_valid():
            messages.error(request, _("Give a number of posts per week between 0 and 100."))
        return redirect("channels_app:calendar_coverage", entity_slug=entity.slug)
    rows = selectors.coverage(entity)
    return _render(request, "channels_app/calendar/coverage.html", {
        "rows": rows, "dates": [d.date for d in rows[0].days] if rows else [],
        "can_edit": can_edit, "default_target": selectors.DEFAULT_POSTS_PER_WEEK,
        "days": selectors.COVERAGE_DAYS})


@entity_view(Action.VIEW_PLAN)
def feed_settings(request):
    entity = request.entity
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=request.user, entity=entity)
            messages.success(request, _("The old address no longer works; here is the new one."))
        else:
            services.calendar_feed_get_or_create(actor=request.user, entity=entity)
        return redirect("channels_app:calendar_feed", entity_slug=entity.slug)
    feed = entity.calendar_feeds.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("calendar_ical_feed", kwargs={
        "token": feed.token})) if feed else ""
    return _render(request, "channels_app/calendar/feed.html", {"feed": feed, "feed_url": url})


def ical_feed(request, token):
    """Public: the calendar as text/calendar, for the token's member. Unknown token: 404."""
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404
    body = selectors.ical_feed(feed.entity, now=timezone.now(), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = f'inline; filename="{feed.entity.slug}.ics"'
    return response


__all__ = ["PostStatus"]
