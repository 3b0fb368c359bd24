"""Writes for the protocols. Views, the API, the admin actions and other apps call these."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy import permissions
from strategy.choices import Role
from strategy.permissions import Action
from strategy.services import audit_record

from . import escalation
from .choices import ApprovalKind, ApprovalStatus, RaciLetter, TemplateStatus
from .models import (
    ApprovalRequest,
    EscalationRule,
    NonWorkingDay,
    RaciActivity,
    RaciAssignment,
    ResponseTemplate,
    TemplateVersion,
)
from .selectors import raci_problems

# --- Generic records -------------------------------------------------------------------------


def _snapshot(instance) -> dict:
    data = model_to_dict(instance)
    return {k: (v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else str(v))
            for k, v in data.items()}


def _check_related_rows(instance, entity) -> None:
    """Every related row must be the entity's own (and every person one of its members)."""
    from django.conf import settings as django_settings
    from django.db import models as dj_models

    errors = {}
    for field in instance._meta.get_fields():
        if not isinstance(field, dj_models.ForeignKey) or field.name == "entity":
            continue
        related_id = getattr(instance, field.attname)
        if related_id is None:
            continue
        model = field.related_model
        if model._meta.label == django_settings.AUTH_USER_MODEL:
            ok = entity.memberships.filter(user_id=related_id, is_active=True).exists()
        elif any(f.name == "entity" for f in model._meta.get_fields()):
            ok = model.objects.filter(pk=related_id, entity=entity).exists()
        else:
            continue
        if not ok:
            errors[field.name] = _("Choose one of the entity's own records.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_save(*, actor, entity, instance, validate: Callable | None = None):
    """Create or update one entity-owned protocol row: validate, save, audit."""
    if getattr(instance, "entity_id", None) not in (None, entity.pk):
        raise PermissionDenied
    instance.entity = entity
    _check_related_rows(instance, entity)
    creating = instance.pk is None
    before = None
    if not creating:
        before = _snapshot(type(instance).objects.get(pk=instance.pk))
    instance.full_clean()
    if validate is not None:
        validate(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(_("A record with these values already exists.")) from exc
    label = instance._meta.model_name
    audit_record(entity=entity, actor=actor, action=f"{label}.{'create' if creating else 'update'}",
                 obj=instance, before=before, after=_snapshot(instance))
    if isinstance(instance, NonWorkingDay):
        entity.__dict__.pop("_non_working_days_cache", None)
    return instance


@transaction.atomic
def record_delete(*, actor, entity, instance) -> None:
    if instance.entity_id != entity.pk:
        raise PermissionDenied
    audit_record(entity=entity, actor=actor, action=f"{instance._meta.model_name}.delete",
                 obj=instance, before=_snapshot(instance))
    instance.delete()
    entity.__dict__.pop("_non_working_days_cache", None)


# --- RACI ------------------------------------------------------------------------------------


@transaction.atomic
def raci_save_grid(*, actor, entity, cells: dict) -> None:
    """Replace the RACI matrix. `cells[(activity, area)] = "R"|"A"|"C"|"I"|""` (objects).

    Refused as a whole (ValidationError per activity) unless every activity has exactly one
    Accountable and at least one Responsible.
    """
    valid = set(RaciLetter.values)
    activities = list(RaciActivity.objects.filter(entity=entity))
    clean: dict[tuple[int, int], str] = {}
    for (activity, area), letter in cells.items():
        if activity.entity_id != entity.pk or area.entity_id != entity.pk:
            raise PermissionDenied
        letter = (letter or "").strip().upper()
        if not letter:
            continue
        if letter not in valid:
            raise ValidationError(_("“%(letter)s” is not R, A, C or I.") % {"letter": letter})
        clean[(activity.pk, area.pk)] = letter
    problems = raci_problems(activities, clean)
    if problems:
        names = {a.pk: a.name for a in activities}
        raise ValidationError({names[pk]: msgs for pk, msgs in problems.items()})
    before = {f"{act}:{area}": letter for act, area, letter in
              RaciAssignment.objects.filter(activity__entity=entity)
              .values_list("activity_id", "area_id", "letter")}
    RaciAssignment.objects.filter(activity__entity=entity).delete()
    RaciAssignment.objects.bulk_create([
        RaciAssignment(activity_id=act, area_id=area, letter=letter)
        for (act, area), letter in clean.items()])
    audit_record(entity=entity, actor=actor, action="raci.update", obj=entity, before=before,
                 after={f"{act}:{area}": letter for (act, area), letter in clean.items()})


# --- Escalation rules ------------------------------------------------------------------------


def escalation_rule_validate(rule: EscalationRule) -> None:
    """Refuse a rule that makes itself or another rule unreachable; conflicts are reported
    on the rules page (first rule wins) but not refused."""
    others = [r for r in EscalationRule.objects.filter(entity=rule.entity) if r.pk != rule.pk]
    rules = sorted([*others, rule], key=lambda r: (r.position, r.pk or 10**12))
    problems = [p for p in escalation.check_rules(rules)
                if p.kind == "unreachable" and (p.rule is rule or p.other is rule)]
    if problems:
        raise ValidationError([p.message for p in problems])
    for field in ("categories", "pqrsd_types", "urgencies", "keywords", "platforms",
                  "notify_roles"):
        value = getattr(rule, field)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError({field: _("Must be a list of texts.")})
    if rule.channel_id and rule.channel.entity_id != rule.entity_id:
        raise ValidationError({"channel": _("Choose one of the entity's channels.")})
    if rule.assign_user_id and not rule.entity.memberships.filter(
            user_id=rule.assign_user_id, is_active=True).exists():
        raise ValidationError({"assign_user": _("Choose a member of the entity.")})


def escalation_rule_save(*, actor, entity, rule: EscalationRule) -> EscalationRule:
    return record_save(actor=actor, entity=entity, instance=rule,
                       validate=escalation_rule_validate)


# --- Response templates ----------------------------------------------------------------------

PLACEHOLDERS = ("nombre", "radicado", "plazo", "enlace")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _valid_list() -> str:
    return ", ".join("{" + p + "}" for p in PLACEHOLDERS)


def template_placeholders(text: str) -> list[str]:
    """Placeholders used in the text; ValidationError listing the valid ones if unknown."""
    found = _PLACEHOLDER_RE.findall(text or "")
    unknown = sorted({p for p in found if p not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholders: %(unknown)s. Valid placeholders: %(valid)s.")
            % {"unknown": ", ".join("{" + p + "}" for p in unknown), "valid": _valid_list()},
            code="unknown_placeholder")
    if "{" in _PLACEHOLDER_RE.sub("", text or "") or "}" in _PLACEHOLDER_RE.sub("", text or ""):
        raise ValidationError(_("Unbalanced braces. Valid placeholders: %(valid)s.")
                              % {"valid": _valid_list()}, code="unbalanced")
    return found


def _format_value(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return _CONTROL_RE.sub("", str(value)).strip()


def render_text(text: str, context: dict) -> str:
    """Replace placeholders in one pass: values are plain text, never re-expanded, and no
    attribute or index access is possible (unlike str.format)."""
    used = template_placeholders(text)
    missing = [p for p in dict.fromkeys(used) if context.get(p) in (None, "")]
    if missing:
        raise ValidationError(_("Missing values for: %(names)s.")
                              % {"names": ", ".join("{" + p + "}" for p in missing)},
                              code="missing_value")
    return _PLACEHOLDER_RE.sub(lambda m: _format_value(context[m.group(1)]), text)


def template_render(*, template, context: dict, short: bool = False) -> str:
    """Render the approved wording of a template (or the given TemplateVersion).

    `short=True` uses the short variant for length-limited networks (falls back to the long
    text when the version has none).
    """
    version = template
    if isinstance(template, ResponseTemplate):
        version = template.approved_version
        if version is None:
            raise ValidationError(_("The template «%(title)s» has no approved version.")
                                  % {"title": template.title}, code="not_approved")
    text = version.short_body if short and version.short_body else version.body
    return render_text(text, context)


SAMPLE_CONTEXT = {"nombre": "María", "radicado": "2026-000123",
                  "plazo": "15 días hábiles", "enlace": "https://www.gov.co"}


def template_language_findings(*, entity, version: TemplateVersion) -> list:
    """Findings of the Spanish language checker on both variants (rendered with samples)."""
    from strategy.language import check_text
    from strategy.selectors import tone_rules_for

    rules = tone_rules_for(entity)
    findings = list(check_text(render_text(version.body, SAMPLE_CONTEXT), "facebook",
                               rules=rules))
    if version.short_body:
        findings += list(check_text(render_text(version.short_body, SAMPLE_CONTEXT), "x",
                                    rules=rules))
    return findings


@transaction.atomic
def template_version_create(*, actor, template: ResponseTemplate, body: str,
                            short_body: str = "") -> TemplateVersion:
    errors = {}
    for field, text in (("body", body), ("short_body", short_body)):
        try:
            template_placeholders(text)
        except ValidationError as exc:
            errors[field] = exc.messages
    if not body.strip():
        errors["body"] = [_("Write the text of the answer.")]
    if errors:
        raise ValidationError(errors)
    # Lock the template row so two authors never get the same version number.
    ResponseTemplate.objects.select_for_update().filter(pk=template.pk).first()
    last = template.versions.order_by("-number").first()
    version = TemplateVersion.objects.create(
        template=template, number=(last.number + 1) if last else 1, body=body.strip(),
        short_body=short_body.strip(), created_by=actor)
    audit_record(entity=template.entity, actor=actor, action="template_version.create",
                 obj=version, after={"body": version.body, "short_body": version.short_body})
    return version


@transaction.atomic
def template_version_submit(*, actor, version: TemplateVersion,
                            required_role: str = Role.APPROVER) -> ApprovalRequest:
    """Send a version for approval; refused while the language checker finds problems."""
    entity = version.template.entity
    if version.status not in (TemplateStatus.DRAFT, TemplateStatus.REJECTED):
        raise ValidationError(_("Only a draft or rejected version can be sent for approval."))
    findings = template_language_findings(entity=entity, version=version)
    if findings:
        raise ValidationError(
            [_("The language checker found problems; fix them before asking for approval:")]
            + [f"{f.message}" + (f" → {f.suggestion}" if f.suggestion else "")
               for f in findings])
    TemplateVersion.objects.filter(pk=version.pk).update(status=TemplateStatus.PENDING)
    version.status = TemplateStatus.PENDING
    return approval_request_create(
        entity=entity, actor=actor, kind=ApprovalKind.TEMPLATE_VERSION,
        object_ref=str(version.public_id),
        summary=_("Template «%(title)s», version %(n)s") % {"title": version.template.title,
                                                            "n": version.number},
        required_role=required_role)


# --- Approvals -------------------------------------------------------------------------------

#: kind -> callable(request, approve: bool, actor) run inside the decision's transaction.
APPROVAL_HANDLERS: dict[str, Callable] = {}


def register_approval_handler(kind: str, handler: Callable) -> None:
    """Other apps (the inbox) register what happens when a request of their kind is decided."""
    APPROVAL_HANDLERS[kind] = handler


@transaction.atomic
def approval_request_create(*, entity, actor, kind: str, object_ref: str, summary: str,
                            required_role: str) -> ApprovalRequest:
    """Queue something for approval by `required_role`. One pending request per object."""
    if required_role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": required_role})
    try:
        with transaction.atomic():
            request = ApprovalRequest.objects.create(
                entity=entity, kind=kind, object_ref=str(object_ref), summary=summary,
                required_role=required_role, requested_by=actor)
    except IntegrityError as exc:
        raise ValidationError(_("This is already waiting for approval.")) from exc
    audit_record(entity=entity, actor=actor, action="approval.request", obj=request,
                 after={"kind": kind, "object": str(object_ref), "role": required_role})
    return request


def can_decide(user, request: ApprovalRequest) -> bool:
    entity = request.entity
    if not permissions.can(user, entity, Action.APPROVE_REPLIES):
        return False
    role = permissions.role_of(user, entity)
    return role in (request.required_role, Role.ENTITY_ADMIN)


@transaction.atomic
def approval_decide(*, actor, request: ApprovalRequest, approve: bool,
                    note: str = "") -> ApprovalRequest:
    """Approve or reject. Only the required role (or an entity admin) decides, never the
    person who asked; a rejection needs a note. Decided once, even under a race."""
    if not can_decide(actor, request):
        raise PermissionDenied(_("Your role cannot decide this request."))
    if request.requested_by_id and request.requested_by_id == actor.pk:
        raise ValidationError(_("You cannot approve your own request."))
    if not approve and not note.strip():
        raise ValidationError(_("Say why it is rejected."))
    now = timezone.now()
    status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    changed = ApprovalRequest.objects.filter(pk=request.pk, status=ApprovalStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, note=note.strip())
    if changed != 1:
        raise ValidationError(_("This request was already decided."))
    request.refresh_from_db()
    handler = APPROVAL_HANDLERS.get(request.kind)
    if handler is not None:
        handler(request, approve, actor)
    audit_record(entity=request.entity, actor=actor,
                 action="approval.approve" if approve else "approval.reject", obj=request,
                 after={"note": request.note})
    return request


def _decide_template_version(request: ApprovalRequest, approve: bool, actor) -> None:
    version = (TemplateVersion.objects.select_for_update()
               .filter(public_id=request.object_ref, template__entity=request.entity).first())
    if version is None:
        return
    if approve:
        # The tone guide may have changed since the version was sent: check again.
        findings = template_language_findings(entity=request.entity, version=version)
        if findings:
            raise ValidationError(
                [_("The language checker found problems; fix them before asking for approval:")]
                + [str(f.message) for f in findings])
        version.template.versions.filter(status=TemplateStatus.APPROVED).update(
            status=TemplateStatus.SUPERSEDED)
        version.status = TemplateStatus.APPROVED
        version.approved_by = actor
        version.approved_at = request.decided_at
    else:
        version.status = TemplateStatus.REJECTED
    version.save(update_fields=["status", "approved_by", "approved_at"])


register_approval_handler(ApprovalKind.TEMPLATE_VERSION, _decide_template_version)
