"""Step 5 of the guideline: the governance plan (who does what, how fast, what to answer).

Every row belongs to one entity; public ids (UUIDs) go in URLs and the API.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from strategy.choices import Role

from .choices import (
    ApprovalKind,
    ApprovalStatus,
    AreaKind,
    Clock,
    MentionCategory,
    PqrsdType,
    RaciLetter,
    RiskKind,
    RiskStatus,
    TemplateStatus,
    Urgency,
)


class EntityOwned(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="+", verbose_name=_("entity"))

    class Meta:
        abstract = True


class ProtocolSettings(models.Model):
    """One per entity: service hours, PQRSD rules and crisis contacts."""

    entity = models.OneToOneField("strategy.Entity", on_delete=models.CASCADE,
                                  related_name="protocol_settings", verbose_name=_("entity"))
    service_start = models.TimeField(_("service hours start"), default=datetime.time(8, 0))
    service_end = models.TimeField(_("service hours end"), default=datetime.time(17, 0))
    petition_criteria = models.TextField(
        _("when a message is a formal petition"), blank=True,
        help_text=_("How a message on a channel that accepts PQRSD is judged to be a formal "
                    "petition (for example: it asks the entity for something and identifies "
                    "the person)."))
    pqrsd_channels_notice = models.TextField(
        _("notice to citizens about PQRSD channels"), blank=True,
        help_text=_("What citizens are told about which channels accept PQRSD."))
    out_of_competence_message = models.TextField(
        _("message for requests outside the entity's competence"), blank=True,
        help_text=_("Tells the citizen the request is forwarded to the competent authority "
                    "(Ley 1755 de 2015, art. 21)."))
    digital_task_force_contact = models.CharField(
        _("national government digital task force contact"), max_length=300, blank=True,
        help_text=_("Leave empty if the entity does not use it."))
    queja_days = models.PositiveSmallIntegerField(
        _("business days to answer a queja"), default=15,
        validators=[MinValueValidator(1), MaxValueValidator(15)])
    reclamo_days = models.PositiveSmallIntegerField(
        _("business days to answer a reclamo"), default=15,
        validators=[MinValueValidator(1), MaxValueValidator(15)])
    sugerencia_days = models.PositiveSmallIntegerField(
        _("business days to answer a suggestion"), default=15,
        validators=[MinValueValidator(1), MaxValueValidator(15)])
    denuncia_days = models.PositiveSmallIntegerField(
        _("business days to answer a denuncia"), default=15,
        validators=[MinValueValidator(1), MaxValueValidator(15)])

    class Meta:
        verbose_name = _("protocol settings")
        verbose_name_plural = _("protocol settings")

    def __str__(self):
        return str(_("Protocol settings of %(entity)s") % {"entity": self.entity})

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.service_start and self.service_end and self.service_start >= self.service_end:
            raise ValidationError({"service_end": _("Service hours must end after they start.")})


class NonWorkingDay(EntityOwned):
    """A day the entity declared non-working (besides weekends and national holidays)."""

    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("non-working day")
        verbose_name_plural = _("non-working days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["entity", "date"],
                                               name="%(app_label)s_%(class)s_one_per_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}"


class Area(EntityOwned):
    """A column of the RACI matrix: top management, an office or area, a role, an outsider."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        pgettext_lazy("protocols", "kind"), max_length=20, choices=AreaKind.choices,
        default=AreaKind.AREA)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("area or role")
        verbose_name_plural = _("areas and roles")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["entity", "name"],
                                               name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self):
        return self.name


