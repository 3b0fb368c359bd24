"""Step 8: the editorial calendar. Scheduled posts per channel, their media (with the
alternative text and captions government content must carry), recurring series, weekly
frequency targets per channel and the revocable iCal feed token.

Times are stored in UTC and shown in the entity's time zone (`Entity.timezone`).
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CalendarFeed", "PostMedia", "PostingTarget", "RecurringPost", "ScheduledPost"]


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    SCHEDULED = "scheduled", _("Approved and scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    NEEDS_CHECK = "needs_check", _("Check on the network")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses whose post still counts as planned presence on its day.
PLANNED_STATUSES = (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.SCHEDULED,
                    PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.NEEDS_CHECK)
#: Statuses whose text and time may still be changed by a planner.
EDITABLE_STATUSES = (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.SCHEDULED,
                     PostStatus.FAILED)


WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")


class ScheduledPostQuerySet(models.QuerySet):
    def for_entity(self, entity):
        return self.filter(entity=entity)


class ScheduledPost(models.Model):
    """One post planned on one channel at one moment, approved before it is published.

    Delivery is this row: the worker claims it (scheduled → publishing, with a lease),
    sends it with `idempotency_key`, and records the network's id and link.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="scheduled_posts", verbose_name=_("entity"))
    channel = models.ForeignKey("channels_app.Channel", on_delete=models.CASCADE,
                                related_name="scheduled_posts", verbose_name=_("channel"))
    objective = models.ForeignKey("strategy.Objective", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="scheduled_posts",
                                  verbose_name=_("objective"))
    campaign = models.ForeignKey(
        "strategy.PlanActivity", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="scheduled_posts", verbose_name=_("campaign or plan activity"))
    recurrence = models.ForeignKey("channels_app.RecurringPost", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="occurrences",
                                   verbose_name=_("recurring series"))
    text = models.TextField(_("text"), max_length=63206)
    link = models.URLField(_("link"), max_length=500, blank=True)
    scheduled_at = models.DateTimeField(_("publish at"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=PostStatus.choices,
                              default=PostStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    review_note = models.TextField(_("reviewer's note"), max_length=2000, blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True,
                                       editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    retry_after = models.DateTimeField(_("retry after"), null=True, blank=True)
    attempt_started_at = models.DateTimeField(_("last attempt started"), null=True,
                                              blank=True)
    error = models.TextField(_("last error"), blank=True)
    error_unknown = models.BooleanField(
        _("last attempt's outcome unknown"), default=False,
        help_text=_("The last failure may have happened after the network accepted the post."))
    external_id = models.CharField(_("id on the network"), max_length=200, blank=True)
    external_url = models.URLField(_("link on the network"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScheduledPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheduled post")
        verbose_name_plural = _("scheduled posts")
        ordering = ["scheduled_at", "pk"]
        indexes = [models.Index(fields=["status", "scheduled_at"],
                                name="channels_app_post_due_idx")]
        constraints = [
            # A recurring series creates at most one occurrence per moment, even when the
            # materializer runs twice at once.
            models.UniqueConstraint(fields=["recurrence", "scheduled_at"],
                                    condition=models.Q(recurrence__isnull=False),
                                    name="%(app_label)s_%(class)s_one_per_occurrence"),
        ]

    def __str__(self):
        return f"{self.channel} · {self.scheduled_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def full_text(self) -> str:
        """What goes to the network: the text and, if not already in it, the link."""
        if self.link and self.link not in self.text:
            return f"{self.text.rstrip()}\n{self.link}"
        return self.text


class PostMedia(models.Model):
    """An image (alternative text required) or a video (captions required) of a post."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(ScheduledPost, on_delete=models.CASCADE, related_name="media",
                             verbose_name=_("post"))
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind.choices)
    url = models.URLField(_("file address"), max_length=500)
    alt_text = models.CharField(
        _("alternative text"), max_length=1500, blank=True,
        help_text=_("Describe the image for people who cannot see it. Required for images."))
    captions_url = models.URLField(
        _("captions file (WebVTT or SRT)"), max_length=500, blank=True,
        help_text=_("Required for videos: government content must be accessible."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("post media")
        verbose_name_plural = _("post media")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.url}"


class RecurringPost(models.Model):
    """Recurring content, e.g. a weekly post with the service hours. Approving the series
    approves every occurrence it creates; editing it sends it back for approval."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="recurring_posts", verbose_name=_("entity"))
    channel = models.ForeignKey("channels_app.Channel", on_delete=models.CASCADE,
                                related_name="recurring_posts", verbose_name=_("channel"))
    objective = models.ForeignKey("strategy.Objective", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("objective"))
    title = models.CharField(_("name of the series"), max_length=200)
    text = models.TextField(_("text"), max_length=63206)
    link = models.URLField(_("link"), max_length=500, blank=True)
    weekdays = models.JSONField(
        _("weekdays"), default=list,
        help_text=_("Days of the week it is published (0 = Monday … 6 = Sunday)."))
    every_weeks = models.PositiveSmallIntegerField(
        _("every how many weeks"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)])
    time_of_day = models.TimeField(_("time (entity's time zone)"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring post")
        verbose_name_plural = _("recurring posts")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def weekday_names(self) -> list[str]:
        names = dict(WEEKDAYS)
        return [str(names[d]) for d in self.weekdays if d in names]

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class PostingTarget(models.Model):
    """How many posts a week the plan expects on a channel (the coverage view's yardstick)."""

    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="posting_targets", verbose_name=_("entity"))
    channel = models.OneToOneField("channels_app.Channel", on_delete=models.CASCADE,
                                   related_name="posting_target", verbose_name=_("channel"))
    posts_per_week = models.PositiveSmallIntegerField(
        _("posts per week"), default=3, validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("posting frequency target")
        verbose_name_plural = _("posting frequency targets")

    def __str__(self):
        return f"{self.channel}: {self.posts_per_week}/sem"


def new_feed_token() -> str:
    # 256 bits of randomness: the URL itself is the credential.
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private iCal address of the entity's calendar. Revoking changes the token."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="calendar_feeds", verbose_name=_("entity"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="calendar_feeds", verbose_name=_("user"))
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["entity", "user"],
                                    name="%(app_label)s_%(class)s_one_per_member"),
        ]

    def __str__(self):
        return f"{self.user} · {self.entity}"
