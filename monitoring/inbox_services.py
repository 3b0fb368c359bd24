"""Writes of the complaint inbox (issue 6). Views, the API, tasks and the approval hook call these.

Every function that a person triggers takes `actor=`, checks the actor's right on the case's
channel (an outsourced community manager limited to some channels cannot act elsewhere), and
writes an audit row (strategy.AuditEvent, append-only) with the state before and after.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from strategy import permissions
from strategy.choices import Role
from strategy.integration_models import WebhookEvent
from strategy.integrations import webhook_emit
from strategy.permissions import Action
from strategy.services import audit_record

from .choices import ACTIVE_CASE_STATUSES, CaseStatus, Category, PqrsdType, Urgency
from .events import case_webhook_payload
from .inbox_choices import OutcomeKind, PresenceActivity, ReplyStatus, SlaNoticeKind
from .inbox_models import (
    CaseNote,
    CaseOutcome,
    CasePresence,
    CaseTag,
    InboxSettings,
    NotificationPreference,
    PqrsdRegistration,
    RadicadoCounter,
    Reply,
    SlaNotice,
)
from .models import Case, Mention

logger = logging.getLogger(__name__)

#: Seconds to wait before each retry of a transient publishing failure; then it fails for good.
PUBLISH_BACKOFF = (30, 120, 600)
#: A reply left "sending" this long (worker killed mid-call) goes back to the queue.
SENDING_STALE_AFTER = datetime.timedelta(minutes=10)
APPROVAL_KIND_REPLY = "reply"


class CaseAlreadyClaimed(ValidationError):
    """Someone else won the claim; `holder` is who has the case."""

    def __init__(self, holder):
        self.holder = holder
        name = holder.display_name if holder is not None else _("someone else")
        super().__init__(_("%(name)s already has this case.") % {"name": name},
                         code="already_claimed")


# --------------------------------------------------------------------------- helpers


def inbox_settings_for(entity) -> InboxSettings:
    found = InboxSettings.objects.filter(entity=entity).first()
    return found if found is not None else InboxSettings(entity=entity)


def _require(actor, case: Case, action: str) -> None:
    if not permissions.can(actor, case.entity, action, channel=case.channel):
        raise PermissionDenied(_("Your role in this entity does not allow this action."))


def _snapshot(case: Case) -> dict:
    return {
        "status": case.status,
        "assignee": case.assignee.email if case.assignee_id and case.assignee else None,
        "category": case.category, "pqrsd_type": case.pqrsd_type, "urgency": case.urgency,
    }


def _reload(case: Case) -> Case:
    return Case.objects.select_related("entity", "channel", "assignee", "author").get(pk=case.pk)


def _lock(case: Case) -> Case:
    return (Case.objects.select_for_update(of=("self",))
            .select_related("entity", "channel", "assignee", "author").get(pk=case.pk))


def _require_active(case: Case) -> None:
    if case.status not in ACTIVE_CASE_STATUSES:
        raise ValidationError(_("This case is closed. Reopen it first."), code="closed")


def _outcome(*, case, kind, actor, note="", **extra) -> CaseOutcome:
    return CaseOutcome.objects.create(
        case=case, kind=kind, note=note, actor=actor if _is_user(actor) else None, **extra)


def _is_user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


# --------------------------------------------------------------------------- claim and assign


def case_claim(*, actor, case: Case) -> Case:
    """Take a case. Two people at the same instant: the conditional UPDATE lets exactly one
    win; the other gets CaseAlreadyClaimed naming the holder."""
    _require(actor, case, Action.TRIAGE_CASES)
    _require_active(case)
    now = timezone.now()
    with transaction.atomic():
        won = Case.objects.filter(pk=case.pk, assignee__isnull=True).update(
            assignee=actor, claimed_at=now, last_activity_at=now,
            status=_claimed_status(case.status))
        if won != 1:
            current = Case.objects.select_related("assignee").get(pk=case.pk)
            if current.assignee_id == actor.pk:
                return current
            raise CaseAlreadyClaimed(current.assignee)
        claimed = _reload(case)
        audit_record(entity=claimed.entity, actor=actor, action="case.claim", obj=claimed,
                     before=_snapshot(case), after=_snapshot(claimed))
    return claimed


def _claimed_status(status: str) -> str:
    return CaseStatus.IN_PROGRESS if status == CaseStatus.OPEN else status


def _assignable(entity, user) -> bool:
    return permissions.can(user, entity, Action.TRIAGE_CASES) or permissions.can(
        user, entity, Action.REPLY_CASES)


@transaction.atomic
def case_assign(*, actor, case: Case, assignee) -> Case:
    """Give a case to a colleague (who must be able to work cases on its channel)."""
    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    _require_active(locked)
    if not _assignable(locked.entity, assignee) or not permissions.can(
            assignee, locked.entity, Action.VIEW_CASES, channel=locked.channel):
        raise ValidationError(_("This person cannot work on cases of this channel."),
                              code="not_assignable")
    before = _snapshot(locked)
    now = timezone.now()
    locked.assignee = assignee
    locked.claimed_at = now
    locked.last_activity_at = now
    locked.status = _claimed_status(locked.status)
    locked.save(update_fields=["assignee", "claimed_at", "last_activity_at", "status"])
    audit_record(entity=locked.entity, actor=actor, action="case.assign", obj=locked,
                 before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def case_release(*, actor, case: Case, reason: str = "") -> Case:
    """Give a case back to the queue."""
    if actor is not None:
        _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    before = _snapshot(locked)
    if locked.assignee_id is None:
        return locked
    locked.assignee = None
    locked.claimed_at = None
    if locked.status == CaseStatus.IN_PROGRESS:
        locked.status = CaseStatus.OPEN
    # Every change the inbox shows stamps last_activity_at: the inbox's marker (poll and
    # page cache) sees it.
    locked.last_activity_at = timezone.now()
    locked.save(update_fields=["assignee", "claimed_at", "status", "last_activity_at"])
    after = _snapshot(locked)
    if reason:
        after["reason"] = reason
    audit_record(entity=locked.entity, actor=actor, action="case.release", obj=locked,
                 before=before, after=after)
    return locked


def claims_release_stale(*, now: datetime.datetime | None = None) -> int:
    """Cases whose assignee has not touched them (no view, no draft, no action) for the
    entity's claim timeout go back to the queue. Returns how many were released."""
    now = now or timezone.now()
    released = 0
    default = InboxSettings._meta.get_field("claim_timeout_minutes").default
    timeouts = dict(InboxSettings.objects.values_list("entity_id", "claim_timeout_minutes"))
    candidates = Case.objects.filter(
        status=CaseStatus.IN_PROGRESS, assignee__isnull=False,
        claimed_at__lt=now - datetime.timedelta(minutes=min([default, *timeouts.values()])),
    ).only("pk", "entity_id", "assignee_id", "claimed_at", "last_activity_at")
    for case in candidates.iterator():
        cutoff = now - datetime.timedelta(minutes=timeouts.get(case.entity_id, default))
        if case.claimed_at >= cutoff:
            continue
        touched = (
            CasePresence.objects.filter(case=case, user_id=case.assignee_id,
                                        last_seen__gte=cutoff).exists()
            or Reply.objects.filter(case=case, author_id=case.assignee_id,
                                    updated_at__gte=cutoff).exists()
            or CaseNote.objects.filter(case=case, author_id=case.assignee_id,
                                       created_at__gte=cutoff).exists()
        )
        if touched:
            continue
        with transaction.atomic():
            # Conditional: if the assignee acted meanwhile (claimed_at moved), leave it.
            changed = Case.objects.filter(
                pk=case.pk, assignee_id=case.assignee_id, claimed_at=case.claimed_at,
                status=CaseStatus.IN_PROGRESS).update(
                assignee=None, claimed_at=None, status=CaseStatus.OPEN,
                last_activity_at=timezone.now())
            if changed:
                fresh = _reload(case)
                audit_record(entity=fresh.entity, actor=None, action="case.release_stale",
                             obj=fresh, before={"assignee_id": case.assignee_id,
                                                "status": CaseStatus.IN_PROGRESS},
                             after={"assignee": None, "status": CaseStatus.OPEN})
                released += 1
    return released


