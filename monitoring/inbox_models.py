"""The complaint inbox (issue 6): replies, notes, tags, outcomes, radicados, presence, sweeps.

These models hang off `Case` (monitoring/models.py, the pipeline's) without changing it:
everything the inbox adds is a row of its own, so the queue keeps working without the inbox.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .inbox_choices import OutcomeKind, PresenceActivity, ReplyStatus, SlaNoticeKind

__all__ = [
    "CaseNote", "CaseOutcome", "CasePresence", "CaseTag", "InboxSettings",
    "NotificationPreference", "PqrsdRegistration", "RadicadoCounter", "Reply", "SlaNotice",
]


class InboxSettings(models.Model):
    """One per entity: who may reply, and when an untouched claim returns to the queue."""

    entity = models.OneToOneField("strategy.Entity", on_delete=models.CASCADE,
                                  related_name="inbox_settings", verbose_name=_("entity"))
    only_assignee_replies = models.BooleanField(
        _("only the assignee may reply"), default=False,
        help_text=_("When on, only the person a case is assigned to can write its reply."))
    claim_timeout_minutes = models.PositiveIntegerField(
        _("minutes before an untouched claim returns to the queue"), default=60)
    warn_before_minutes = models.PositiveIntegerField(
        _("minutes before a deadline to warn the assignee"), default=60)

    class Meta:
        verbose_name = _("inbox settings")
        verbose_name_plural = _("inbox settings")

    def __str__(self):
        return str(_("Inbox settings of %(entity)s") % {"entity": self.entity})


class Reply(models.Model):
    """An answer to a citizen. Delivery is this row: written before the network is called,
    then status, attempts, error and retry_after record what happened."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="replies", verbose_name=_("entity"))
    case = models.ForeignKey("monitoring.Case", on_delete=models.CASCADE,
                             related_name="replies", verbose_name=_("case"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("written by"))
    text = models.TextField(_("text"), blank=True)
    template = models.ForeignKey("protocols.ResponseTemplate", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("template"))
    status = models.CharField(_("status"), max_length=20, choices=ReplyStatus.choices,
                              default=ReplyStatus.DRAFT)
    in_reply_to_external_id = models.CharField(_("answers (id on the network)"),
                                               max_length=200, blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True,
                                       editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    retry_after = models.DateTimeField(_("retry after"), null=True, blank=True)
    external_id = models.CharField(_("id on the network"), max_length=200, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    approval_ref = models.CharField(_("approval request"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]
        constraints = [
            # Autosave finds "my draft on this case": never two of them.
            models.UniqueConstraint(fields=["case", "author"], condition=Q(status="draft"),
                                    name="%(app_label)s_%(class)s_one_draft_per_author"),
        ]
        indexes = [models.Index(fields=["status", "retry_after"],
                                name="monitoring_reply_status_idx")]

    def __str__(self):
        return f"{self.get_status_display()}: {self.text[:60]}"


class CaseNote(models.Model):
    """An internal note on a case; never sent to the citizen."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("monitoring.Case", on_delete=models.CASCADE, related_name="notes",
                             verbose_name=_("case"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("written by"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class CaseTag(models.Model):
    case = models.ForeignKey("monitoring.Case", on_delete=models.CASCADE, related_name="tags",
                             verbose_name=_("case"))
    name = models.CharField(_("tag"), max_length=50)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["case", "name"],
                                               name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self):
        return self.name


class CaseOutcome(models.Model):
    """What was decided on a case: escalated, transferred, merged, spam, closed, reopened…"""

    case = models.ForeignKey("monitoring.Case", on_delete=models.CASCADE,
                             related_name="outcomes", verbose_name=_("case"))
    kind = models.CharField(_("outcome"), max_length=20, choices=OutcomeKind.choices)
    note = models.TextField(_("reason or resolution"), blank=True)
    area = models.ForeignKey("protocols.Area", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("area"))
    target = models.CharField(_("competent entity"), max_length=300, blank=True)
    merged_into = models.ForeignKey("monitoring.Case", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="merged_cases",
                                    verbose_name=_("merged into"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("case outcome")
        verbose_name_plural = _("case outcomes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.get_kind_display()


class RadicadoCounter(models.Model):
    """The per-entity, per-year sequence of radicado numbers, locked with SELECT FOR UPDATE
    so numbers have no gaps and no repeats (a failed registration rolls the increment back)."""

    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("entity"))
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("radicado sequence")
        verbose_name_plural = _("radicado sequences")
        constraints = [models.UniqueConstraint(fields=["entity", "year"],
                                               name="%(app_label)s_%(class)s_one_per_year")]

    def __str__(self):
        return f"{self.entity_id}/{self.year}: {self.last_number}"


class PqrsdRegistration(models.Model):
    """A message registered as a formal PQRSD (Ley 1755 de 2015): its radicado and terms."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("entity"))
    case = models.OneToOneField("monitoring.Case", on_delete=models.CASCADE,
                                related_name="pqrsd", verbose_name=_("case"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    radicado = models.CharField(_("radicado"), max_length=40)
    pqrsd_type = models.CharField(_("PQRSD type"), max_length=20)
    received_at = models.DateTimeField(_("received"))
    legal_due = models.DateField(_("legal deadline"))
    original_due = models.DateField(_("original legal deadline"))
    extension_limit = models.DateField(_("latest deadline after an extension"), null=True,
                                       blank=True)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    extension_reason = models.TextField(_("reasons for the extension"), blank=True)
    transfer_due = models.DateField(_("transfer deadline"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("registered by"))
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("PQRSD registration")
        verbose_name_plural = _("PQRSD registrations")
        constraints = [
            models.UniqueConstraint(fields=["entity", "year", "number"],
                                    name="%(app_label)s_%(class)s_one_radicado"),
        ]

    def __str__(self):
        return self.radicado


class CasePresence(models.Model):
    """Who has a case open right now (heartbeat every few seconds), and whether drafting."""

    case = models.ForeignKey("monitoring.Case", on_delete=models.CASCADE,
                             related_name="presences", verbose_name=_("case"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("person"))
    activity = models.CharField(_("activity"), max_length=10, choices=PresenceActivity.choices,
                                default=PresenceActivity.VIEWING)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("presence on a case")
        verbose_name_plural = _("presence on cases")
        constraints = [models.UniqueConstraint(fields=["case", "user"],
                                               name="%(app_label)s_%(class)s_one_per_user")]

    def __str__(self):
        return f"{self.user_id} {self.activity}"


class NotificationPreference(models.Model):
    """Per user and entity: which inbox e-mails they receive."""

    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("entity"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("person"))
    email_deadline_warnings = models.BooleanField(
        _("e-mail me before a deadline of my cases"), default=True)
    email_escalations = models.BooleanField(
        _("e-mail me when a case is escalated to me after its deadline"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["entity", "user"],
                                               name="%(app_label)s_%(class)s_one_per_member")]

    def __str__(self):
        return f"{self.user_id}@{self.entity_id}"


class SlaNotice(models.Model):
    """A warning or escalation the sweep sent; unique so a sweep run twice sends nothing new."""

    case = models.ForeignKey("monitoring.Case", on_delete=models.CASCADE,
                             related_name="sla_notices", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=SlaNoticeKind.choices)
    deadline = models.DateTimeField(_("deadline"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")
        constraints = [models.UniqueConstraint(fields=["case", "kind", "deadline"],
                                               name="%(app_label)s_%(class)s_once")]

    def __str__(self):
        return f"{self.kind} {self.deadline:%Y-%m-%d %H:%M}"
