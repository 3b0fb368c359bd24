import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import EntityKind, Role, Sector
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