def presence_touch(*, user, case: Case, activity: str = PresenceActivity.VIEWING) -> None:
    """Heartbeat of a person with the case open (viewing or drafting)."""
    if activity not in PresenceActivity.values:
        activity = PresenceActivity.VIEWING
    now = timezone.now()
    updated = CasePresence.objects.filter(case=case, user=user).update(
        activity=activity, last_seen=now)
    if not updated:
        try:
            with transaction.atomic():
                CasePresence.objects.create(case=case, user=user, activity=activity,
                                            last_seen=now)
        except IntegrityError:
            CasePresence.objects.filter(case=case, user=user).update(
                activity=activity, last_seen=now)


# --------------------------------------------------------------------------- notes, tags


@transaction.atomic
def note_add(*, actor, case: Case, text: str) -> CaseNote:
    _require(actor, case, Action.TRIAGE_CASES)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the note.")]})
    note = CaseNote.objects.create(case=case, author=actor, text=text[:5000])
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())
    audit_record(entity=case.entity, actor=actor, action="case.note", obj=case,
                 after={"note": note.text})
    return note


def _clean_tags(names) -> list[str]:
    out = []
    for name in names:
        name = " ".join(str(name).split()).lower()[:50]
        if name and name not in out:
            out.append(name)
    return out


@transaction.atomic
def case_tag(*, actor, case: Case, add=(), remove=()) -> list[str]:
    _require(actor, case, Action.TRIAGE_CASES)
    before = sorted(case.tags.values_list("name", flat=True))
    for name in _clean_tags(add):
        CaseTag.objects.get_or_create(case=case, name=name)
    removed = _clean_tags(remove)
    if removed:
        CaseTag.objects.filter(case=case, name__in=removed).delete()
    after = sorted(case.tags.values_list("name", flat=True))
    if after != before:
        # The inbox filters by tag: its marker must see the change.
        Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())
        audit_record(entity=case.entity, actor=actor, action="case.tag", obj=case,
                     before={"tags": before}, after={"tags": after})
    return after


@transaction.atomic
def case_classify(*, actor, case: Case, category: str, pqrsd_type: str, urgency: str) -> Case:
    """One-click correction: the case changes and the classifier learns from the primary
    mention (monitoring.services.classification_correct)."""
    from .services import classification_correct

    _require(actor, case, Action.TRIAGE_CASES)
    if category not in Category.values or pqrsd_type not in PqrsdType.values or \
            urgency not in Urgency.values:
        raise ValidationError(_("Choose a valid category, PQRSD type and urgency."))
    locked = _lock(case)
    before = _snapshot(locked)
    mention = locked.mentions.filter(is_own=False).order_by("created_at", "pk").first()
    if mention is not None:
        classification_correct(actor=actor, mention=mention, label=category,
                               pqrsd_type=pqrsd_type, urgency=urgency)
    locked.category, locked.pqrsd_type, locked.urgency = category, pqrsd_type, urgency
    locked.last_activity_at = timezone.now()
    locked.save(update_fields=["category", "pqrsd_type", "urgency", "last_activity_at"])
    audit_record(entity=locked.entity, actor=actor, action="case.classify", obj=locked,
                 before=before, after=_snapshot(locked))
    return locked


