"""Step 6 of the guideline: what citizens write reaches the queue quickly, once, and classified.

Uniqueness decisions (see docs/operations.md):
- `Author` and `Mention` are unique per (entity, platform, external id), not globally. The same
  public post can concern two entities (a listening query of each, or a post tagging both);
  each entity keeps its own copy, classification, corrections and case, and no entity ever sees
  another's flags or notes about a citizen (habeas data, Ley 1581 de 2012: each entity holds only
  the personal data it processed). Within an entity a repeated delivery changes nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    ACTIVE_CASE_STATUSES,
    CaseStatus,
    Category,
    DeliveryStatus,
    MentionSource,
    PollKind,
    PqrsdType,
    Urgency,
    WebhookSource,
)


class ListeningQuery(models.Model):
    """Step 7: keywords the entity listens for beyond its own mentions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="listening_queries", verbose_name=_("entity"))
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(_("search terms"), max_length=500,
                             help_text=_("Words or phrases searched on each selected network."))
    platforms = models.JSONField(
        _("networks"), default=list, blank=True,
        help_text=_("Networks searched (x, mastodon, bluesky, youtube…); empty means every "
                    "network where the entity has an active channel."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("listening query")
        verbose_name_plural = _("listening queries")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"],
                                    name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self):
        return self.name


class Author(models.Model):
    """Who wrote a mention, as the network describes them, as seen by one entity."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="authors", verbose_name=_("entity"))
    platform = models.CharField(_("network"), max_length=20)
    external_id = models.CharField(_("id on the network"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    account_created_at = models.DateTimeField(_("account created"), null=True, blank=True)
    profile_url = models.URLField(_("profile address"), max_length=500, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    is_suspected_troll = models.BooleanField(_("suspected troll"), default=False)
    is_suspected_fake = models.BooleanField(_("suspected fake account"), default=False)
    flag_reasons = models.JSONField(_("why flagged"), default=list, blank=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.UniqueConstraint(fields=["entity", "platform", "external_id"],
                                    name="%(app_label)s_%(class)s_unique_external_id"),
        ]

    def __str__(self):
        return f"@{self.handle}" if self.handle else self.name or self.external_id

    @property
    def is_flagged(self) -> bool:
        return self.is_suspected_troll or self.is_suspected_fake


class Case(models.Model):
    """A complaint or question in the queue: one per author and thread while it is active."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="cases", verbose_name=_("entity"))
    channel = models.ForeignKey("channels_app.Channel", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cases",
                                verbose_name=_("channel"))
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="cases",
                               verbose_name=_("author"))
    platform = models.CharField(_("network"), max_length=20)
    thread_key = models.CharField(_("conversation"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    pqrsd_type = models.CharField(_("PQRSD type"), max_length=20, choices=PqrsdType.choices,
                                  default=PqrsdType.NONE)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    first_response_due = models.DateTimeField(_("first response due"))
    legal_due = models.DateField(_("legal deadline"), null=True, blank=True)
    escalation_matches = models.JSONField(_("escalation rules matched"), default=list,
                                          blank=True)
    approval_role = models.CharField(_("approval required from"), max_length=32, blank=True)
    is_crisis_candidate = models.BooleanField(_("crisis candidate"), default=False)
    author_flagged = models.BooleanField(
        _("author flagged"), default=False,
        help_text=_("The author is a suspected troll or fake account. The case is kept."))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_cases",
                                 verbose_name=_("assigned to"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["first_response_due"]
        constraints = [
            # Two workers ingesting the same thread must not open two cases (Python checks
            # alone lose the race): the loser of the insert joins the winner's case.
            models.UniqueConstraint(
                fields=["entity", "author", "thread_key"],
                condition=Q(status__in=ACTIVE_CASE_STATUSES),
                name="%(app_label)s_%(class)s_one_active_per_author_thread",
            ),
        ]
        indexes = [
            # The inbox: an entity's active cases by deadline, filtered by status/urgency.
            models.Index(fields=["entity", "status", "first_response_due"],
                         name="monitoring_case_queue_idx"),
            models.Index(fields=["entity", "assignee", "status"],
                         name="monitoring_case_assignee_idx"),
            # The inbox's first page: active cases of one entity in deadline order, read
            # straight from this partial index without sorting the whole queue.
            models.Index(fields=["entity", "first_response_due"],
                         condition=Q(status__in=ACTIVE_CASE_STATUSES),
                         name="monitoring_case_active_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.author} · {self.opened_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_CASE_STATUSES


class Mention(models.Model):
    """One post, comment or reply from any network, normalised; the raw payload is kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="mentions", verbose_name=_("entity"))
    channel = models.ForeignKey("channels_app.Channel", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="mentions",
                                verbose_name=_("channel"))
    listening_query = models.ForeignKey(ListeningQuery, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="mentions",
                                        verbose_name=_("listening query"))
    platform = models.CharField(_("network"), max_length=20)
    external_id = models.CharField(_("id on the network"), max_length=200)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="mentions",
                               verbose_name=_("author"))
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("published"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    in_reply_to_external_id = models.CharField(_("in reply to (id on the network)"),
                                               max_length=200, blank=True)
    in_reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replies", verbose_name=_("in reply to"))
    thread_key = models.CharField(_("conversation"), max_length=300)
    source = models.CharField(_("source"), max_length=20, choices=MentionSource.choices)
    is_own = models.BooleanField(
        _("written by the entity"), default=False,
        help_text=_("Posted by the entity's own account (kept for the thread, never queued)."))
    raw = models.JSONField(_("payload as received"), default=dict, blank=True)
    label = models.CharField(_("category"), max_length=20, choices=Category.choices,
                             blank=True)
    pqrsd_type = models.CharField(_("PQRSD type"), max_length=20, choices=PqrsdType.choices,
                                  default=PqrsdType.NONE)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    sentiment = models.FloatField(_("sentiment"), default=0.0)
    confidence = models.FloatField(_("confidence"), default=0.0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="mentions", verbose_name=_("case"))
    # Set by ingestion (stage 1), cleared by triage (stage 2: classification, flags, case).
    # db_default too: rows written by anything that does not name the column (COPY, a worker
    # still running the previous release during a deploy) are not awaiting triage.
    needs_triage = models.BooleanField(
        _("awaiting triage"), default=False, db_default=False,
        help_text=_("Stored but not yet classified or queued (for a few seconds at most)."))

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "platform", "external_id"],
                                    name="%(app_label)s_%(class)s_unique_external_id"),
        ]
        indexes = [
            # Listing and dashboards: newest first per entity, by label, per channel.
            models.Index(fields=["entity", "-received_at"], name="monitoring_mention_recv_idx"),
            models.Index(fields=["entity", "label", "-created_at"],
                         name="monitoring_mention_label_idx"),
            models.Index(fields=["entity", "platform", "thread_key"],
                         name="monitoring_mention_thread_idx"),
            # The triage sweeper's stranded mentions, oldest first. Partial: only the few
            # rows awaiting triage are in it, not the millions already triaged.
            models.Index(fields=["received_at"], condition=Q(needs_triage=True),
                         name="monitoring_mention_triage_idx"),
        ]

    def __str__(self):
        return f"{self.platform}:{self.external_id}"


class PollState(models.Model):
    """The cursor and health of one polled source: a channel, or a listening query on a channel.

    The cursor only moves in the transaction that commits the mentions it covers. `lease_until`
    makes one poll per source at a time: a poller claims it with a conditional UPDATE.
    """

    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="poll_states", verbose_name=_("entity"))
    kind = models.CharField(_("kind"), max_length=20, choices=PollKind.choices)
    channel = models.ForeignKey("channels_app.Channel", on_delete=models.CASCADE,
                                related_name="poll_states", verbose_name=_("channel"))
    listening_query = models.ForeignKey(ListeningQuery, null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="poll_states",
                                        verbose_name=_("listening query"))
    cursor = models.TextField(_("cursor"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_fetched = models.PositiveIntegerField(_("mentions in the last batch"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    not_before = models.DateTimeField(
        _("paused until"), null=True, blank=True,
        help_text=_("Set by a rate limit (429) or the back-off after failures."))
    next_due_at = models.DateTimeField(_("next poll due"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    lease_token = models.CharField(_("lease holder"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("poll state")
        verbose_name_plural = _("poll states")
        constraints = [
            models.UniqueConstraint(
                fields=["channel"], condition=Q(listening_query__isnull=True),
                name="%(app_label)s_%(class)s_one_per_channel"),
            models.UniqueConstraint(
                fields=["listening_query", "channel"],
                condition=Q(listening_query__isnull=False),
                name="%(app_label)s_%(class)s_one_per_query_channel"),
        ]

    def __str__(self):
        if self.listening_query_id:
            return f"{self.listening_query} · {self.channel}"
        return str(self.channel)


class WebhookDelivery(models.Model):
    """A pushed delivery, stored verbatim before processing (only after its signature passed).

    `body_sha256` is unique: a delivery repeated by the network (or replayed) changes nothing.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=WebhookSource.choices)
    entity = models.ForeignKey("strategy.Entity", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="webhook_deliveries",
                               verbose_name=_("entity"))
    body = models.BinaryField(_("raw body"))
    body_sha256 = models.CharField(_("SHA-256 of the body"), max_length=64, unique=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.RECEIVED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    mentions_created = models.PositiveIntegerField(_("new mentions"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"],
                                name="monitoring_delivery_status_idx")]

    def __str__(self):
        return f"{self.get_source_display()} {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")


class ClassificationCorrection(models.Model):
    """A community manager's correction of the classifier; the retrain task learns from it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="classification_corrections",
                               verbose_name=_("entity"))
    mention = models.ForeignKey(Mention, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="corrections", verbose_name=_("mention"))
    text = models.TextField(_("text"))
    label = models.CharField(_("category"), max_length=20, choices=Category.choices)
    pqrsd_type = models.CharField(_("PQRSD type"), max_length=20, choices=PqrsdType.choices,
                                  default=PqrsdType.NONE)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    previous = models.JSONField(_("previous classification"), default=dict, blank=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("corrected by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("classification correction")
        verbose_name_plural = _("classification corrections")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_label_display()}: {self.text[:60]}"


from .dashboard_models import *  # noqa: E402,F401,F403
from .inbox_models import *  # noqa: E402,F401,F403
