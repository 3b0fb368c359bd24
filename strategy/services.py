"""Writes for entities, memberships and invitations. Views, API, admin and tasks call these."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import INVITATION_LIFETIME, AuditEvent, Entity, Invitation, Membership, User
from .validators import normalize_nit


def audit_record(*, entity, actor, action: str, obj, before=None, after=None) -> AuditEvent:
    return AuditEvent.objects.create(
        entity=entity,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(getattr(obj, "public_id", None) or obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )


@transaction.atomic
def entity_create(*, actor, name: str, nit: str, kind: str, slug: str, sector: str,
                  timezone_name: str = "America/Bogota", website: str = "") -> Entity:
    entity = Entity(name=name, nit=normalize_nit(nit), kind=kind, slug=slug, sector=sector,
                    timezone=timezone_name, website=website)
    entity.full_clean()
    entity.save()
    audit_record(entity=entity, actor=actor, action="entity.create", obj=entity,
                 after={"name": name, "nit": entity.nit, "slug": slug})
    return entity


@transaction.atomic
def entity_update_settings(*, actor, entity: Entity, require_two_factor: bool) -> Entity:
    before = {"require_two_factor": entity.require_two_factor}
    entity.require_two_factor = require_two_factor
    entity.save(update_fields=["require_two_factor"])
    audit_record(entity=entity, actor=actor, action="entity.settings", obj=entity,
                 before=before, after={"require_two_factor": require_two_factor})
    return entity


@transaction.atomic
def membership_add(*, actor, entity: Entity, user: User, role: str,
                   agency: str = "") -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, entity=entity, defaults={"role": role, "agency": agency})
    if not created:
        if membership.is_active:
            raise ValidationError(_("%(email)s is already a member of %(entity)s.")
                                  % {"email": user.email, "entity": entity.name})
        membership.role, membership.agency, membership.is_active = role, agency, True
        membership.save(update_fields=["role", "agency", "is_active"])
    audit_record(entity=entity, actor=actor, action="membership.add", obj=membership,
                 after={"user": user.email, "role": role})
    return membership


@transaction.atomic
def membership_update(*, actor, membership: Membership, role: str, is_active: bool,
                      agency: str = "") -> Membership:
    # Compare with the stored row: a bound ModelForm has already changed the instance.
    stored = Membership.objects.select_for_update().get(pk=membership.pk)
    before = {"role": stored.role, "is_active": stored.is_active}
    if stored.user_id == getattr(actor, "pk", None) and (not is_active or role != stored.role):
        raise ValidationError(_("You cannot change your own role or deactivate yourself."))
    membership.role, membership.is_active, membership.agency = role, is_active, agency
    membership.save(update_fields=["role", "is_active", "agency"])
    audit_record(entity=membership.entity, actor=actor, action="membership.update",
                 obj=membership, before=before, after={"role": role, "is_active": is_active})
    return membership


def _send_invitation_email(invitation: Invitation) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse(
        "invitation_accept", kwargs={"token": invitation.token})
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=_("Invitation to %(entity)s") % {"entity": invitation.entity.name},
        message=render_to_string("strategy/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_create(*, actor, entity: Entity, email: str, role: str,
                      agency: str = "") -> Invitation:
    email = User.objects.normalize_email(email).strip()
    if entity.memberships.filter(user__email__iexact=email, is_active=True).exists():
        raise ValidationError(_("%(email)s is already a member of this entity.")
                              % {"email": email})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                entity=entity, email=email, role=role, agency=agency, invited_by=actor,
                expires_at=timezone.now() + INVITATION_LIFETIME)
            audit_record(entity=entity, actor=actor, action="invitation.create", obj=invitation,
                         after={"email": email, "role": role})
    except IntegrityError as exc:
        raise ValidationError(_("There is already a pending invitation for %(email)s.")
                              % {"email": email}) from exc
    transaction.on_commit(lambda: _send_invitation_email(invitation))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now())
    audit_record(entity=invitation.entity, actor=actor, action="invitation.revoke",
                 obj=invitation)


def invitation_check(invitation: Invitation) -> None:
    """Raise a Spanish ValidationError if the invitation can no longer be used."""
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was revoked."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired. Ask for a new one."))


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation_check(invitation)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s; sign in with that address.")
            % {"email": invitation.email})
    # Single use even under a race: only one request flips accepted_at.
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True,
                                        revoked_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user)
    if claimed != 1:
        raise ValidationError(_("This invitation has already been used."))
    return membership_add(actor=user, entity=invitation.entity, user=user,
                          role=invitation.role, agency=invitation.agency)