# --------------------------------------------------------------------------- replies


def reply_target(case: Case) -> Mention | None:
    """The citizen's latest message in the case: what the reply answers on the network."""
    return case.mentions.filter(is_own=False).order_by("-created_at", "-pk").first()


def length_limit(case: Case) -> int | None:
    from strategy.language import NETWORK_LIMITS

    return NETWORK_LIMITS.get(case.platform)


def reply_check(*, case: Case, text: str) -> dict:
    """Live feedback for the composer: language findings, length and the network's limit."""
    from strategy.language import check_text, text_length
    from strategy.selectors import tone_rules_for

    findings = check_text(text or "", case.platform, rules=tone_rules_for(case.entity),
                          citizen_name=case.author.name or case.author.handle, is_reply=True)
    limit = length_limit(case)
    length = text_length(text or "", case.platform)
    return {"findings": findings, "length": length, "limit": limit,
            "over_limit": bool(limit and length > limit)}


def _may_reply(actor, case: Case) -> None:
    _require(actor, case, Action.REPLY_CASES)
    if not inbox_settings_for(case.entity).only_assignee_replies:
        return
    assignee_id = Case.objects.filter(pk=case.pk).values_list("assignee_id", flat=True).first()
    if assignee_id != actor.pk:
        raise PermissionDenied(_("Only the person assigned to this case can reply."))


@transaction.atomic
def reply_draft_save(*, actor, case: Case, text: str, template=None) -> Reply:
    """Autosave: the actor's one draft on the case, created or updated."""
    _may_reply(actor, case)
    now = timezone.now()
    draft = (Reply.objects.select_for_update()
             .filter(case=case, author=actor, status=ReplyStatus.DRAFT).first())
    if draft is None:
        try:
            with transaction.atomic():
                draft = Reply.objects.create(entity=case.entity, case=case, author=actor,
                                             text=text, template=template, updated_at=now)
        except IntegrityError:
            draft = Reply.objects.select_for_update().get(case=case, author=actor,
                                                          status=ReplyStatus.DRAFT)
    draft.text = text
    if template is not None:
        draft.template = template
    draft.updated_at = now
    draft.save(update_fields=["text", "template", "updated_at"])
    presence_touch(user=actor, case=case, activity=PresenceActivity.DRAFTING)
    return draft


def template_fill(*, case: Case, template, actor=None) -> str:
    """A template's approved wording with the case's placeholders filled."""
    from protocols.services import template_render
    from strategy.language import NETWORK_LIMITS

    registration = PqrsdRegistration.objects.filter(case=case).first()
    context = {
        "nombre": case.author.name or (f"@{case.author.handle}" if case.author.handle else ""),
        "radicado": registration.radicado if registration else "",
        "plazo": registration.legal_due if registration else (case.legal_due or ""),
        "enlace": settings.SITE_URL,
    }
    limit = NETWORK_LIMITS.get(case.platform)
    short = bool(limit and limit <= 500)
    try:
        return template_render(template=template, context=context, short=short)
    except ValidationError:
        # A placeholder without value (no radicado yet): keep it visible for the person to
        # fill rather than refusing the template.
        context = {k: (v if v not in (None, "") else "{" + k + "}") for k, v in context.items()}
        return template_render(template=template, context=context, short=short)


@transaction.atomic
def reply_submit(*, actor, case: Case, text: str, template=None) -> Reply:
    """Send the reply: to the approver's queue when the protocol asks for approval, otherwise
    queued for the publishing worker (enqueued after commit)."""
    _may_reply(actor, case)
    locked = _lock(case)
    _require_active(locked)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the reply.")]})
    check = reply_check(case=locked, text=text)
    if check["over_limit"]:
        raise ValidationError({"text": [
            _("The reply has %(length)s characters; %(network)s allows %(limit)s.")
            % {"length": check["length"], "network": locked.platform, "limit": check["limit"]}]})
    if locked.channel_id is None:
        raise ValidationError(_("This case has no channel of the entity to answer from."))
    target = reply_target(locked)
    if target is None:
        raise ValidationError(_("This case has no message of the citizen to answer."))
    reply = (Reply.objects.select_for_update()
             .filter(case=locked, author=actor, status=ReplyStatus.DRAFT).first())
    if reply is None:
        reply = Reply(entity=locked.entity, case=locked, author=actor)
    now = timezone.now()
    reply.text = text
    reply.template = template or reply.template
    reply.in_reply_to_external_id = target.external_id
    reply.submitted_at = now
    reply.updated_at = now
    needs_approval = bool(locked.approval_role)
    reply.status = ReplyStatus.AWAITING_APPROVAL if needs_approval else ReplyStatus.QUEUED
    reply.save()
    before = _snapshot(locked)
    if needs_approval:
        from protocols.services import approval_request_create

        request = approval_request_create(
            entity=locked.entity, actor=actor, kind=APPROVAL_KIND_REPLY,
            object_ref=str(reply.public_id),
            summary=_("Reply to %(author)s: %(text)s") % {"author": locked.author,
                                                          "text": text[:200]},
            required_role=locked.approval_role)
        reply.approval_ref = str(request.public_id)
        reply.save(update_fields=["approval_ref"])
        locked.status = CaseStatus.PENDING_APPROVAL
    elif locked.status == CaseStatus.OPEN:
        locked.status = CaseStatus.IN_PROGRESS
    locked.last_activity_at = now
    locked.save(update_fields=["status", "last_activity_at"])
    audit_record(entity=locked.entity, actor=actor,
                 action="reply.submit_for_approval" if needs_approval else "reply.queue",
                 obj=locked, before=before,
                 after={**_snapshot(locked), "reply": str(reply.public_id), "text": text})
    if not needs_approval:
        _enqueue_publish(reply.pk)
    return reply


