import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    ActivityStatus,
    EmojiPolicy,
    EntityKind,
    Horizon,
    PlanPersonRole,
    ResourceKind,
    Role,
    Sector,
)
from .validators import validate_nit

INVITATION_LIFETIME = timedelta(days=7)


class EmailUserManager(UserManager):
    """Users log in with their e-mail; `username` is kept equal to it for Django's admin."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_superuser(email, email, password, **extra_fields)


class User(AbstractUser):
    """A civil servant or contractor. One account can belong to several entities."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    last_entity = models.ForeignKey(
        "strategy.Entity", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("last entity used"),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        self.username = self.email
        super().save(*args, **kwargs)

    def __str__(self):
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.email


class EntityQuerySet(models.QuerySet):
    def for_user(self, user):
        """The tenant gate: only entities where the user holds an active membership."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user, memberships__is_active=True).distinct()


class Entity(models.Model):
    """The tenant: a Colombian public, state-owned or mixed-economy entity."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    nit = models.CharField(_("NIT"), max_length=20, unique=True, validators=[validate_nit],
                           help_text=_("With its check digit, for example 899999061-9."))
    kind = models.CharField(_("kind"), max_length=20, choices=EntityKind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices,
                              default=Sector.GOVERNMENT)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Bogota")
    website = models.URLField(_("official website"), blank=True)
    require_two_factor = models.BooleanField(
        _("two-factor authentication mandatory"), default=False,
        help_text=_("Every member must set up an authenticator app before working."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in one entity. Outsourced community managers carry their agency."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("user"))
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships",
                               verbose_name=_("entity"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    agency = models.CharField(_("agency"), max_length=200, blank=True,
                              help_text=_("For outsourced community managers."))
    channel_scope = models.JSONField(
        _("channel scope"), default=list, blank=True,
        help_text=_("Public ids of the channels this member may work on; empty means all."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "entity"],
                                    name="%(app_label)s_%(class)s_one_per_user_entity"),
        ]

    def __str__(self):
        return f"{self.user} · {self.entity} · {self.get_role_display()}"


class Invitation(models.Model):
    """A single-use, expiring invitation to join an entity with a role."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="invitations",
                               verbose_name=_("entity"))
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("accepted by"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # At most one pending invitation per person and entity.
            models.UniqueConstraint(
                Lower("email"), "entity",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_pending_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.entity}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """Append-only record of what a person (or a worker) did, with before and after.

    Rows are never updated or deleted: the queryset refuses it, `save()` refuses
    updates, and on PostgreSQL a trigger refuses it for any client (migration 0002).
    """

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="audit_events",
                               verbose_name=_("entity"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("who"))
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object"), max_length=64)
    object_repr = models.CharField(_("description"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["entity", "object_type", "object_id"],
                                name="strategy_audit_object_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


# --- The plan (the eight steps of the national guideline) -----------------------------------


def _dates_in_order(start, end, *, end_field: str, message):
    from django.core.exceptions import ValidationError

    if start and end and end < start:
        raise ValidationError({end_field: message})


class PlanQuerySet(models.QuerySet):
    def for_entity(self, entity):
        return self.filter(entity=entity)


class Plan(models.Model):
    """One plan per entity: the answers to the guideline's four questions (step 2) and
    the handle the entity chose to use on every network (step 3)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="plan",
                                  verbose_name=_("entity"))
    why_be_there = models.TextField(_("Why be on social networks?"), max_length=4000, blank=True)
    what_it_seeks = models.TextField(_("What does the entity seek there?"), max_length=4000,
                                     blank=True)
    audience_characteristics = models.TextField(
        _("What are the characteristics of its target audience?"), max_length=4000, blank=True)
    what_to_achieve = models.TextField(_("What does it want to achieve with that audience?"),
                                       max_length=4000, blank=True)
    official_handle = models.CharField(
        _("handle chosen for every network"), max_length=60, blank=True,
        validators=[RegexValidator(r"^@?[A-Za-z0-9_.]{2,60}$",
                                   _("Use only letters, digits, dots and underscores."))],
        help_text=_("The same name on every network helps citizens recognise the entity, "
                    "for example @AlcaldiaSanIsidro."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return str(_("Plan of %(entity)s") % {"entity": self.entity.name})


class PlanPerson(models.Model):
    """Step 1: the strategy owner (exactly one per entity), the people who formulated it,
    the team and the community managers, internal or outsourced."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="plan_people",
                               verbose_name=_("entity"))
    role = models.CharField(_("role in the plan"), max_length=32, choices=PlanPersonRole.choices)
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position or area"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("user account"))
    is_outsourced = models.BooleanField(_("outsourced"), default=False)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    contact = models.CharField(_("agency contact"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan person")
        verbose_name_plural = _("plan people")
        ordering = ["role", "name"]
        constraints = [
            # Exactly one accountable owner per entity: the database refuses a second one.
            models.UniqueConstraint(fields=["entity"], condition=models.Q(role="owner"),
                                    name="%(app_label)s_%(class)s_one_owner"),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_role_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        _dates_in_order(self.contract_start, self.contract_end, end_field="contract_end",
                        message=_("The contract cannot end before it starts."))
        if self.is_outsourced and not self.agency:
            raise ValidationError({"agency": _("Name the agency of an outsourced person.")})
        if self.user_id and not Membership.objects.filter(
                user_id=self.user_id, entity_id=self.entity_id, is_active=True).exists():
            raise ValidationError({"user": _("Choose a member of this entity.")})

    @property
    def contract_days_left(self) -> int | None:
        if not (self.is_outsourced and self.contract_end):
            return None
        return (self.contract_end - timezone.localdate()).days

    @property
    def contract_ending_soon(self) -> bool:
        days = self.contract_days_left
        return days is not None and days <= 30


class Objective(models.Model):
    """Step 2: a general objective, or a specific objective under a general one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="objectives",
                               verbose_name=_("entity"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="specific_objectives",
                               verbose_name=_("general objective it belongs to"),
                               help_text=_("Leave empty for a general objective."))
    title = models.CharField(_("objective"), max_length=300)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["order", "created_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_general(self) -> bool:
        return self.parent_id is None

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent is not None:
            if self.parent.entity_id != self.entity_id:
                raise ValidationError({"parent": _("Choose an objective of this entity.")})
            if self.parent.parent_id is not None:
                raise ValidationError(
                    {"parent": _("A specific objective must hang from a general objective.")})
            if self.pk and self.parent_id == self.pk:
                raise ValidationError({"parent": _("An objective cannot contain itself.")})


class Audience(models.Model):
    """Step 2: an audience the entity wants to reach."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="audiences",
                               verbose_name=_("entity"))
    name = models.CharField(_("audience"), max_length=200)
    description = models.TextField(_("characteristics"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"],
                                    name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self):
        return self.name


class Kpi(models.Model):
    """Step 2: an indicator of one objective, with baseline, target and due date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="kpis",
                               verbose_name=_("entity"))
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="kpis",
                                  verbose_name=_("objective"))
    metric = models.CharField(_("metric"), max_length=200)
    unit = models.CharField(_("unit"), max_length=60)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator (KPI)")
        verbose_name_plural = _("indicators (KPIs)")
        ordering = ["objective__order", "metric"]

    def __str__(self):
        return f"{self.metric} ({self.unit})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.objective_id and self.objective.entity_id != self.entity_id:
            raise ValidationError({"objective": _("Choose an objective of this entity.")})
        _dates_in_order(self.baseline_date, self.due_date, end_field="due_date",
                        message=_("The due date cannot be before the baseline date."))


class KpiMeasurement(models.Model):
    """A measured value of a KPI on a date, with who recorded it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("entity"))
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements",
                            verbose_name=_("indicator"))
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-measured_on", "-created_at"]

    def __str__(self):
        return f"{self.kpi.metric}: {self.value} ({self.measured_on:%Y-%m-%d})"


class ToneGuide(models.Model):
    """Step 4: how the entity speaks. Its forbidden words and glossary feed the checker."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="tone_guide",
                                  verbose_name=_("entity"))
    voice_attributes = models.TextField(
        _("voice attributes"), max_length=2000, blank=True,
        help_text=_("One per line, for example: warm, close, clear, respectful."))
    do_examples = models.TextField(_("examples to follow"), max_length=4000, blank=True)
    dont_examples = models.TextField(_("examples to avoid"), max_length=4000, blank=True)
    greeting_rules = models.TextField(_("greeting rules"), max_length=2000, blank=True)
    signature_rules = models.TextField(_("signature rules"), max_length=2000, blank=True)
    forbidden_words = models.TextField(
        _("forbidden words"), max_length=4000, blank=True,
        help_text=_("One word or expression per line; the language checker flags them."))
    glossary = models.TextField(
        _("glossary of names and acronyms"), max_length=8000, blank=True,
        help_text=_("One per line: proper names, places and acronyms the checker accepts."))
    emoji_policy = models.CharField(_("emoji policy"), max_length=16,
                                    choices=EmojiPolicy.choices, default=EmojiPolicy.MODERATE)
    emoji_notes = models.TextField(_("emoji notes"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tone guide")
        verbose_name_plural = _("tone guides")

    def __str__(self):
        return str(_("Tone guide of %(entity)s") % {"entity": self.entity.name})

    @staticmethod
    def lines(value: str) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class Resource(models.Model):
    """Step 8: people and weekly hours per role, budget lines and tools."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="plan_resources",
                               verbose_name=_("entity"))
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    name = models.CharField(_("role, budget line or tool"), max_length=200)
    people = models.PositiveIntegerField(_("people"), null=True, blank=True)
    weekly_hours = models.DecimalField(_("weekly hours per person"), max_digits=5,
                                       decimal_places=1, null=True, blank=True,
                                       validators=[MinValueValidator(0), MaxValueValidator(168)])
    amount = models.DecimalField(_("amount (COP)"), max_digits=16, decimal_places=0,
                                 null=True, blank=True, validators=[MinValueValidator(0)])
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == ResourceKind.PEOPLE and not (self.people and self.weekly_hours):
            raise ValidationError(_("For people, give how many and their weekly hours."))
        if self.kind == ResourceKind.BUDGET and self.amount is None:
            raise ValidationError({"amount": _("Give the amount of the budget line.")})


class PlanActivity(models.Model):
    """Step 8: an activity of the long, medium or short-term plan, per channel."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="plan_activities",
                               verbose_name=_("entity"))
    horizon = models.CharField(_("horizon"), max_length=16, choices=Horizon.choices)
    title = models.CharField(_("activity"), max_length=300)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    channel = models.ForeignKey("channels_app.Channel", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="plan_activities",
                                verbose_name=_("channel"),
                                help_text=_("Leave empty for an activity across every channel."))
    owner = models.ForeignKey(PlanPerson, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="activities", verbose_name=_("owner"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=16, choices=ActivityStatus.choices,
                              default=ActivityStatus.PLANNED)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan activity")
        verbose_name_plural = _("plan activities")
        ordering = ["start_date", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="%(app_label)s_%(class)s_dates_in_order"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        _dates_in_order(self.start_date, self.end_date, end_field="end_date",
                        message=_("The activity cannot end before it starts."))
        if self.channel_id and self.channel.entity_id != self.entity_id:
            raise ValidationError({"channel": _("Choose a channel of this entity.")})
        if self.owner_id and self.owner.entity_id != self.entity_id:
            raise ValidationError({"owner": _("Choose a person of this entity.")})


# API tokens and outgoing webhooks live in their own module.
from .integration_models import *  # noqa: E402,F401,F403
