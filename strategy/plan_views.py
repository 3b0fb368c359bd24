"""Pages of the plan workspace (steps 1, 2, 4 and 8, the overview, history and exports).

Thin views: load through the tenant gate, validate with a form, call one service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import plan_export, plan_selectors, plan_services
from .choices import Horizon
from .models import Audience, Kpi, Objective, PlanActivity, PlanPerson, Resource
from .permissions import Action, can
from .plan_forms import (
    AudienceForm,
    GuidingAnswersForm,
    KpiForm,
    KpiMeasurementForm,
    LanguageTryForm,
    ObjectiveForm,
    PlanActivityForm,
    PlanPersonForm,
    ResourceForm,
    ToneGuideForm,
)
from .tenancy import entity_view, get_object_for_entity


def _redirect(name: str, request, anchor: str = ""):
    response = redirect(f"strategy:{name}", entity_slug=request.entity.slug)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _apply(form, call) -> bool:
    """Run a service; a ValidationError goes back onto the form (nothing typed is lost)."""
    try:
        call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False
    return True


def _create(request, form) -> bool:
    data, m2m = form.split_data()
    return _apply(form, lambda: plan_services.plan_item_create(
        actor=request.user, entity=request.entity, model=form._meta.model, data=data, m2m=m2m))


def _can_edit(request) -> bool:
    return can(request.user, request.entity, Action.EDIT_PLAN)


def _read_only(request, *forms) -> None:
    """Members who may only read see the forms' values, disabled."""
    if not _can_edit(request):
        for form in forms:
            for field in form.fields.values():
                field.disabled = True


# The kinds of finding of the language checker, as the interface names them.
FINDING_LABELS = {
    "spelling": gettext_lazy("Spelling"),
    "sms_abbreviation": gettext_lazy("Chat abbreviation"),
    "missing_inverted_mark": gettext_lazy("Opening mark"),
    "missing_accent": gettext_lazy("Written accent"),
    "all_caps": gettext_lazy("Capitals"),
    "forbidden_word": gettext_lazy("Forbidden word"),
    "over_limit": gettext_lazy("Too long"),
    "cold_tone": gettext_lazy("Tone"),
}


def _require_edit(request) -> None:
    from .permissions import require

    require(request.user, request.entity, Action.EDIT_PLAN)


@entity_view(Action.VIEW_PLAN)
def plan_overview(request):
    steps, readiness = plan_selectors.plan_completeness(request.entity)
    return render(request, "strategy/plan/overview.html", {
        "steps": steps, "readiness": readiness, "can_edit": _can_edit(request),
    })


@entity_view(Action.VIEW_PLAN)
def plan_owner(request):
    form = PlanPersonForm(request.POST or None, entity=request.entity, prefix="person")
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid() and _create(request, form):
            messages.success(request, _("Person added to the plan."))
            return _redirect("plan_owner", request)
    people = list(plan_selectors.people_of(request.entity))
    return render(request, "strategy/plan/owner.html", {
        "form": form, "people": people, "status": plan_selectors.step_status(request.entity, 1),
        "ending_soon": list(plan_selectors.contracts_ending_soon(request.entity)),
        "can_edit": _can_edit(request),
    })


@entity_view(Action.VIEW_PLAN)
def plan_objectives(request):
    entity = request.entity
    plan = plan_selectors.plan_of(entity)
    which = request.POST.get("form") if request.method == "POST" else None
    answers = GuidingAnswersForm(request.POST if which == "answers" else None, instance=plan,
                                 entity=entity, prefix="answers")
    objective = ObjectiveForm(request.POST if which == "objective" else None, entity=entity,
                              prefix="objective")
    audience = AudienceForm(request.POST if which == "audience" else None, entity=entity,
                            prefix="audience")
    kpi = KpiForm(request.POST if which == "kpi" else None, entity=entity, prefix="kpi")
    if request.method == "POST":
        _require_edit(request)
        if which == "answers" and answers.is_valid():
            if _apply(answers, lambda: plan_services.plan_update(
                    actor=request.user, entity=entity, data=answers.cleaned_data)):
                messages.success(request, _("Answers saved."))
                return _redirect("plan_objectives", request, "questions")
        for name, form, message in (
            ("objective", objective, _("Objective added.")),
            ("audience", audience, _("Audience added.")),
            ("kpi", kpi, _("Indicator added.")),
        ):
            if which == name and form.is_valid() and _create(request, form):
                messages.success(request, message)
                return _redirect("plan_objectives", request, name)
    return render(request, "strategy/plan/objectives.html", {
        "answers_form": answers, "objective_form": objective, "audience_form": audience,
        "kpi_form": kpi, "objectives": plan_selectors.objectives_tree(entity),
        "audiences": plan_selectors.audiences_of(entity),
        "status": plan_selectors.step_status(entity, 2), "can_edit": _can_edit(request),
    })