def _enqueue_publish(reply_id: int) -> None:
    from .inbox_tasks import publish_reply

    transaction.on_commit(lambda: publish_reply.delay(reply_id))


def reply_approval_decided(request, approve: bool, actor) -> None:
    """protocols' approval hook for kind "reply" (runs inside the decision's transaction)."""
    reply = (Reply.objects.select_for_update().select_related("case")
             .filter(public_id=request.object_ref, entity=request.entity,
                     status=ReplyStatus.AWAITING_APPROVAL).first())
    if reply is None:
        return
    case = _lock(reply.case)
    before = _snapshot(case)
    if approve:
        reply.status = ReplyStatus.QUEUED
    else:
        reply.status = ReplyStatus.REJECTED
        reply.error = request.note
    if case.status == CaseStatus.PENDING_APPROVAL:
        case.status = CaseStatus.IN_PROGRESS if approve or case.assignee_id else CaseStatus.OPEN
    reply.updated_at = timezone.now()
    reply.save(update_fields=["status", "error", "updated_at"])
    case.last_activity_at = timezone.now()
    case.save(update_fields=["status", "last_activity_at"])
    audit_record(entity=case.entity, actor=actor,
                 action="reply.approve" if approve else "reply.reject", obj=case,
                 before=before, after={**_snapshot(case), "reply": str(reply.public_id),
                                       "note": request.note})
    if approve:
        _enqueue_publish(reply.pk)


@dataclass
class PublishResult:
    status: str
    reply: Reply | None = None


