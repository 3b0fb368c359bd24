"""Writes of the editorial calendar: plan, approve, reschedule and publish posts.

Publishing is exactly-once (see `post_publish`): the row is claimed atomically with a
lease, every post carries its own idempotency key, Mastodon receives it as the
Idempotency-Key header, and on networks without one a post whose outcome is unknown (a
timeout, a worker that died after the network may have accepted it) is looked up on the
network before any retry; where that cannot be checked it waits for a person
(`needs_check`) rather than risk a duplicate.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import permissions
from strategy.choices import Role
from strategy.language import NETWORK_LIMITS, text_length
from strategy.permissions import Action
from strategy.services import audit_record

from .calendar_models import (
    EDITABLE_STATUSES,
    CalendarFeed,
    MediaKind,
    PostingTarget,
    PostMedia,
    PostStatus,
    RecurringPost,
    ScheduledPost,
    new_feed_token,
)

logger = logging.getLogger(__name__)

#: Seconds to wait before the 1st, 2nd, 3rd… retry of a transient failure; after the
#: last one the post is marked failed and its author told.
PUBLISH_BACKOFF = (60, 300, 900, 3600)
#: How long a worker owns a post it claimed. Longer than the task's hard time limit
#: (300 s) so a live worker never loses its claim; a dead one's claim expires.
PUBLISH_LEASE = datetime.timedelta(minutes=6)
#: Networks that deduplicate a repeated request carrying the same Idempotency-Key.
IDEMPOTENT_NETWORKS = frozenset({"mastodon"})
#: How far ahead recurring series create their occurrences.
RECURRENCE_HORIZON_DAYS = 28

_SNAPSHOT_FIELDS = ("channel_id", "text", "link", "scheduled_at", "status", "objective_id",
                    "campaign_id")


def entity_zone(entity) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(entity.timezone or "America/Bogota")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("America/Bogota")


def local_to_utc(entity, day: datetime.date, at: datetime.time) -> datetime.datetime:
    """A wall-clock date and time in the entity's time zone, as an aware UTC datetime."""
    local = datetime.datetime.combine(day, at).replace(tzinfo=entity_zone(entity))
    return local.astimezone(datetime.UTC)


def _snapshot(post: ScheduledPost) -> dict:
    data = {name: getattr(post, name) for name in _SNAPSHOT_FIELDS}
    data["scheduled_at"] = post.scheduled_at.isoformat() if post.scheduled_at else None
    return data


# --- validation ------------------------------------------------------------------------------


def post_validate(*, entity, channel, text: str, link: str = "", objective=None,
                  campaign=None) -> None:
    """Same entity for every related row, and the text within the network's length limit."""
    errors: dict[str, list] = {}
    if channel is None or channel.entity_id != entity.pk:
        errors["channel"] = [_("Choose a channel of this entity.")]
    if objective is not None and objective.entity_id != entity.pk:
        errors["objective"] = [_("Choose an objective of this entity.")]
    if campaign is not None and campaign.entity_id != entity.pk:
        errors["campaign"] = [_("Choose an activity of this entity's plan.")]
    if not (text or "").strip():
        errors["text"] = [_("Write the text of the post.")]
    elif channel is not None:
        full = text if not link or link in text else f"{text.rstrip()}\n{link}"
        limit = NETWORK_LIMITS.get(channel.platform)
        length = text_length(full, channel.platform)
        if limit is not None and length > limit:
            errors["text"] = [_("The text (with its link) is %(length)s characters long; "
                                "%(network)s allows %(limit)s.") % {
                "length": length, "limit": limit, "network": channel.get_platform_display()}]
    if errors:
        raise ValidationError(errors)


def media_validate(*, kind: str, url: str, alt_text: str, captions_url: str) -> None:
    """Accessibility rules for government content: images need alternative text, videos
    need captions."""
    if kind == MediaKind.IMAGE and len((alt_text or "").strip()) < 5:
        raise ValidationError({"alt_text": _(
            "Describe the image in its alternative text; people who use screen readers "
            "depend on it.")})
    if kind == MediaKind.VIDEO and not (captions_url or "").strip():
        raise ValidationError({"captions_url": _(
            "Add the captions file of the video; government videos must be captioned.")})
    if kind not in MediaKind.values:
        raise ValidationError({"kind": _("Choose image or video.")})


