import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategy.fields import EncryptedTextField

from .choices import ChannelStatus, LaunchStep, Platform


class Channel(models.Model):
    """One official account of an entity on one network (step 3 of the guideline)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="channels", verbose_name=_("entity"))
    platform = models.CharField(_("network"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100)
    name = models.CharField(_("display name"), max_length=200, blank=True)
    url = models.URLField(_("profile address"), blank=True)
    account_id = models.CharField(_("account id on the network"), max_length=100, blank=True)
    api_base_url = models.URLField(
        _("API base address"), blank=True,
        help_text=_("Leave empty for the network's official API; tests and the sandbox "
                    "point it elsewhere."))
    access_token = EncryptedTextField(_("access token"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=ChannelStatus.choices,
                              default=ChannelStatus.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Step 3 of the plan: what the channel is for and how it looks.
    objectives = models.ManyToManyField("strategy.Objective", blank=True,
                                        related_name="channels", verbose_name=_("objectives"))
    audiences = models.ManyToManyField("strategy.Audience", blank=True,
                                       related_name="channels", verbose_name=_("audiences"))
    community_managers = models.ManyToManyField(
        "strategy.PlanPerson", blank=True, related_name="channels_covered",
        verbose_name=_("community managers"))
    has_avatar = models.BooleanField(_("avatar with the entity's logo"), default=False)
    has_banner = models.BooleanField(_("banner or cover image"), default=False)
    has_bio = models.BooleanField(_("bio describing the entity"), default=False)
    links_official_site = models.BooleanField(_("link to the official website"), default=False)
    is_verified = models.BooleanField(_("verified by the network"), default=False)
    show_on_public_page = models.BooleanField(
        _("show on the public page of official channels"), default=True)

    IDENTITY_FIELDS = ("has_avatar", "has_banner", "has_bio", "links_official_site",
                       "is_verified")

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "platform", "handle"],
                                    name="%(app_label)s_%(class)s_unique_handle"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} @{self.handle}"


class LaunchItem(models.Model):
    """Step 7: one item of the launch checklist, with its date and evidence."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="launch_items", verbose_name=_("entity"))
    step = models.CharField(_("item"), max_length=20, choices=LaunchStep.choices)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("launch item")
        verbose_name_plural = _("launch items")
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "step"],
                                    name="%(app_label)s_%(class)s_one_per_step"),
        ]

    def __str__(self):
        return self.get_step_display()

    @property
    def is_done(self) -> bool:
        return self.done_on is not None
from .calendar_models import *  # noqa: E402,F401,F403