def reply_publish(*, reply_id: int, now: datetime.datetime | None = None) -> PublishResult:
    """Publish one queued reply through the network client, once.

    The row is claimed with a conditional UPDATE (queued → sending), so two workers never
    send it twice; the idempotency key travels to the network for the case where a worker
    dies after the network accepted it. Transient failures go back to the queue with the
    next delay of PUBLISH_BACKOFF; the last one, and any permanent failure, is stored.
    """
    from channels_app.platforms import get_client
    from channels_app.platforms.base import AuthError, PlatformError

    now = now or timezone.now()
    claimed = Reply.objects.filter(pk=reply_id, status=ReplyStatus.QUEUED).filter(
        Q(retry_after__isnull=True) | Q(retry_after__lte=now)).update(
        status=ReplyStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if claimed != 1:
        return PublishResult(status="not_due")
    reply = Reply.objects.select_related("case", "case__channel", "case__entity",
                                         "case__author").get(pk=reply_id)
    channel = reply.case.channel
    try:
        if channel is None:
            from channels_app.platforms.base import PermanentError

            raise PermanentError(_("The case has no channel to answer from."))
        client = get_client(channel)
        published = client.reply(in_reply_to=_network_target(reply), text=reply.text,
                                 idempotency_key=str(reply.idempotency_key))
    except PlatformError as exc:
        return _publish_failed(reply, exc, now, auth=isinstance(exc, AuthError))
    except Exception as exc:  # a bug in a client must not leave the row "sending"
        logger.exception("Unexpected error publishing reply %s", reply_id)
        return _publish_failed(reply, exc, now, auth=False, permanent=True)
    with transaction.atomic():
        done = timezone.now()
        Reply.objects.filter(pk=reply.pk).update(
            status=ReplyStatus.PUBLISHED, external_id=published.external_id,
            url=published.url or "", published_at=done, error="", retry_after=None,
            updated_at=done)
        case = _lock(reply.case)
        before = _snapshot(case)
        fields = ["last_activity_at"]
        case.last_activity_at = done
        if case.first_response_at is None:
            case.first_response_at = done
            fields.append("first_response_at")
        if case.status in (CaseStatus.OPEN, CaseStatus.IN_PROGRESS,
                           CaseStatus.PENDING_APPROVAL):
            case.status = CaseStatus.ANSWERED
            fields.append("status")
        case.save(update_fields=fields)
        _outcome(case=case, kind=OutcomeKind.RESPONDED, actor=reply.author)
        audit_record(entity=case.entity, actor=None, action="reply.publish", obj=case,
                     before=before, after={**_snapshot(case), "reply": str(reply.public_id),
                                           "external_id": published.external_id,
                                           "url": published.url})
        webhook_emit(entity=case.entity, event=WebhookEvent.REPLY_PUBLISHED, payload={
            **case_webhook_payload(case, entity=case.entity), "reply": str(reply.public_id),
            "reply_text": reply.text, "reply_url": published.url or "", "published_at": done})
    reply.refresh_from_db()
    return PublishResult(status="published", reply=reply)


def _network_target(reply: Reply):
    """The answered message as the client's NormalizedMention (its raw payload, author and
    thread let each network thread the reply right: YouTube on the top-level comment, Bluesky
    with root and parent, Mastodon mentioning the author); a bare id if the row is gone."""
    from channels_app.platforms.base import AuthorData, NormalizedMention

    mention = (Mention.objects.filter(case_id=reply.case_id,
                                      external_id=reply.in_reply_to_external_id)
               .select_related("author").first())
    if mention is None:
        return reply.in_reply_to_external_id
    return NormalizedMention(
        platform=mention.platform, external_id=mention.external_id,
        author=AuthorData(external_id=mention.author.external_id, handle=mention.author.handle,
                          name=mention.author.name),
        text=mention.text, created_at=mention.created_at, url=mention.url,
        in_reply_to_external_id=mention.in_reply_to_external_id,
        thread_external_id=mention.thread_key, raw=mention.raw or {})


def _publish_failed(reply: Reply, exc: Exception, now, *, auth: bool,
                    permanent: bool | None = None) -> PublishResult:
    if permanent is None:
        permanent = bool(getattr(exc, "permanent", False))
    message = str(exc)[:2000] or exc.__class__.__name__
    attempt = reply.attempts  # already incremented by the claim
    with transaction.atomic():
        if not permanent and attempt <= len(PUBLISH_BACKOFF):
            delay = PUBLISH_BACKOFF[attempt - 1]
            retry_after_hint = getattr(exc, "retry_after", None)
            if retry_after_hint:
                delay = max(delay, int(retry_after_hint))
            Reply.objects.filter(pk=reply.pk).update(
                status=ReplyStatus.QUEUED, error=message,
                retry_after=now + datetime.timedelta(seconds=delay), updated_at=now)
            status = "retry"
        else:
            Reply.objects.filter(pk=reply.pk).update(
                status=ReplyStatus.FAILED, error=message, retry_after=None, updated_at=now)
            audit_record(entity=reply.entity, actor=None, action="reply.fail", obj=reply.case,
                         after={"reply": str(reply.public_id), "error": message,
                                "attempts": attempt})
            status = "failed"
    if auth and reply.case.channel is not None:
        from .services import channel_mark_needs_reconnection

        channel_mark_needs_reconnection(channel=reply.case.channel, reason=message)
    reply.refresh_from_db()
    return PublishResult(status=status, reply=reply)


@transaction.atomic
def reply_retry(*, actor, reply: Reply) -> bool:
    """The retry button: a failed reply goes back to the queue now."""
    _require(actor, reply.case, Action.REPLY_CASES)
    changed = Reply.objects.filter(pk=reply.pk, status=ReplyStatus.FAILED).update(
        status=ReplyStatus.QUEUED, retry_after=None, attempts=0, updated_at=timezone.now())
    if not changed:
        return False
    audit_record(entity=reply.entity, actor=actor, action="reply.retry", obj=reply.case,
                 after={"reply": str(reply.public_id), "previous_error": reply.error})
    _enqueue_publish(reply.pk)
    return True


def replies_due(*, now: datetime.datetime | None = None, limit: int = 200) -> list[int]:
    """Replies whose retry time has come (and ones stuck "sending" after a dead worker)."""
    now = now or timezone.now()
    Reply.objects.filter(status=ReplyStatus.SENDING,
                         updated_at__lt=now - SENDING_STALE_AFTER).update(
        status=ReplyStatus.QUEUED, retry_after=None)
    return list(Reply.objects.filter(status=ReplyStatus.QUEUED).filter(
        Q(retry_after__isnull=True) | Q(retry_after__lte=now))
        .order_by("retry_after", "pk").values_list("pk", flat=True)[:limit])


# --------------------------------------------------------------------------- outcomes


def _close(case: Case, *, actor, kind: str, note: str, action: str, **extra) -> Case:
    before = _snapshot(case)
    now = timezone.now()
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.last_activity_at = now
    case.save(update_fields=["status", "closed_at", "last_activity_at"])
    outcome = _outcome(case=case, kind=kind, actor=actor, note=note, **extra)
    after = {**_snapshot(case), "outcome": kind, "note": note}
    if outcome.target:
        after["target"] = outcome.target
    if outcome.merged_into_id:
        after["merged_into"] = str(outcome.merged_into.public_id)
    audit_record(entity=case.entity, actor=actor, action=action, obj=case, before=before,
                 after=after)
    return case


@transaction.atomic
def case_close(*, actor, case: Case, resolution: str) -> Case:
    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    _require_active(locked)
    if not (resolution or "").strip():
        raise ValidationError({"resolution": [_("Write the resolution.")]})
    return _close(locked, actor=actor, kind=OutcomeKind.CLOSED, note=resolution.strip(),
                  action="case.close")


@transaction.atomic
def case_mark_spam(*, actor, case: Case, reason: str, troll: bool = False) -> Case:
    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    _require_active(locked)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why.")]})
    kind = OutcomeKind.TROLL if troll else OutcomeKind.SPAM
    if troll:
        type(locked.author).objects.filter(pk=locked.author_id).update(is_suspected_troll=True)
    return _close(locked, actor=actor, kind=kind, note=reason.strip(),
                  action="case.troll" if troll else "case.spam")


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str = "") -> Case:
    """A closed case back to work (the citizen wrote again, or it was closed by mistake).

    Another active case of the same author and thread (opened by the pipeline meanwhile) is
    merged into this one, so the one-active-case-per-thread rule keeps holding.
    """
    if actor is not None:
        _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    if locked.status != CaseStatus.CLOSED:
        return locked
    newer = Case.objects.select_for_update(of=("self",)).filter(
        entity=locked.entity, author=locked.author, thread_key=locked.thread_key,
        status__in=ACTIVE_CASE_STATUSES).exclude(pk=locked.pk).first()
    if newer is not None:
        Mention.objects.filter(case=newer).update(case=locked)
        _close(newer, actor=actor, kind=OutcomeKind.MERGED, note=reason,
               action="case.merge", merged_into=locked)
    before = _snapshot(locked)
    locked.status = CaseStatus.OPEN if locked.assignee_id is None else CaseStatus.IN_PROGRESS
    locked.closed_at = None
    locked.last_activity_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "last_activity_at"])
    _outcome(case=locked, kind=OutcomeKind.REOPENED, actor=actor, note=reason)
    audit_record(entity=locked.entity, actor=actor, action="case.reopen", obj=locked,
                 before=before, after={**_snapshot(locked), "reason": reason})
    return locked