def _require(actor, entity, action, channel=None):
    permissions.require(actor, entity, action, channel=channel)


# --- planning --------------------------------------------------------------------------------


@transaction.atomic
def post_create(*, actor, entity, channel, text: str, scheduled_at: datetime.datetime,
                link: str = "", objective=None, campaign=None,
                now: datetime.datetime | None = None) -> ScheduledPost:
    """Plan a draft post. `scheduled_at` is aware (convert local input with local_to_utc)."""
    _require(actor, entity, Action.PLAN_POSTS, channel)
    post_validate(entity=entity, channel=channel, text=text, link=link, objective=objective,
                  campaign=campaign)
    if scheduled_at <= (now or timezone.now()):
        raise ValidationError({"scheduled_at": _("Choose a moment in the future.")})
    post = ScheduledPost.objects.create(
        entity=entity, channel=channel, text=text.strip(), link=link, objective=objective,
        campaign=campaign, scheduled_at=scheduled_at, author=actor)
    audit_record(entity=entity, actor=actor, action="post.create", obj=post,
                 after=_snapshot(post))
    return post


def _lock(post: ScheduledPost) -> ScheduledPost:
    return ScheduledPost.objects.select_for_update().select_related("channel", "entity").get(
        pk=post.pk)


@transaction.atomic
def post_update(*, actor, post: ScheduledPost, data: dict,
                now: datetime.datetime | None = None) -> ScheduledPost:
    """Change a post's text, link, channel, time or links to the plan. Any change to what
    is published sends an approved post back to draft: the approval covered the old text."""
    post = _lock(post)
    entity = post.entity
    _require(actor, entity, Action.PLAN_POSTS, post.channel)
    if post.status not in EDITABLE_STATUSES:
        raise ValidationError(_("This post can no longer be changed."))
    before = _snapshot(post)
    for name in ("channel", "text", "link", "objective", "campaign", "scheduled_at"):
        if name in data:
            setattr(post, name, data[name])
    _require(actor, entity, Action.PLAN_POSTS, post.channel)
    post_validate(entity=entity, channel=post.channel, text=post.text, link=post.link,
                  objective=post.objective, campaign=post.campaign)
    if post.scheduled_at <= (now or timezone.now()):
        raise ValidationError({"scheduled_at": _("Choose a moment in the future.")})
    content_changed = any(before[k] != _snapshot(post)[k] for k in ("channel_id", "text",
                                                                     "link"))
    if content_changed and post.status in (PostStatus.SCHEDULED, PostStatus.PENDING_APPROVAL,
                                           PostStatus.FAILED):
        post.status = PostStatus.DRAFT
        post.approved_by = None
        post.approved_at = None
    elif post.status == PostStatus.FAILED:
        post.status = PostStatus.DRAFT
    post.save()
    audit_record(entity=entity, actor=actor, action="post.update", obj=post, before=before,
                 after=_snapshot(post))
    return post


@transaction.atomic
def post_reschedule(*, actor, post: ScheduledPost, scheduled_at: datetime.datetime,
                    now: datetime.datetime | None = None) -> ScheduledPost:
    """Move a post to another moment (drag and drop or the "move to" form). Approval
    stays: the content did not change."""
    post = _lock(post)
    _require(actor, post.entity, Action.PLAN_POSTS, post.channel)
    if post.status not in EDITABLE_STATUSES:
        raise ValidationError(_("This post can no longer be moved."))
    if scheduled_at <= (now or timezone.now()):
        raise ValidationError({"scheduled_at": _("Choose a moment in the future.")})
    before = _snapshot(post)
    post.scheduled_at = scheduled_at
    post.retry_after = None
    post.save(update_fields=["scheduled_at", "retry_after", "updated_at"])
    audit_record(entity=post.entity, actor=actor, action="post.reschedule", obj=post,
                 before=before, after=_snapshot(post))
    return post


@transaction.atomic
def post_submit(*, actor, post: ScheduledPost) -> ScheduledPost:
    """Ask for approval (draft → waiting for approval)."""
    post = _lock(post)
    _require(actor, post.entity, Action.PLAN_POSTS, post.channel)
    if post.status != PostStatus.DRAFT:
        raise ValidationError(_("Only a draft can be sent for approval."))
    post_validate(entity=post.entity, channel=post.channel, text=post.text, link=post.link)
    for media in post.media.all():
        media_validate(kind=media.kind, url=media.url, alt_text=media.alt_text,
                       captions_url=media.captions_url)
    post.status = PostStatus.PENDING_APPROVAL
    post.review_note = ""
    post.save(update_fields=["status", "review_note", "updated_at"])
    audit_record(entity=post.entity, actor=actor, action="post.submit", obj=post,
                 after={"status": post.status})
    return post


