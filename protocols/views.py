"""Pages of the protocols (step 5). Thin: parse, authorize through the tenant gate, call a
service, render."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from channels_app.choices import Platform
from strategy import permissions
from strategy.permissions import Action
from strategy.tenancy import entity_view, get_object_for_entity

from . import deadlines, escalation, forms, selectors, services
from .choices import (
    HANDOVER_ITEMS,
    ApprovalStatus,
    MentionCategory,
    PqrsdType,
    RaciLetter,
    Urgency,
)
from .models import (
    AccountCustody,
    ApprovalRequest,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    NonWorkingDay,
    RaciActivity,
    ResponseSla,
    ResponseTemplate,
    Risk,
    TemplateVersion,
)


def _can_edit(request) -> bool:
    return permissions.can(request.user, request.entity, Action.EDIT_PROTOCOLS)


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


@entity_view(Action.VIEW_PROTOCOLS)
def overview(request):
    return render(request, "protocols/overview.html", {
        "sections": selectors.protocol_summary(request.entity),
        "custody_warnings": selectors.custody_warnings(request.entity),
        "rule_problems": escalation.check_rules(list(EscalationRule.objects.filter(
            entity=request.entity))),
    })


# --- RACI grid -------------------------------------------------------------------------------


@entity_view(Action.VIEW_PROTOCOLS)
def raci(request):
    entity = request.entity
    activities, areas, cells = selectors.raci_grid(entity)
    errors: dict = {}
    if request.method == "POST":
        if not _can_edit(request):
            raise PermissionDenied
        submitted = {}
        for activity in activities:
            for area in areas:
                value = request.POST.get(f"cell-{activity.public_id}-{area.public_id}", "")
                submitted[(activity, area)] = value
        try:
            services.raci_save_grid(actor=request.user, entity=entity, cells=submitted)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            # Keep what the person typed: nothing is lost on an error.
            cells = {(a.pk, b.pk): (v or "").strip().upper() for (a, b), v in submitted.items()}
            messages.error(request, _("The matrix was not saved: fix the rows marked below."))
        else:
            messages.success(request, _("Responsibilities saved."))
            return redirect("protocols:raci", entity_slug=entity.slug)
    else:
        problems = selectors.raci_problems(activities, cells)
        names = {a.pk: a.name for a in activities}
        errors = {names[pk]: msgs for pk, msgs in problems.items()}
    rows = [{"activity": a, "errors": errors.get(a.name, []),
             "cells": [{"area": b, "name": f"cell-{a.public_id}-{b.public_id}",
                        "value": cells.get((a.pk, b.pk), "")} for b in areas]}
            for a in activities]
    return render(request, "protocols/raci.html", {
        "rows": rows, "areas": areas, "letters": RaciLetter.choices,
        "can_edit": _can_edit(request), "general_errors": errors.get("", []),
    })


# --- PQRSD settings and deadline calculator ---------------------------------------------------


@entity_view(Action.VIEW_PROTOCOLS)
def pqrsd(request):
    entity = request.entity
    settings = selectors.settings_for(entity)
    form = forms.ProtocolSettingsForm(request.POST or None, instance=settings,
                                      prefix="settings")
    if request.method == "POST" and "settings-service_start" in request.POST:
        if not _can_edit(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_save(actor=request.user, entity=entity, instance=form.instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("PQRSD settings saved."))
                return redirect("protocols:pqrsd", entity_slug=entity.slug)
    calc = forms.DeadlineForm(request.GET or None)
    result = None
    if request.GET and calc.is_valid():
        received = calc.cleaned_data["received"]
        kind = calc.cleaned_data["pqrsd_type"]
        try:
            result = {
                "filed": deadlines.filing_date(received, entity=entity),
                "due": deadlines.pqrsd_due_date(received, kind, entity=entity),
                "extension": deadlines.pqrsd_extension_limit(received, kind, entity=entity),
                "transfer": deadlines.transfer_due_date(received, entity=entity),
                "days": deadlines.pqrsd_term_days(kind, entity=entity),
            }
        except deadlines.DeadlineError as exc:
            calc.add_error(None, str(exc))
    terms = [{"type": label, "days": deadlines.pqrsd_term_days(value, entity=entity),
              "legal": deadlines.LEGAL_TERMS[value]}
             for value, label in forms.PqrsdType.choices]
    policies = ChannelPqrsdPolicy.objects.filter(entity=entity).select_related("channel")
    return render(request, "protocols/pqrsd.html", {
        "form": form, "calc": calc, "result": result, "terms": terms,
        "policies": policies, "can_edit": _can_edit(request),
        "non_working_days": NonWorkingDay.objects.filter(
            entity=entity, date__gte=timezone.localdate() - datetime.timedelta(days=30)),
    })


# --- Escalation: try a mention ---------------------------------------------------------------


@entity_view(Action.VIEW_PROTOCOLS)
def escalation_try(request):
    entity = request.entity
    form = forms.TryMentionForm(request.POST or None)
    matches, approval = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        facts = escalation.MentionFacts(
            text=data["text"], category=data["category"], pqrsd_type=data["pqrsd_type"],
            urgency=data["urgency"], author_followers=data["author_followers"],
            platform=data["platform"], channel_public_id=None)
        matches = escalation.evaluate(entity=entity, facts=facts)
        approval = selectors.approval_required(
            entity=entity, category=facts.category, urgency=facts.urgency,
            author_followers=facts.author_followers, matches=matches)
    context = {"try_form": form, "matches": matches, "approval_role": approval,
               "approval_label": dict(forms.Role.choices).get(approval) if approval else None}
    if request.htmx:
        return render(request, "protocols/_try_result.html", context)
    return _section_list(request, SECTIONS["escalation"], extra=context)


# --- Templates -------------------------------------------------------------------------------


@entity_view(Action.VIEW_PROTOCOLS)
def template_list(request):
    entity = request.entity
    form = forms.ResponseTemplateForm(request.POST or None, entity=entity)
    if request.method == "POST":
        if not _can_edit(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                tpl = services.record_save(actor=request.user, entity=entity,
                                           instance=form.instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("protocols:template_detail", entity_slug=entity.slug,
                                template_id=tpl.public_id)
    templates = ResponseTemplate.objects.filter(entity=entity).prefetch_related("versions")
    return render(request, "protocols/template_list.html", {
        "templates": templates, "form": form, "can_edit": _can_edit(request)})


@entity_view(Action.VIEW_PROTOCOLS)
def template_detail(request, template_id):
    entity = request.entity
    template = get_object_for_entity(ResponseTemplate.objects, entity, public_id=template_id)
    form = forms.TemplateVersionForm(request.POST or None)
    if request.method == "POST":
        if not _can_edit(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.template_version_create(actor=request.user, template=template,
                                                 **form.cleaned_data)
            except ValidationError as exc:
                for fld, msgs in exc.message_dict.items():
                    form.add_error(fld if fld in form.fields else None, msgs)
            else:
                messages.success(request, _("New version saved as a draft."))
                return redirect("protocols:template_detail", entity_slug=entity.slug,
                                template_id=template.public_id)
    versions = template.versions.select_related("created_by", "approved_by")
    preview = None
    approved = template.approved_version
    if approved:
        preview = services.render_text(approved.body, services.SAMPLE_CONTEXT)
    return render(request, "protocols/template_detail.html", {
        "template": template, "versions": versions, "form": form, "preview": preview,
        "can_edit": _can_edit(request), "placeholders": services.PLACEHOLDERS,
    })


@require_POST
@entity_view(Action.EDIT_PROTOCOLS)
def template_version_submit(request, version_id):
    entity = request.entity
    version = _version_for(entity, version_id)
    try:
        services.template_version_submit(actor=request.user, version=version)
    except ValidationError as exc:
        for msg in _errors(exc):
            messages.error(request, msg)
    else:
        messages.success(request, _("Sent for approval."))
    return redirect("protocols:template_detail", entity_slug=entity.slug,
                    template_id=version.template.public_id)


def _version_for(entity, version_id) -> TemplateVersion:
    version = (TemplateVersion.objects.select_related("template")
               .filter(template__entity=entity, public_id=version_id).first())
    if version is None:
        raise Http404
    return version


# --- Approvals queue -------------------------------------------------------------------------


@entity_view(Action.APPROVE_REPLIES)
def approval_queue(request):
    entity = request.entity
    pending = selectors.pending_approvals_for(request.user, entity)
    decided = (ApprovalRequest.objects.filter(entity=entity)
               .exclude(status=ApprovalStatus.PENDING).select_related("decided_by")[:20])
    return render(request, "protocols/approval_queue.html", {
        "pending": pending, "decided": decided, "form": forms.DecisionForm()})


@require_POST
@entity_view(Action.APPROVE_REPLIES)
def approval_decide(request, approval_id):
    entity = request.entity
    approval = get_object_for_entity(ApprovalRequest.objects, entity, public_id=approval_id)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        services.approval_decide(actor=request.user, request=approval, approve=approve,
                                 note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        for msg in _errors(exc):
            messages.error(request, msg)
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("protocols:approval_queue", entity_slug=entity.slug)


# --- Generic sections (list, create, edit, delete) -------------------------------------------


@dataclass
class Section:
    key: str
    prefix: str
    kwarg: str
    model: type
    form: type
    title: str
    intro: str
    columns: list = field(default_factory=list)  # (label, callable(obj) -> str)
    template: str = "protocols/section_list.html"
    save: object = None
    related: tuple = ()  # select_related for the list (no query per row)


def _choice(obj, name):
    return getattr(obj, f"get_{name}_display")()


def _hours(obj):
    return f"{obj.target_hours.normalize():f}".replace(".", ",") + " h"


def _handover(obj):
    done = sum(1 for key, _label in HANDOVER_ITEMS if obj.handover.get(key))
    return f"{done}/{len(HANDOVER_ITEMS)}"


def _rule_conditions(rule):
    parts = []
    for label, values, choices in (
            (_("category"), rule.categories, MentionCategory),
            (_("PQRSD"), rule.pqrsd_types, PqrsdType),
            (_("urgency"), rule.urgencies, Urgency),
            (_("words"), rule.keywords, None),
            (_("network"), rule.platforms, Platform)):
        if values:
            shown = [escalation.choice_label(choices, v) if choices else v for v in values]
            parts.append(f"{label}: {', '.join(shown)}")
    if rule.min_followers is not None:
        parts.append(_("followers ≥ %(n)s") % {"n": rule.min_followers})
    return "; ".join(parts) or _("any mention")


def _rule_actions(rule):
    return "; ".join(a.label for a in escalation.rule_actions(rule)) or "—"


def _yes(value):
    return _("Yes") if value else _("No")


SECTIONS: dict[str, Section] = {s.key: s for s in [
    Section("area", "areas", "area_id", Area, forms.AreaForm, gettext_lazy("Areas and roles"),
            gettext_lazy("The columns of the RACI matrix: top management, offices, roles."),
            [(gettext_lazy("Name"), lambda o: o.name),
             (gettext_lazy("Kind"), lambda o: _choice(o, "kind")),
             (gettext_lazy("Contact"), lambda o: o.contact or "—")]),
    Section("activity", "actividades", "activity_id", RaciActivity, forms.RaciActivityForm,
            gettext_lazy("RACI activities"),
            gettext_lazy("The rows of the RACI matrix."),
            [(gettext_lazy("Activity"), lambda o: o.name),
             (gettext_lazy("Order"), lambda o: o.position)]),
    Section("sla", "tiempos-respuesta", "sla_id", ResponseSla, forms.ResponseSlaForm,
            gettext_lazy("Response targets"),
            gettext_lazy("First-response targets by network, category and urgency. The most "
                         "specific row applies; among equally specific rows, the shortest."),
            [(gettext_lazy("Network"), lambda o: o.platform or _("Every network")),
             (gettext_lazy("Category"), lambda o: _choice(o, "category") or _("Any")),
             (gettext_lazy("Urgency"), lambda o: _choice(o, "urgency") or _("Any")),
             (gettext_lazy("Target"), _hours),
             (gettext_lazy("Counted in"), lambda o: _choice(o, "clock"))]),
    Section("nonworkingday", "dias-no-habiles", "day_id", NonWorkingDay,
            forms.NonWorkingDayForm, gettext_lazy("Non-working days of the entity"),
            gettext_lazy("Days the entity declared non-working; legal terms skip them."),
            [(gettext_lazy("Date"), lambda o: o.date.strftime("%d/%m/%Y")),
             (gettext_lazy("Reason"), lambda o: o.reason)]),
    Section("escalation", "escalamiento", "rule_id", EscalationRule, forms.EscalationRuleForm,
            gettext_lazy("Escalation rules"),
            gettext_lazy("Evaluated in order; every rule whose conditions hold fires, and a "
                         "rule marked “stop here” ends the evaluation."),
            [(gettext_lazy("Order"), lambda o: o.position),
             (gettext_lazy("Rule"), lambda o: o.name),
             (gettext_lazy("When"), _rule_conditions),
             (gettext_lazy("Then"), _rule_actions),
             (gettext_lazy("Active"), lambda o: _yes(o.is_active))],
            template="protocols/escalation_list.html", save=services.escalation_rule_save,
            related=("assign_area", "assign_user", "channel")),
    Section("approvalrule", "reglas-aprobacion", "approval_rule_id", ApprovalRule,
            forms.ApprovalRuleForm, gettext_lazy("Approval rules"),
            gettext_lazy("Which replies need approval and from which role."),
            [(gettext_lazy("Order"), lambda o: o.position),
             (gettext_lazy("Rule"), lambda o: o.name),
             (gettext_lazy("Approved by"), lambda o: _choice(o, "required_role"))]),
    Section("risk", "riesgos", "risk_id", Risk, forms.RiskForm, gettext_lazy("Risk register"),
            gettext_lazy("Likelihood and impact from 1 to 5; the score is their product."),
            [(gettext_lazy("Risk"), lambda o: o.title),
             (gettext_lazy("Kind"), lambda o: _choice(o, "kind")),
             (gettext_lazy("Score"), lambda o: f"{o.score} ({o.likelihood}×{o.impact})"),
             (gettext_lazy("Owner"), lambda o: o.owner or "—"),
             (gettext_lazy("Status"), lambda o: _choice(o, "status"))],
            related=("owner",)),
    Section("crisis", "crisis", "level_id", CrisisLevel, forms.CrisisLevelForm,
            gettext_lazy("Crisis protocol"),
            gettext_lazy("Levels, who is called at each, holding statements and a checklist."),
            [(gettext_lazy("Level"), lambda o: o.level),
             (gettext_lazy("Name"), lambda o: o.name),
             (gettext_lazy("Who is called"), lambda o: o.who_is_called),
             (gettext_lazy("Digital task force"), lambda o: _yes(o.call_digital_task_force)),
             (gettext_lazy("Holding statement"), lambda o: o.holding_statement),
             (gettext_lazy("Checklist"), lambda o: "\n".join(
                 f"☐ {item}" for item in o.checklist_items))]),
    Section("pqrsdchannel", "canales-pqrsd", "policy_id", ChannelPqrsdPolicy,
            forms.ChannelPqrsdPolicyForm, gettext_lazy("Channels that accept PQRSD"),
            gettext_lazy("Citizens must be told which channels accept PQRSD."),
            [(gettext_lazy("Channel"), lambda o: o.channel),
             (gettext_lazy("Accepts PQRSD"), lambda o: _yes(o.accepts_pqrsd)),
             (gettext_lazy("Notes"), lambda o: o.notes or "—")],
            related=("channel",)),
    Section("custody", "custodia", "custody_id", AccountCustody, forms.AccountCustodyForm,
            gettext_lazy("Account custody"),
            gettext_lazy("Who holds access to each official account and how it is protected."),
            [(gettext_lazy("Account"), lambda o: o.channel),
             (gettext_lazy("Custodian"), lambda o: o.custodian or o.custodian_name or "—"),
             (gettext_lazy("Recovery e-mail"), lambda o: o.recovery_email),
             (gettext_lazy("Two-factor"), lambda o: _yes(o.two_factor_enabled)),
             (gettext_lazy("Last rotation"),
              lambda o: o.last_rotation.strftime("%d/%m/%Y") if o.last_rotation else "—"),
             (gettext_lazy("Hand-over"), _handover)],
            related=("channel", "custodian")),
]}


def _section_list(request, section: Section, extra=None):
    entity = request.entity
    objects = list(section.model.objects.filter(entity=entity)
                   .select_related(*section.related))
    rows = [{"obj": o, "cells": [str(fn(o)) for _label, fn in section.columns],
             "edit_url": reverse(f"protocols:{section.key}_edit",
                                 kwargs={"entity_slug": entity.slug,
                                         section.kwarg: o.public_id})} for o in objects]
    context = {"section": section, "rows": rows, "can_edit": _can_edit(request),
               "create_url": reverse(f"protocols:{section.key}_create",
                                     kwargs={"entity_slug": entity.slug})}
    if section.key == "escalation":
        context["problems"] = escalation.check_rules(
            list(EscalationRule.objects.filter(entity=entity)))
        context.setdefault("try_form", forms.TryMentionForm())
    if section.key == "custody":
        context["warnings"] = selectors.custody_warnings(entity)
    context.update(extra or {})
    return render(request, section.template, context)


def _section_form(request, section: Section, instance=None):
    entity = request.entity
    form = section.form(request.POST or None, instance=instance, entity=entity)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        save = section.save or services.record_save
        try:
            save(actor=request.user, entity=entity,
                 **({"rule": obj} if section.key == "escalation" else {"instance": obj}))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for fld, msgs in exc.message_dict.items():
                    form.add_error(fld if fld in form.fields else None, msgs)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"protocols:{section.key}_list", entity_slug=entity.slug)
    delete_url = None
    if instance is not None:
        delete_url = reverse(f"protocols:{section.key}_delete",
                             kwargs={"entity_slug": entity.slug, section.kwarg: instance.public_id})
    return render(request, "protocols/section_form.html", {
        "section": section, "form": form, "object": instance, "delete_url": delete_url,
        "list_url": reverse(f"protocols:{section.key}_list",
                            kwargs={"entity_slug": entity.slug})})


def _make_views(section: Section):
    @entity_view(Action.VIEW_PROTOCOLS)
    def list_view(request):
        return _section_list(request, section)

    @entity_view(Action.EDIT_PROTOCOLS)
    def create_view(request):
        return _section_form(request, section)

    @entity_view(Action.EDIT_PROTOCOLS)
    def edit_view(request, **kwargs):
        instance = get_object_for_entity(section.model.objects, request.entity,
                                         public_id=kwargs[section.kwarg])
        return _section_form(request, section, instance)

    @require_POST
    @entity_view(Action.EDIT_PROTOCOLS)
    def delete_view(request, **kwargs):
        instance = get_object_for_entity(section.model.objects, request.entity,
                                         public_id=kwargs[section.kwarg])
        try:
            services.record_delete(actor=request.user, entity=request.entity, instance=instance)
        except Exception as exc:  # noqa: BLE001  (ProtectedError and the like)
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Deleted."))
        return redirect(f"protocols:{section.key}_list", entity_slug=request.entity.slug)

    return list_view, create_view, edit_view, delete_view


def section_urlpatterns():
    patterns = []
    for section in SECTIONS.values():
        list_view, create_view, edit_view, delete_view = _make_views(section)
        p, k = section.prefix, section.kwarg
        patterns += [
            path(f"{p}/", list_view, name=f"{section.key}_list"),
            path(f"{p}/nuevo/", create_view, name=f"{section.key}_create"),
            path(f"{p}/<uuid:{k}>/", edit_view, name=f"{section.key}_edit"),
            path(f"{p}/<uuid:{k}>/borrar/", delete_view, name=f"{section.key}_delete"),
        ]
    return patterns