def case_reopen_on_new_mention(*, case: Case) -> Case | None:
    """The citizen wrote again in the thread of a recently closed case: reopen it.

    For the pipeline to call when a new mention would otherwise open a fresh case.
    """
    if case.status != CaseStatus.CLOSED:
        return None
    return case_reopen(actor=None, case=case, reason=_("The citizen wrote again."))


@transaction.atomic
def case_escalate(*, actor, case: Case, area, note: str) -> Case:
    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    _require_active(locked)
    if area is None or area.entity_id != locked.entity_id:
        raise ValidationError({"area": [_("Choose an area of the entity.")]})
    before = _snapshot(locked)
    _outcome(case=locked, kind=OutcomeKind.ESCALATED, actor=actor, note=note.strip(),
             area=area)
    locked.last_activity_at = timezone.now()
    locked.save(update_fields=["last_activity_at"])
    audit_record(entity=locked.entity, actor=actor, action="case.escalate", obj=locked,
                 before=before, after={**_snapshot(locked), "area": area.name, "note": note})
    return locked


@transaction.atomic
def case_mark_not_petition(*, actor, case: Case, reason: str) -> Case:
    """The decision that the message is not a formal petition: no radicado, no legal term."""
    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    if PqrsdRegistration.objects.filter(case=locked).exists():
        raise ValidationError(_("This case is already registered as a PQRSD."))
    before = {**_snapshot(locked), "legal_due": str(locked.legal_due or "")}
    locked.legal_due = None
    locked.last_activity_at = timezone.now()
    locked.save(update_fields=["legal_due", "last_activity_at"])
    _outcome(case=locked, kind=OutcomeKind.NOT_PETITION, actor=actor, note=reason.strip())
    audit_record(entity=locked.entity, actor=actor, action="case.not_petition", obj=locked,
                 before=before, after={**_snapshot(locked), "legal_due": None,
                                       "reason": reason})
    return locked


def radicado_format(entity, year: int, number: int) -> str:
    return f"{year}-{number:06d}"