def can_approve(user, post: ScheduledPost) -> bool:
    """Approvers hold APPROVE_POSTS; nobody approves their own post except an entity admin."""
    if not permissions.can(user, post.entity, Action.APPROVE_POSTS, channel=post.channel):
        return False
    if post.author_id == user.pk and permissions.role_of(user, post.entity) != Role.ENTITY_ADMIN:
        return False
    return True


@transaction.atomic
def post_decide(*, actor, post: ScheduledPost, approve: bool, note: str = "",
                now: datetime.datetime | None = None) -> ScheduledPost:
    """Approve (→ scheduled, the worker publishes it when due) or reject (→ draft, with a
    note saying why). Decided once, even when two approvers click at the same time."""
    post = _lock(post)
    if not permissions.can(actor, post.entity, Action.APPROVE_POSTS, channel=post.channel):
        raise PermissionDenied(_("Your role cannot approve posts."))
    if not can_approve(actor, post):
        raise ValidationError(_("You cannot approve your own post."))
    if post.status != PostStatus.PENDING_APPROVAL:
        raise ValidationError(_("This post is not waiting for approval."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why it is rejected.")})
    now = now or timezone.now()
    if approve and post.scheduled_at <= now:
        # Approving a post whose moment passed would publish it late, out of context.
        raise ValidationError({"scheduled_at": _(
            "The time of this post has passed; move it to a new time before approving it.")})
    if approve:
        post.status = PostStatus.SCHEDULED
        post.approved_by, post.approved_at = actor, now
    else:
        post.status = PostStatus.DRAFT
        post.approved_by, post.approved_at = None, None
    post.review_note = note.strip()
    post.save(update_fields=["status", "approved_by", "approved_at", "review_note",
                             "updated_at"])
    audit_record(entity=post.entity, actor=actor,
                 action="post.approve" if approve else "post.reject", obj=post,
                 after={"status": post.status, "note": post.review_note})
    return post


@transaction.atomic
def post_cancel(*, actor, post: ScheduledPost) -> ScheduledPost:
    post = _lock(post)
    _require(actor, post.entity, Action.PLAN_POSTS, post.channel)
    if post.status not in (*EDITABLE_STATUSES, PostStatus.NEEDS_CHECK):
        raise ValidationError(_("This post can no longer be cancelled."))
    before = _snapshot(post)
    post.status = PostStatus.CANCELLED
    post.save(update_fields=["status", "updated_at"])
    audit_record(entity=post.entity, actor=actor, action="post.cancel", obj=post,
                 before=before, after=_snapshot(post))
    return post


@transaction.atomic
def post_resolve_check(*, actor, post: ScheduledPost, published: bool,
                       external_url: str = "") -> ScheduledPost:
    """A person looked at the network: the post is there (published) or not (retry)."""
    post = _lock(post)
    _require(actor, post.entity, Action.PLAN_POSTS, post.channel)
    if post.status not in (PostStatus.NEEDS_CHECK, PostStatus.FAILED):
        raise ValidationError(_("This post is not waiting for a check."))
    if published:
        post.status = PostStatus.PUBLISHED
        post.published_at = post.published_at or timezone.now()
        post.external_url = external_url or post.external_url
    else:
        post.status = PostStatus.SCHEDULED if post.approved_at else PostStatus.DRAFT
        post.retry_after = None
        post.attempts = 0
    post.save()
    audit_record(entity=post.entity, actor=actor, action="post.resolve_check", obj=post,
                 after={"status": post.status, "published": published})
    return post


@transaction.atomic
def media_add(*, actor, post: ScheduledPost, kind: str, url: str, alt_text: str = "",
              captions_url: str = "") -> PostMedia:
    post = _lock(post)
    _require(actor, post.entity, Action.PLAN_POSTS, post.channel)
    if post.status not in EDITABLE_STATUSES:
        raise ValidationError(_("This post can no longer be changed."))
    media_validate(kind=kind, url=url, alt_text=alt_text, captions_url=captions_url)
    media = PostMedia.objects.create(post=post, kind=kind, url=url, alt_text=alt_text.strip(),
                                     captions_url=captions_url,
                                     order=post.media.count())
    if post.status in (PostStatus.SCHEDULED, PostStatus.PENDING_APPROVAL):
        post.status, post.approved_by, post.approved_at = PostStatus.DRAFT, None, None
        post.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(entity=post.entity, actor=actor, action="post.media_add", obj=post,
                 after={"kind": kind, "url": url, "alt_text": alt_text})
    return media


@transaction.atomic
def media_remove(*, actor, media: PostMedia) -> None:
    post = _lock(media.post)
    _require(actor, post.entity, Action.PLAN_POSTS, post.channel)
    if post.status not in EDITABLE_STATUSES:
        raise ValidationError(_("This post can no longer be changed."))
    audit_record(entity=post.entity, actor=actor, action="post.media_remove", obj=post,
                 before={"kind": media.kind, "url": media.url})
    media.delete()


# --- recurring series ------------------------------------------------------------------------


def _recurrence_validate(*, entity, channel, text, link, weekdays, start_date, end_date):
    post_validate(entity=entity, channel=channel, text=text, link=link)
    if not weekdays or any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationError({"weekdays": _("Choose at least one day of the week.")})
    if end_date and end_date < start_date:
        raise ValidationError({"end_date": _("The last day cannot be before the first.")})


@transaction.atomic
def recurring_create(*, actor, entity, channel, title: str, text: str, weekdays: list[int],
                     time_of_day: datetime.time, start_date: datetime.date,
                     end_date: datetime.date | None = None, every_weeks: int = 1,
                     link: str = "", objective=None) -> RecurringPost:
    """A recurring series; it creates posts once an approver approves it."""
    _require(actor, entity, Action.PLAN_POSTS, channel)
    weekdays = sorted({int(d) for d in weekdays})
    _recurrence_validate(entity=entity, channel=channel, text=text, link=link,
                         weekdays=weekdays, start_date=start_date, end_date=end_date)
    series = RecurringPost.objects.create(
        entity=entity, channel=channel, title=title, text=text.strip(), link=link,
        weekdays=weekdays, time_of_day=time_of_day, start_date=start_date,
        end_date=end_date, every_weeks=every_weeks, objective=objective, author=actor)
    audit_record(entity=entity, actor=actor, action="recurring.create", obj=series,
                 after={"title": title, "weekdays": weekdays})
    return series


@transaction.atomic
def recurring_approve(*, actor, series: RecurringPost,
                      now: datetime.datetime | None = None) -> RecurringPost:
    series = RecurringPost.objects.select_for_update().select_related("entity", "channel").get(
        pk=series.pk)
    if not permissions.can(actor, series.entity, Action.APPROVE_POSTS, channel=series.channel):
        raise PermissionDenied(_("Your role cannot approve posts."))
    if series.author_id == actor.pk and \
            permissions.role_of(actor, series.entity) != Role.ENTITY_ADMIN:
        raise ValidationError(_("You cannot approve your own post."))
    series.approved_by, series.approved_at = actor, now or timezone.now()
    series.save(update_fields=["approved_by", "approved_at"])
    audit_record(entity=series.entity, actor=actor, action="recurring.approve", obj=series,
                 after={"title": series.title})
    recurring_materialize(series=series, now=now)
    return series


@transaction.atomic
def recurring_stop(*, actor, series: RecurringPost) -> RecurringPost:
    """Stop the series and cancel its future occurrences that are not published yet."""
    _require(actor, series.entity, Action.PLAN_POSTS, series.channel)
    series.is_active = False
    series.save(update_fields=["is_active"])
    series.occurrences.filter(status__in=EDITABLE_STATUSES,
                              scheduled_at__gt=timezone.now()).update(
        status=PostStatus.CANCELLED)
    audit_record(entity=series.entity, actor=actor, action="recurring.stop", obj=series)
    return series


def recurrence_moments(series: RecurringPost, start: datetime.date,
                       end: datetime.date) -> list[datetime.datetime]:
    """UTC moments of the series between two local dates (inclusive)."""
    moments = []
    first_monday = series.start_date - datetime.timedelta(days=series.start_date.weekday())
    day = max(start, series.start_date)
    last = min(end, series.end_date) if series.end_date else end
    while day <= last:
        week_index = (day - first_monday).days // 7
        if day.weekday() in series.weekdays and week_index % series.every_weeks == 0:
            moments.append(local_to_utc(series.entity, day, series.time_of_day))
        day += datetime.timedelta(days=1)
    return moments


def recurring_materialize(*, series: RecurringPost,
                          now: datetime.datetime | None = None) -> int:
    """Create the approved series' posts for the coming weeks; safe to run any number of
    times (the database refuses a second post for the same moment)."""
    if not (series.is_active and series.is_approved):
        return 0
    now = now or timezone.now()
    today = now.astimezone(entity_zone(series.entity)).date()
    created = 0
    for moment in recurrence_moments(
            series, today, today + datetime.timedelta(days=RECURRENCE_HORIZON_DAYS)):
        if moment <= now:
            continue
        try:
            with transaction.atomic():
                ScheduledPost.objects.create(
                    entity=series.entity, channel=series.channel, recurrence=series,
                    objective=series.objective, text=series.text, link=series.link,
                    scheduled_at=moment, status=PostStatus.SCHEDULED, author=series.author,
                    approved_by=series.approved_by, approved_at=series.approved_at)
            created += 1
        except IntegrityError:
            continue  # already there
    return created


def recurring_materialize_all(*, now: datetime.datetime | None = None) -> int:
    total = 0
    for series in RecurringPost.objects.filter(is_active=True, approved_at__isnull=False) \
            .select_related("entity", "channel"):
        total += recurring_materialize(series=series, now=now)
    return total


# --- coverage targets and the iCal feed ------------------------------------------------------


@transaction.atomic
def posting_target_set(*, actor, channel, posts_per_week: int) -> PostingTarget:
    _require(actor, channel.entity, Action.EDIT_PLAN)
    if not 0 <= posts_per_week <= 100:
        raise ValidationError({"posts_per_week": _("Give a number between 0 and 100.")})
    target, _created = PostingTarget.objects.update_or_create(
        channel=channel, defaults={"entity": channel.entity, "posts_per_week": posts_per_week})
    audit_record(entity=channel.entity, actor=actor, action="posting_target.set", obj=channel,
                 after={"posts_per_week": posts_per_week})
    return target


@transaction.atomic
def calendar_feed_get_or_create(*, actor, entity) -> CalendarFeed:
    _require(actor, entity, Action.VIEW_PLAN)
    feed, created = CalendarFeed.objects.get_or_create(entity=entity, user=actor)
    if created:
        audit_record(entity=entity, actor=actor, action="calendar_feed.create", obj=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor, entity) -> CalendarFeed:
    """Revoke the member's feed address: a new token replaces the old one at once."""
    _require(actor, entity, Action.VIEW_PLAN)
    feed, _created = CalendarFeed.objects.get_or_create(entity=entity, user=actor)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    audit_record(entity=entity, actor=actor, action="calendar_feed.revoke", obj=feed)
    return feed


# --- publishing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishOutcome:
    status: str  # published | retry | failed | needs_check | not_due
    post_id: int


class _Unknown:
    """The network could not be asked whether a post is already there."""


UNKNOWN = _Unknown()


def _media_of(post: ScheduledPost) -> tuple:
    return tuple({"kind": m.kind, "url": m.url, "alt_text": m.alt_text,
                  "captions_url": m.captions_url} for m in post.media.all())


#: Why a network without `publish()` cannot take a post, in the author's words.
_CANNOT_PUBLISH = {
    "youtube": _("YouTube's API does not publish community posts; publish this one by hand "
                 "in YouTube Studio and mark it as published."),
    "instagram": _("Instagram publishes only images and videos through its API; publish "
                   "this one by hand and mark it as published."),
}


def _send(client, post: ScheduledPost):
    """One call to the network with the post's idempotency key; returns
    `PublishedReply(external_id, url)`."""
    from .platforms.base import PermanentError

    publish = getattr(client, "publish", None)
    if publish is None:
        raise PermanentError(_CANNOT_PUBLISH.get(post.channel.platform) or _(
            "Publishing posts to %(network)s is not available.") % {
            "network": post.channel.get_platform_display()})
    return publish(text=post.full_text, idempotency_key=str(post.idempotency_key),
                   media=_media_of(post))


def _find_existing(client, post: ScheduledPost):
    """Is the post already on the network? `PublishedReply` if so, None if surely not,
    UNKNOWN if this client cannot tell."""
    finder = getattr(client, "find_post", None)
    if finder is None:
        return UNKNOWN
    since = post.attempt_started_at or post.scheduled_at
    return finder(text=post.full_text, idempotency_key=str(post.idempotency_key), since=since)


def _outcome_unknown(exc) -> bool:
    """A failure after which the network may have accepted the post: no HTTP status came
    back (timeout, connection dropped), a 5xx (a gateway may time out after the network
    accepted) or a malformed 2xx. Only a 4xx (429 included) proves nothing was created."""
    status = getattr(exc, "status", None)
    return status is None or not 400 <= status < 500


def _needs_duplicate_check(post: ScheduledPost) -> bool:
    return post.channel.platform not in IDEMPOTENT_NETWORKS


def post_publish(*, post_id: int, now: datetime.datetime | None = None) -> PublishOutcome:
    """Publish one due, approved post through its channel's client, exactly once.

    1. Claim: a conditional UPDATE scheduled → publishing (with a lease); only one worker
       wins, a repeated or concurrent task finds nothing to do.
    2. Before a retry on a network without idempotency keys, look the post up; if the
       client cannot, and the previous attempt's outcome is unknown, stop at needs_check.
    3. Send with the post's idempotency key; record the id and link.
    4. Transient failure: back to scheduled with the next backoff delay; permanent or last:
       failed, and the author gets an e-mail.
    """
    from .platforms import get_client
    from .platforms.base import AuthError, PlatformError

    now = now or timezone.now()
    claimed = ScheduledPost.objects.filter(
        pk=post_id, status=PostStatus.SCHEDULED, scheduled_at__lte=now,
        approved_at__isnull=False).filter(
        Q(retry_after__isnull=True) | Q(retry_after__lte=now)).update(
        status=PostStatus.PUBLISHING, lease_until=now + PUBLISH_LEASE,
        attempts=F("attempts") + 1, updated_at=now)
    if claimed != 1:
        return PublishOutcome("not_due", post_id)
    post = ScheduledPost.objects.select_related("channel", "entity", "author").get(pk=post_id)
    try:
        client = get_client(post.channel)
        if post.attempts > 1 and _needs_duplicate_check(post) and post.error_unknown:
            existing = _find_existing(client, post)
            if existing is UNKNOWN:
                return _mark_needs_check(post, now, _(
                    "The previous attempt may have reached the network and this network "
                    "cannot be asked; check the account before publishing again."))
            if existing is not None:
                return _mark_published(post, existing)
        ScheduledPost.objects.filter(pk=post.pk).update(attempt_started_at=now)
        published = _send(client, post)
    except PlatformError as exc:
        return _publish_failed(post, exc, now, auth=isinstance(exc, AuthError))
    except Exception as exc:  # a bug in a client must not leave the row "publishing"
        logger.exception("Unexpected error publishing scheduled post %s", post_id)
        return _publish_failed(post, exc, now, auth=False, permanent=True)
    return _mark_published(post, published)


def _mark_published(post: ScheduledPost, published) -> PublishOutcome:
    done = timezone.now()
    with transaction.atomic():
        ScheduledPost.objects.filter(pk=post.pk).update(
            status=PostStatus.PUBLISHED, external_id=published.external_id,
            external_url=published.url or "", published_at=done, error="", retry_after=None,
            lease_until=None, updated_at=done)
        audit_record(entity=post.entity, actor=None, action="post.publish", obj=post,
                     after={"external_id": published.external_id, "url": published.url,
                            "attempts": post.attempts})
    return PublishOutcome("published", post.pk)


def _mark_needs_check(post: ScheduledPost, now, message: str) -> PublishOutcome:
    with transaction.atomic():
        ScheduledPost.objects.filter(pk=post.pk).update(
            status=PostStatus.NEEDS_CHECK, error=message, lease_until=None, updated_at=now)
        audit_record(entity=post.entity, actor=None, action="post.needs_check", obj=post,
                     after={"error": message})
    _notify_author(post, message)
    return PublishOutcome("needs_check", post.pk)


def _publish_failed(post: ScheduledPost, exc: Exception, now, *, auth: bool,
                    permanent: bool | None = None) -> PublishOutcome:
    if permanent is None:
        permanent = bool(getattr(exc, "permanent", False))
    message = str(exc)[:2000] or exc.__class__.__name__
    unknown = not permanent and _outcome_unknown(exc)
    attempt = post.attempts
    if not permanent and attempt <= len(PUBLISH_BACKOFF):
        delay = PUBLISH_BACKOFF[attempt - 1]
        hint = getattr(exc, "retry_after", None)
        if hint:
            delay = max(delay, int(hint))
        ScheduledPost.objects.filter(pk=post.pk).update(
            status=PostStatus.SCHEDULED, error=message, error_unknown=unknown,
            retry_after=now + datetime.timedelta(seconds=delay), lease_until=None,
            updated_at=now)
        return PublishOutcome("retry", post.pk)
    with transaction.atomic():
        ScheduledPost.objects.filter(pk=post.pk).update(
            status=PostStatus.FAILED, error=message, retry_after=None, lease_until=None,
            updated_at=now)
        audit_record(entity=post.entity, actor=None, action="post.fail", obj=post,
                     after={"error": message, "attempts": attempt})
    if auth:
        from .choices import ChannelStatus
        from .models import Channel

        Channel.objects.filter(pk=post.channel_id).update(
            status=ChannelStatus.NEEDS_RECONNECTION)
    _notify_author(post, message)
    return PublishOutcome("failed", post.pk)


def _notify_author(post: ScheduledPost, message: str) -> None:
    author = post.author
    if author is None or not author.email:
        return
    local = post.scheduled_at.astimezone(entity_zone(post.entity))
    subject = _("The post planned for %(when)s on %(channel)s was not published") % {
        "when": local.strftime("%d/%m/%Y %H:%M"), "channel": post.channel}
    body = _("Entity: %(entity)s\nChannel: %(channel)s\nText: %(text)s\n\nWhat happened: "
             "%(error)s\n\nOpen the editorial calendar to correct it and publish it again.") % {
        "entity": post.entity.name, "channel": post.channel, "text": post.text[:500],
        "error": message}
    try:
        send_mail(subject=subject, message=body, from_email=None,
                  recipient_list=[author.email], fail_silently=False)
    except Exception:  # noqa: BLE001 - mail trouble must not undo the recorded failure
        logger.exception("Could not e-mail the author of post %s", post.pk)


def posts_recover_stale(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Posts whose worker died while publishing (lease expired). Where the network
    deduplicates by key, send again with the same key; elsewhere look the post up, and
    if that is impossible ask a person to check."""
    from .platforms import get_client
    from .platforms.base import PlatformError

    now = now or timezone.now()
    counts = {"requeued": 0, "published": 0, "needs_check": 0}
    stale = list(ScheduledPost.objects.filter(status=PostStatus.PUBLISHING,
                                              lease_until__lt=now)
                 .select_related("channel", "entity", "author"))
    for post in stale:
        # Take the stale claim over atomically, so two sweeps do not both act on it.
        taken = ScheduledPost.objects.filter(pk=post.pk, status=PostStatus.PUBLISHING,
                                             lease_until=post.lease_until).update(
            lease_until=now + PUBLISH_LEASE)
        if taken != 1:
            continue
        existing = None
        if _needs_duplicate_check(post):
            try:
                existing = _find_existing(get_client(post.channel), post)
            except PlatformError:
                existing = UNKNOWN
            if existing is UNKNOWN:
                _mark_needs_check(post, now, _(
                    "The worker stopped while publishing and this network cannot be asked "
                    "whether the post arrived; check the account before publishing again."))
                counts["needs_check"] += 1
                continue
            if existing is not None:
                _mark_published(post, existing)
                counts["published"] += 1
                continue
        ScheduledPost.objects.filter(pk=post.pk).update(
            status=PostStatus.SCHEDULED, lease_until=None, retry_after=None, updated_at=now)
        counts["requeued"] += 1
    return counts


def due_post_ids(*, now: datetime.datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(ScheduledPost.objects.filter(
        status=PostStatus.SCHEDULED, scheduled_at__lte=now, approved_at__isnull=False)
        .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
        .order_by("scheduled_at").values_list("pk", flat=True)[:limit])
