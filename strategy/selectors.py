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


def tone_rules_for(entity):
    """The entity's tone guide as `strategy.language.ToneRules` for the language checker."""
    from .language import ToneRules
    from .models import ToneGuide

    guide = ToneGuide.objects.filter(entity=entity).first()
    if guide is None:
        return ToneRules()
    signature = ToneGuide.lines(guide.signature_rules)
    return ToneRules(
        forbidden_words=tuple(ToneGuide.lines(guide.forbidden_words)),
        glossary=tuple(ToneGuide.lines(guide.glossary)),
        signature=guide.entity.name if signature else "",
    )