@entity_view(Action.VIEW_PLAN)
def plan_tone(request):
    entity = request.entity
    guide = plan_selectors.tone_guide_of(entity)
    form = ToneGuideForm(request.POST or None, instance=guide, entity=entity, prefix="tone")
    _read_only(request, form)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid() and _apply(form, lambda: plan_services.tone_guide_update(
                actor=request.user, entity=entity, data=form.cleaned_data)):
            messages.success(request, _("Tone guide saved."))
            return _redirect("plan_tone", request)
    return render(request, "strategy/plan/tone.html", {
        "form": form, "try_form": LanguageTryForm(), "status":
        plan_selectors.step_status(entity, 4), "can_edit": _can_edit(request),
    })


@entity_view(Action.VIEW_PLAN)
def plan_sustainability(request):
    entity = request.entity
    which = request.POST.get("form") if request.method == "POST" else None
    resource = ResourceForm(request.POST if which == "resource" else None, entity=entity,
                            prefix="resource")
    activity = PlanActivityForm(request.POST if which == "activity" else None, entity=entity,
                                prefix="activity")
    if request.method == "POST":
        _require_edit(request)
        for name, form, message in (("resource", resource, _("Resource added.")),
                                    ("activity", activity, _("Activity added."))):
            if which == name and form.is_valid() and _create(request, form):
                messages.success(request, message)
                return _redirect("plan_sustainability", request, name)
    activities = list(plan_selectors.activities_of(entity))
    horizons = [(value, label, [a for a in activities if a.horizon == value])
                for value, label in Horizon.choices]
    return render(request, "strategy/plan/sustainability.html", {
        "resource_form": resource, "activity_form": activity,
        "resources": plan_selectors.resources_of(entity), "horizons": horizons,
        "status": plan_selectors.step_status(entity, 8), "can_edit": _can_edit(request),
    })


# --- Editing and deleting one record: the same two views for every kind --------------------


@dataclass(frozen=True)
class ItemKind:
    model: type
    form: type
    kwarg: str
    back: str  # url name of the step page
    label: str


ITEM_KINDS = {
    "person": ItemKind(PlanPerson, PlanPersonForm, "person_id", "plan_owner",
                       gettext_lazy("person")),
    "objective": ItemKind(Objective, ObjectiveForm, "objective_id", "plan_objectives",
                          gettext_lazy("objective")),
    "audience": ItemKind(Audience, AudienceForm, "audience_id", "plan_objectives",
                         gettext_lazy("audience")),
    "kpi": ItemKind(Kpi, KpiForm, "kpi_id", "plan_objectives", gettext_lazy("indicator")),
    "resource": ItemKind(Resource, ResourceForm, "resource_id", "plan_sustainability",
                         gettext_lazy("resource")),
    "activity": ItemKind(PlanActivity, PlanActivityForm, "activity_id", "plan_sustainability",
                         gettext_lazy("activity")),
}


def _edit_context(request, kind_name: str, instance, form) -> dict:
    kind = ITEM_KINDS[kind_name]
    slug = request.entity.slug
    return {
        "form": form, "object": instance, "kind": kind, "kind_name": kind_name,
        "can_edit": _can_edit(request),
        "back_url": reverse(f"strategy:{kind.back}", kwargs={"entity_slug": slug}),
        "delete_url": reverse(f"strategy:plan_{kind_name}_delete",
                              kwargs={"entity_slug": slug, kind.kwarg: instance.public_id}),
    }


