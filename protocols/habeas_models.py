"""Data protection (Ley 1581 de 2012): the retention policy and citizens' habeas-data requests.

* Retention (art. 4 lit. d, "principio de finalidad", and art. 11 of Decreto 1377 de 2013,
  now Decreto 1074 de 2015 art. 2.2.2.25.2.8): personal data is kept only as long as the
  purpose needs it. Each entity sets how many months mentions and authors are kept (default
  24) and whether older ones are anonymised (statistics survive) or purged.
* Consultas (art. 14): the citizen asks what data the entity holds about them. Answer within
  10 business days, extendable once by at most 5 business days after the first term ends,
  telling the citizen why.
* Reclamos (art. 15): the citizen asks for a correction, an update or the suppression of their
  data. Answer within 15 business days, extendable once by at most 8 business days after the
  first term ends. Meanwhile the data carries the legend "reclamo en trámite" (art. 15 num. 2)
  and the retention purge leaves it alone until the claim is decided.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionAction(models.TextChoices):
    ANONYMIZE = "anonymize", _("Anonymise (keep the statistics, remove the person)")
    PURGE = "purge", _("Delete the mentions and authors")


class HabeasKind(models.TextChoices):
    CONSULTA = "consulta", _("Inquiry (consulta): what data do you hold about me?")
    RECLAMO = "reclamo", _("Claim (reclamo): correct or delete my data")


class ReclamoType(models.TextChoices):
    CORRECTION = "correction", _("Correction or update")
    SUPPRESSION = "suppression", _("Suppression (delete my data)")


class HabeasStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    ANSWERED = "answered", _("Answered")


#: Business-day terms of Ley 1581 de 2012: (first term, extension), arts. 14 and 15.
HABEAS_TERMS = {
    HabeasKind.CONSULTA: (10, 5),
    HabeasKind.RECLAMO: (15, 8),
}
DEFAULT_RETENTION_MONTHS = 24


class DataProtectionSettings(models.Model):
    """One per entity: how long personal data from the networks is kept, and what then."""

    entity = models.OneToOneField("strategy.Entity", on_delete=models.CASCADE,
                                  related_name="data_protection_settings",
                                  verbose_name=_("entity"))
    retention_months = models.PositiveSmallIntegerField(
        _("months personal data is kept"), default=DEFAULT_RETENTION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Mentions and authors older than this are anonymised or deleted every "
                    "night."))
    retention_action = models.CharField(
        _("what happens after that"), max_length=16, choices=RetentionAction.choices,
        default=RetentionAction.ANONYMIZE)
    last_purge_at = models.DateTimeField(_("last retention run"), null=True, blank=True)
    last_purge_result = models.JSONField(_("result of the last run"), default=dict,
                                         blank=True)

    class Meta:
        verbose_name = _("data protection settings")
        verbose_name_plural = _("data protection settings")

    def __str__(self):
        return str(_("Data protection of %(entity)s") % {"entity": self.entity})


class HabeasRequest(models.Model):
    """A citizen's consulta or reclamo about the data held under their handle, with its terms."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("entity"))
    kind = models.CharField(_("kind"), max_length=16, choices=HabeasKind.choices)
    reclamo_type = models.CharField(_("what the claim asks"), max_length=16,
                                    choices=ReclamoType.choices, blank=True)
    handle = models.CharField(
        _("handle on the networks"), max_length=200,
        help_text=_("The citizen's user name, with or without @, for example @juana_perez."))
    platform = models.CharField(_("network"), max_length=20, blank=True,
                                help_text=_("Leave empty to cover every network."))
    requester_name = models.CharField(_("name of the person asking"), max_length=200)
    contact = models.CharField(_("where to answer (e-mail or address)"), max_length=300)
    description = models.TextField(_("what the citizen asks"), max_length=4000, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    filed_on = models.DateField(_("filed on"))
    due_on = models.DateField(_("answer due"))
    extended_due_on = models.DateField(_("extended due date"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), max_length=2000,
                                        blank=True)
    status = models.CharField(_("status"), max_length=16, choices=HabeasStatus.choices,
                              default=HabeasStatus.OPEN)
    resolution = models.TextField(_("answer given"), max_length=4000, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("registered by"))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("habeas data request")
        verbose_name_plural = _("habeas data requests")
        ordering = ["status", "due_on"]
        indexes = [models.Index(fields=["entity", "status", "handle"],
                                name="protocols_habeas_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="consulta", reclamo_type="")
                | models.Q(kind="reclamo") & ~models.Q(reclamo_type=""),
                name="%(app_label)s_%(class)s_reclamo_has_type"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · @{self.handle}"

    @property
    def current_due_on(self):
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status == HabeasStatus.OPEN

    @property
    def claim_in_progress(self) -> bool:
        """Art. 15 num. 2: the data carries the legend "reclamo en trámite" meanwhile."""
        return self.kind == HabeasKind.RECLAMO and self.is_open

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.localdate() > self.current_due_on
