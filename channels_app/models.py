import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategy.fields import EncryptedTextField

from .choices import ChannelStatus, Platform


class ChannelQuerySet(models.QuerySet):
    def for_entity(self, entity):
        return self.filter(entity=entity)


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

    objects = ChannelQuerySet.as_manager()

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