def _edit_view(kind_name: str):
    kind = ITEM_KINDS[kind_name]

    @entity_view(Action.VIEW_PLAN)
    def view(request, **kwargs):
        public_id = kwargs[kind.kwarg]
        instance = get_object_for_entity(kind.model.objects.all(), request.entity,
                                         public_id=public_id)
        form = kind.form(request.POST or None, instance=instance, entity=request.entity)
        _read_only(request, form)
        if request.method == "POST":
            _require_edit(request)
            if form.is_valid():
                data, m2m = form.split_data()
                fresh = get_object_for_entity(kind.model.objects.all(), request.entity,
                                              public_id=public_id)
                if _apply(form, lambda: plan_services.plan_item_update(
                        actor=request.user, instance=fresh, data=data, m2m=m2m)):
                    messages.success(request, _("Changes saved."))
                    return _redirect(kind.back, request)
        context = _edit_context(request, kind_name, instance, form)
        if kind_name == "kpi":
            context["measurements"] = instance.measurements.select_related("recorded_by")
            context["measurement_form"] = KpiMeasurementForm(prefix="measurement")
        return render(request, "strategy/plan/item_edit.html", context)

    view.__name__ = f"plan_{kind_name}_edit"
    return view


def _delete_view(kind_name: str):
    kind = ITEM_KINDS[kind_name]

    @require_POST
    @entity_view(Action.EDIT_PLAN)
    def view(request, **kwargs):
        instance = get_object_for_entity(kind.model.objects.all(), request.entity,
                                         public_id=kwargs[kind.kwarg])
        plan_services.plan_item_delete(actor=request.user, instance=instance)
        messages.success(request, _("Deleted."))
        return _redirect(kind.back, request)

    view.__name__ = f"plan_{kind_name}_delete"
    return view


EDIT_VIEWS = {name: _edit_view(name) for name in ITEM_KINDS}
DELETE_VIEWS = {name: _delete_view(name) for name in ITEM_KINDS}


@require_POST
@entity_view(Action.EDIT_PLAN)
def kpi_measurement_add(request, kpi_id):
    kpi = get_object_for_entity(Kpi.objects.all(), request.entity, public_id=kpi_id)
    form = KpiMeasurementForm(request.POST, prefix="measurement")
    if form.is_valid() and _apply(form, lambda: plan_services.kpi_measurement_record(
            actor=request.user, kpi=kpi, **form.cleaned_data)):
        messages.success(request, _("Measurement recorded."))
        return redirect("strategy:plan_kpi_edit", entity_slug=request.entity.slug,
                        kpi_id=kpi.public_id)
    context = _edit_context(request, "kpi", kpi, KpiForm(instance=kpi, entity=request.entity))
    context["measurements"] = kpi.measurements.select_related("recorded_by")
    context["measurement_form"] = form
    return render(request, "strategy/plan/item_edit.html", context, status=400)


# --- History, exports and the language checker ----------------------------------------------


@entity_view(Action.VIEW_PLAN)
def plan_history(request):
    events = list(plan_selectors.plan_history(request.entity)[:500])
    for event in events:
        event.label = plan_selectors.describe_action(event.action)
        event.before_rows = plan_selectors.describe_values(event.action, event.before)
        event.after_rows = plan_selectors.describe_values(event.action, event.after)
    return render(request, "strategy/plan/history.html", {"events": events})


@entity_view(Action.VIEW_PLAN)
def plan_export_markdown(request):
    text = plan_export.plan_markdown(request.entity)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="plan-redes-{request.entity.slug}.md"')
    return response


@entity_view(Action.VIEW_PLAN)
def plan_export_pdf(request):
    data = plan_export.plan_pdf(request.entity)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="plan-redes-{request.entity.slug}.pdf"')
    return response


@require_POST
@entity_view(Action.VIEW_PLAN)
def language_check(request):
    """htmx: the findings of the language checker for one field, as an HTML fragment."""
    from .language import NETWORK_LIMITS, check_text
    from .selectors import tone_rules_for

    field = request.POST.get("field", "text")
    text = request.POST.get(field)
    if text is None:  # forms with a prefix post "prefix-field"
        text = next((v for k, v in request.POST.items() if k.endswith(f"-{field}")), "")
    text = text[:10000]
    network = request.POST.get("network", "facebook")
    if network not in NETWORK_LIMITS:
        network = "facebook"
    findings = check_text(text, network, rules=tone_rules_for(request.entity)) if text else []
    return render(request, "strategy/plan/_findings.html", {
        "findings": [{"kind": f.kind, "label": FINDING_LABELS.get(f.kind, f.kind),
                      "message": f.message, "suggestion": f.suggestion,
                      "excerpt": text[f.start:f.end]} for f in findings],
        "checked": bool(text.strip())})
