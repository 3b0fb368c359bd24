"""API tokens and outgoing webhooks: how an entity connects its own systems (issue 9)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write (plan, protocols, channels)")
    CASES = "cases", _("Work on cases")


class WebhookEvent(models.TextChoices):
    CASE_OPENED = "case.opened", _("Case opened")
    PQRSD_REGISTERED = "pqrsd.registered", _("PQRSD registered")
    REPLY_PUBLISHED = "reply.published", _("Reply published")
    SLA_BREACHED = "sla.breached", _("SLA breached")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class ApiToken(models.Model):
    """A bearer token for the REST API, bound to one entity and acting as its creator.

    Only a SHA-256 hash is stored; the token is shown once, when created.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="api_tokens", verbose_name=_("entity"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("acts as"))
    name = models.CharField(_("name"), max_length=120,
                            help_text=_("Who uses it, e.g. 'Gestor documental'."))
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"))
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and timezone.now() < self.expires_at


class WebhookEndpoint(models.Model):
    """A URL of the entity's own system that receives signed event notifications."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="webhook_endpoints", verbose_name=_("entity"))
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(_("signing secret"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self):
        return self.url


class WebhookEventDelivery(models.Model):
    """One event sent (or to send) to one endpoint: delivery is a row, with its attempts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries", verbose_name=_("endpoint"))
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"))
    state = models.CharField(_("state"), max_length=12, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"],
                                name="strategy_webhook_due_idx")]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