class RaciActivity(EntityOwned):
    """A row of the RACI matrix."""

    name = models.CharField(_("activity"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("RACI activity")
        verbose_name_plural = _("RACI activities")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["entity", "name"],
                                               name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self):
        return self.name


class RaciAssignment(models.Model):
    """One cell of the RACI matrix: the letter of an area for an activity."""

    activity = models.ForeignKey(RaciActivity, on_delete=models.CASCADE,
                                 related_name="assignments", verbose_name=_("activity"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("area or role"))
    letter = models.CharField(_("letter"), max_length=1, choices=RaciLetter.choices)

    class Meta:
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        constraints = [models.UniqueConstraint(fields=["activity", "area"],
                                               name="%(app_label)s_%(class)s_one_per_cell")]

    def __str__(self):
        return f"{self.activity} · {self.area}: {self.letter}"


class ResponseSla(EntityOwned):
    """A first-response target. Empty network, category or urgency means "any"."""

    platform = models.CharField(_("network"), max_length=20, blank=True,
                                help_text=_("Empty: every network."))
    category = models.CharField(_("category"), max_length=20, blank=True,
                                choices=MentionCategory.choices,
                                help_text=_("Empty: every category."))
    urgency = models.CharField(_("urgency"), max_length=10, blank=True, choices=Urgency.choices,
                               help_text=_("Empty: every urgency."))
    target_hours = models.DecimalField(
        _("first response within (hours)"), max_digits=6, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1"))])
    clock = models.CharField(_("counted in"), max_length=10, choices=Clock.choices,
                             default=Clock.BUSINESS)

    class Meta:
        verbose_name = _("response target")
        verbose_name_plural = _("response targets")
        ordering = ["platform", "category", "urgency"]
        constraints = [models.UniqueConstraint(
            fields=["entity", "platform", "category", "urgency"],
            name="%(app_label)s_%(class)s_unique_scope")]

    def __str__(self):
        return f"{self.platform or '*'}/{self.category or '*'}/{self.urgency or '*'}: " \
               f"{self.target_hours} h"


class EscalationRule(EntityOwned):
    """Ordered rule: when every condition given matches a mention, the actions apply.

    Empty conditions mean "any". Keywords match when any of them appears in the text.
    """

    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    pqrsd_types = models.JSONField(_("PQRSD types"), default=list, blank=True)
    urgencies = models.JSONField(_("urgencies"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    min_followers = models.PositiveIntegerField(_("author with at least this many followers"),
                                                null=True, blank=True)
    platforms = models.JSONField(_("networks"), default=list, blank=True)
    channel = models.ForeignKey("channels_app.Channel", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("channel"))
    assign_area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("assign to area"))
    assign_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("assign to person"))
    require_approval_role = models.CharField(_("require approval from"), max_length=32,
                                             blank=True, choices=Role.choices)
    notify_roles = models.JSONField(_("notify"), default=list, blank=True)
    crisis_candidate = models.BooleanField(_("mark as crisis candidate"), default=False)
    stop_processing = models.BooleanField(
        _("stop here"), default=False,
        help_text=_("When this rule fires, the rules after it are not evaluated."))

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class ApprovalRule(EntityOwned):
    """Which replies need approval and from which role. Empty conditions mean "any"."""

    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    urgencies = models.JSONField(_("urgencies"), default=list, blank=True)
    min_followers = models.PositiveIntegerField(_("author with at least this many followers"),
                                                null=True, blank=True)
    escalation_rule = models.ForeignKey(EscalationRule, null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="+",
                                        verbose_name=_("when this escalation rule fires"))
    required_role = models.CharField(_("approved by"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class ResponseTemplate(EntityOwned):
    """A pre-approved answer for a foreseeable complaint. Its text lives in versions."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("foreseeable complaint"), max_length=150,
                                help_text=_("For example: delays in a procedure, billing."))
    pqrsd_type = models.CharField(_("PQRSD type"), max_length=20, blank=True,
                                  choices=PqrsdType.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["category", "title"]
        constraints = [models.UniqueConstraint(fields=["entity", "title"],
                                               name="%(app_label)s_%(class)s_unique_title")]

    def __str__(self):
        return self.title

    @property
    def approved_version(self):
        return (self.versions.filter(status=TemplateStatus.APPROVED)
                .order_by("-number").first())


class TemplateVersion(models.Model):
    """One wording of a template; approved by someone on a date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.ForeignKey(ResponseTemplate, on_delete=models.CASCADE,
                                 related_name="versions", verbose_name=_("template"))
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    short_body = models.CharField(_("short text for length-limited networks"), max_length=280,
                                  blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TemplateStatus.choices,
                              default=TemplateStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("written by"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"],
                                               name="%(app_label)s_%(class)s_unique_number")]

    def __str__(self):
        return f"{self.template} v{self.number}"


class ApprovalRequest(EntityOwned):
    """Something waiting for an approver: a template version now, replies from the inbox."""

    kind = models.CharField(
        pgettext_lazy("protocols", "kind"), max_length=20, choices=ApprovalKind.choices)
    object_ref = models.CharField(_("object"), max_length=64,
                                  help_text=_("Public id of the object to approve."))
    summary = models.TextField(_("summary"))
    required_role = models.CharField(_("approved by"), max_length=32, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(
            fields=["entity", "kind", "object_ref"], condition=models.Q(status="pending"),
            name="%(app_label)s_%(class)s_one_pending_per_object")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary[:60]}"


class Risk(EntityOwned):
    """A row of the risk register."""

    kind = models.CharField(
        pgettext_lazy("protocols", "kind"), max_length=20, choices=RiskKind.choices)
    title = models.CharField(_("risk"), max_length=200)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    impact = models.PositiveSmallIntegerField(
        _("impact (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    owner = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("owner"))
    mitigation = models.TextField(_("mitigation"))
    status = models.CharField(_("status"), max_length=10, choices=RiskStatus.choices,
                              default=RiskStatus.OPEN)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-likelihood", "-impact", "title"]

    def __str__(self):
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class CrisisLevel(EntityOwned):
    """A level of the crisis protocol: when it applies, who is called, what is said."""

    level = models.PositiveSmallIntegerField(_("level"),
                                             validators=[MinValueValidator(1),
                                                         MaxValueValidator(5)])
    name = models.CharField(_("name"), max_length=100)
    trigger = models.TextField(_("when it applies"))
    who_is_called = models.TextField(_("who is called"))
    call_digital_task_force = models.BooleanField(
        _("call the national government's digital task force"), default=False)
    holding_statement = models.TextField(_("holding statement"))
    checklist = models.TextField(_("checklist"), help_text=_("One step per line."))

    class Meta:
        verbose_name = _("crisis level")
        verbose_name_plural = _("crisis levels")
        ordering = ["level"]
        constraints = [models.UniqueConstraint(fields=["entity", "level"],
                                               name="%(app_label)s_%(class)s_unique_level")]

    def __str__(self):
        return f"{self.level}. {self.name}"

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class ChannelPqrsdPolicy(EntityOwned):
    """Whether a channel accepts PQRSD (citizens must be told which ones do)."""

    channel = models.OneToOneField("channels_app.Channel", on_delete=models.CASCADE,
                                   related_name="pqrsd_policy", verbose_name=_("channel"))
    accepts_pqrsd = models.BooleanField(_("accepts PQRSD"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("PQRSD channel policy")
        verbose_name_plural = _("PQRSD channel policies")

    def __str__(self):
        return str(self.channel)


class AccountCustody(EntityOwned):
    """Who holds access to an official account and how it is protected."""

    channel = models.OneToOneField("channels_app.Channel", on_delete=models.CASCADE,
                                   related_name="custody", verbose_name=_("account"))
    custodian = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("custodian"))
    custodian_name = models.CharField(_("custodian (if not a user)"), max_length=200,
                                      blank=True)
    recovery_email = models.EmailField(_("recovery e-mail"))
    two_factor_enabled = models.BooleanField(_("two-factor authentication on the platform"),
                                             default=False)
    last_rotation = models.DateField(_("last credential rotation"), null=True, blank=True)
    handover = models.JSONField(_("hand-over checklist"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("account custody")
        verbose_name_plural = _("account custody")

    def __str__(self):
        return str(self.channel)


from .habeas_models import *  # noqa: E402,F401,F403