def _next_radicado(entity, year: int) -> int:
    """Gapless per entity and year: the counter row is locked until our transaction ends."""
    counter = RadicadoCounter.objects.select_for_update().filter(entity=entity,
                                                                 year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                RadicadoCounter.objects.create(entity=entity, year=year, last_number=0)
        except IntegrityError:
            pass
        counter = RadicadoCounter.objects.select_for_update().get(entity=entity, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def pqrsd_register(*, actor, case: Case, pqrsd_type: str) -> PqrsdRegistration:
    """Register the case as a formal PQRSD: a radicado and the legal deadline start."""
    from protocols import deadlines as legal

    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    _require_active(locked)
    if PqrsdRegistration.objects.filter(case=locked).exists():
        raise ValidationError(_("This case is already registered as a PQRSD."))
    try:
        legal.pqrsd_term_days(pqrsd_type, entity=locked.entity)
    except legal.DeadlineError as exc:
        raise ValidationError({"pqrsd_type": [_("Choose a PQRSD type with a legal term.")]}) \
            from exc
    received = locked.opened_at
    due = legal.pqrsd_due_date(received, pqrsd_type, entity=locked.entity)
    year = timezone.localtime(timezone.now()).year
    number = _next_radicado(locked.entity, year)
    registration = PqrsdRegistration.objects.create(
        entity=locked.entity, case=locked, year=year, number=number,
        radicado=radicado_format(locked.entity, year, number), pqrsd_type=pqrsd_type,
        received_at=received, legal_due=due, original_due=due,
        extension_limit=legal.pqrsd_extension_limit(received, pqrsd_type, entity=locked.entity),
        transfer_due=legal.transfer_due_date(received, entity=locked.entity),
        registered_by=actor)
    before = {**_snapshot(locked), "legal_due": str(locked.legal_due or "")}
    if pqrsd_type in PqrsdType.values:
        locked.pqrsd_type = pqrsd_type
    locked.legal_due = due
    locked.last_activity_at = timezone.now()
    locked.save(update_fields=["pqrsd_type", "legal_due", "last_activity_at"])
    _outcome(case=locked, kind=OutcomeKind.REGISTERED, actor=actor,
             note=registration.radicado)
    audit_record(entity=locked.entity, actor=actor, action="case.pqrsd_register", obj=locked,
                 before=before, after={**_snapshot(locked), "radicado": registration.radicado,
                                       "legal_due": due.isoformat(),
                                       "pqrsd_type": pqrsd_type})
    webhook_emit(entity=locked.entity, event=WebhookEvent.PQRSD_REGISTERED, payload={
        **case_webhook_payload(locked, entity=locked.entity), "radicado": registration.radicado,
        "received_at": registration.received_at, "legal_due": due})
    return registration


@transaction.atomic
def case_transfer(*, actor, case: Case, target: str, message: str) -> Case:
    """Outside the entity's competence (Ley 1755, art. 21): the citizen is told (the message
    is published as a reply) and the case closes as transferred. Refused after the 5-day term.
    """
    from protocols import deadlines as legal

    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    _require_active(locked)
    errors = {}
    if not (target or "").strip():
        errors["target"] = [_("Name the competent entity.")]
    if not (message or "").strip():
        errors["message"] = [_("Write the message that tells the citizen.")]
    if errors:
        raise ValidationError(errors)
    registration = PqrsdRegistration.objects.filter(case=locked).first()
    due = registration.transfer_due if registration and registration.transfer_due else \
        legal.transfer_due_date(locked.opened_at, entity=locked.entity)
    today = timezone.localdate()
    if today > due:
        raise ValidationError(
            _("The 5-business-day term to transfer ended on %(date)s.")
            % {"date": due.strftime("%d/%m/%Y")}, code="transfer_late")
    reply_submit(actor=actor, case=locked, text=message)
    locked.refresh_from_db()
    return _close(locked, actor=actor, kind=OutcomeKind.TRANSFERRED, note=message.strip(),
                  action="case.transfer", target=target.strip())


@transaction.atomic
def pqrsd_extend(*, actor, case: Case, new_due: datetime.date, reasons: str,
                 message: str) -> PqrsdRegistration:
    """Extend the legal deadline once (art. 14, parágrafo): before it expires, with reasons
    told to the citizen, never beyond twice the term."""
    _require(actor, case, Action.TRIAGE_CASES)
    locked = _lock(case)
    _require_active(locked)
    registration = PqrsdRegistration.objects.select_for_update().filter(case=locked).first()
    if registration is None:
        raise ValidationError(_("Register the case as a PQRSD first."))
    if registration.extended_at is not None:
        raise ValidationError(_("The deadline was already extended once."))
    today = timezone.localdate()
    errors = {}
    if today > registration.legal_due:
        errors["new_due"] = [_("The deadline has already expired; it can no longer be "
                               "extended.")]
    elif new_due <= registration.legal_due:
        errors["new_due"] = [_("The new deadline must be after the current one.")]
    elif registration.extension_limit and new_due > registration.extension_limit:
        errors["new_due"] = [_("At most %(date)s (twice the legal term).")
                             % {"date": registration.extension_limit.strftime("%d/%m/%Y")}]
    if not (reasons or "").strip():
        errors["reasons"] = [_("Give the reasons for the extension.")]
    if not (message or "").strip():
        errors["message"] = [_("Write the message that tells the citizen.")]
    if errors:
        raise ValidationError(errors)
    reply_submit(actor=actor, case=locked, text=message)
    before = {"legal_due": registration.legal_due.isoformat()}
    registration.legal_due = new_due
    registration.extended_at = timezone.now()
    registration.extension_reason = reasons.strip()
    registration.save(update_fields=["legal_due", "extended_at", "extension_reason"])
    Case.objects.filter(pk=locked.pk).update(legal_due=new_due, last_activity_at=timezone.now())
    _outcome(case=locked, kind=OutcomeKind.EXTENDED, actor=actor, note=reasons.strip())
    audit_record(entity=locked.entity, actor=actor, action="case.pqrsd_extend", obj=locked,
                 before=before, after={"legal_due": new_due.isoformat(),
                                       "reasons": reasons.strip()})
    return registration


@transaction.atomic
def case_merge(*, actor, case: Case, into: Case) -> Case:
    """Merge a duplicate: its mentions move to `into`, it closes as merged."""
    _require(actor, case, Action.TRIAGE_CASES)
    _require(actor, into, Action.TRIAGE_CASES)
    if into.entity_id != case.entity_id or into.pk == case.pk:
        raise ValidationError(_("Choose another case of this entity."))
    locked = _lock(case)
    target = _lock(into)
    _require_active(locked)
    _require_active(target)
    Mention.objects.filter(case=locked).update(case=target)
    for name in locked.tags.values_list("name", flat=True):
        CaseTag.objects.get_or_create(case=target, name=name)
    Case.objects.filter(pk=target.pk).update(last_activity_at=timezone.now())
    return _close(locked, actor=actor, kind=OutcomeKind.MERGED,
                  note=_("Duplicate of %(case)s") % {"case": target.public_id},
                  action="case.merge", merged_into=target)


# --------------------------------------------------------------------------- bulk


@dataclass
class BulkResult:
    done: int
    skipped: list[str]


def cases_bulk(*, actor, cases, action: str, assignee=None, tag: str = "",
               reason: str = "") -> BulkResult:
    """Assign, tag or close as spam a selection; each case in its own transaction so one
    refusal (a closed case, a channel outside the actor's scope) does not undo the others."""
    done, skipped = 0, []
    for case in cases:
        try:
            if action == "assign":
                case_assign(actor=actor, case=case, assignee=assignee)
            elif action == "tag":
                case_tag(actor=actor, case=case, add=[tag])
            elif action == "spam":
                case_mark_spam(actor=actor, case=case, reason=reason)
            else:
                raise ValidationError(_("Unknown action."))
            done += 1
        except (ValidationError, PermissionDenied):
            skipped.append(str(case.public_id))
    return BulkResult(done=done, skipped=skipped)


# --------------------------------------------------------------------------- SLA sweeps


def _local_end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def _wants(entity, email_field: str, users) -> list[str]:
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(
        entity=entity, user__in=[u.pk for u in users])}
    return [u.email for u in users
            if getattr(prefs.get(u.pk), email_field, True) and u.email]


def sla_sweep(*, now: datetime.datetime | None = None) -> int:
    """Warn assignees before a deadline, escalate to the strategy owner after it. Each notice
    is a unique row (case, kind, deadline), so running the sweep twice sends nothing twice."""
    from strategy.models import User

    now = now or timezone.now()
    sent = 0
    warn = {e: m for e, m in InboxSettings.objects.values_list("entity_id",
                                                               "warn_before_minutes")}
    default_warn = InboxSettings._meta.get_field("warn_before_minutes").default
    horizon = now + datetime.timedelta(minutes=max([default_warn, *warn.values()]))
    pending = [CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.PENDING_APPROVAL]
    first_response = Case.objects.filter(
        status__in=pending, first_response_at__isnull=True,
        first_response_due__lte=horizon).select_related("entity", "assignee", "author")
    for case in first_response:
        sent += _notice(case, case.first_response_due,
                        (SlaNoticeKind.WARNING, SlaNoticeKind.ESCALATION), now,
                        warn.get(case.entity_id, default_warn), User)
    # A PQRSD's legal term runs until the case is closed, even after a first answer.
    tomorrow = (timezone.localtime(now) + datetime.timedelta(days=1)).date()
    legal = Case.objects.filter(
        status__in=ACTIVE_CASE_STATUSES, legal_due__isnull=False,
        legal_due__lte=tomorrow).select_related("entity", "assignee", "author")
    for case in legal:
        sent += _notice(case, _local_end_of_day(case.legal_due),
                        (SlaNoticeKind.LEGAL_WARNING, SlaNoticeKind.LEGAL_ESCALATION), now,
                        max(warn.get(case.entity_id, default_warn), 24 * 60), User)
    return sent


def _notice(case, deadline, kinds, now, warn_minutes, user_model) -> int:
    warning_kind, escalation_kind = kinds
    if deadline <= now:
        kind = escalation_kind
        recipients_users = list(user_model.objects.filter(
            memberships__entity=case.entity, memberships__is_active=True,
            memberships__role__in=[Role.STRATEGY_OWNER, Role.ENTITY_ADMIN]).distinct())
        field = "email_escalations"
    elif deadline - now <= datetime.timedelta(minutes=warn_minutes):
        kind = warning_kind
        recipients_users = [case.assignee] if case.assignee_id else list(
            user_model.objects.filter(memberships__entity=case.entity,
                                      memberships__is_active=True,
                                      memberships__role=Role.COMMUNICATIONS_OFFICER).distinct())
        field = "email_deadline_warnings"
    else:
        return 0
    recipients = _wants(case.entity, field, recipients_users)
    try:
        with transaction.atomic():
            SlaNotice.objects.create(case=case, kind=kind, deadline=deadline,
                                     recipients=recipients)
            audit_record(entity=case.entity, actor=None, action=f"case.sla_{kind}", obj=case,
                         after={"deadline": deadline.isoformat(), "recipients": recipients})
        if kind in (SlaNoticeKind.ESCALATION, SlaNoticeKind.LEGAL_ESCALATION):
            webhook_emit(entity=case.entity, event=WebhookEvent.SLA_BREACHED, payload={
                **case_webhook_payload(case, entity=case.entity), "deadline": deadline,
                "kind": "legal" if kind == SlaNoticeKind.LEGAL_ESCALATION else "first_response"})
    except IntegrityError:
        return 0  # already sent by an earlier sweep
    if recipients:
        _send_notice(case, kind, deadline, recipients)
    return 1


def _send_notice(case, kind, deadline, recipients) -> None:
    from django.urls import reverse

    link = settings.SITE_URL + reverse("monitoring:case_detail", kwargs={
        "entity_slug": case.entity.slug, "case_id": case.public_id})
    with translation.override(settings.LANGUAGE_CODE):
        local = timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M")
        if kind in (SlaNoticeKind.ESCALATION, SlaNoticeKind.LEGAL_ESCALATION):
            subject = _("Deadline missed: case of %(author)s") % {"author": case.author}
            body = _("The deadline of this case passed on %(when)s without an answer. "
                     "It is escalated to you.\n\n%(link)s") % {"when": local, "link": link}
        else:
            subject = _("Deadline approaching: case of %(author)s") % {"author": case.author}
            body = _("This case must be answered before %(when)s.\n\n%(link)s") % {
                "when": local, "link": link}
        try:
            send_mail(subject=subject, message=body, from_email=None,
                      recipient_list=recipients)
        except Exception:  # the notice row stays; mail problems are logged, not retried
            logger.exception("Could not send the deadline notice of case %s", case.pk)


# --------------------------------------------------------------------------- settings


@transaction.atomic
def inbox_settings_update(*, actor, entity, only_assignee_replies: bool,
                          claim_timeout_minutes: int, warn_before_minutes: int) -> InboxSettings:
    permissions.require(actor, entity, Action.MANAGE_SETTINGS)
    current, _created = InboxSettings.objects.get_or_create(entity=entity)
    before = {"only_assignee_replies": current.only_assignee_replies,
              "claim_timeout_minutes": current.claim_timeout_minutes,
              "warn_before_minutes": current.warn_before_minutes}
    current.only_assignee_replies = only_assignee_replies
    current.claim_timeout_minutes = max(5, int(claim_timeout_minutes))
    current.warn_before_minutes = max(5, int(warn_before_minutes))
    current.save()
    audit_record(entity=entity, actor=actor, action="inbox.settings", obj=current,
                 before=before, after={"only_assignee_replies": current.only_assignee_replies,
                                       "claim_timeout_minutes": current.claim_timeout_minutes,
                                       "warn_before_minutes": current.warn_before_minutes})
    return current


@transaction.atomic
def notification_preference_set(*, user, entity, email_deadline_warnings: bool,
                                 email_escalations: bool) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.update_or_create(
        entity=entity, user=user, defaults={"email_deadline_warnings": email_deadline_warnings,
                                            "email_escalations": email_escalations})
    return pref
