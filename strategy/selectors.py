from .models import AuditEvent, Invitation, Membership


def members_of(entity):
    return (Membership.objects.filter(entity=entity).select_related("user")
            .order_by("-is_active", "user__email"))


def pending_invitations_of(entity):
    return [i for i in Invitation.objects.filter(entity=entity, accepted_at__isnull=True,
                                                 revoked_at__isnull=True)
            .select_related("invited_by") if i.is_pending]


def audit_events_of(entity, *, object_type=None, object_id=None):
    events = AuditEvent.objects.filter(entity=entity).select_related("actor")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    return events
