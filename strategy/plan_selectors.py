"""Reads of the plan: each step's completeness, what is missing, and the readiness score."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import PlanPersonRole, ResourceKind
from .models import (
    Audience,
    AuditEvent,
    Entity,
    Kpi,
    Objective,
    Plan,
    PlanActivity,
    PlanPerson,
    Resource,
    ToneGuide,
)
from .plan_registry import Check, completeness_provider

CONTRACT_WARNING_DAYS = 30

# (number, title, url name of the step's page). Steps 5 and 6 are other apps' pages.
STEPS = [
    (1, gettext_lazy("Owner and team"), "strategy:plan_owner"),
    (2, gettext_lazy("Objectives, audiences and KPIs"), "strategy:plan_objectives"),
    (3, gettext_lazy("Channels"), "channels_app:channel_list"),
    (4, gettext_lazy("Tone and language"), "strategy:plan_tone"),
    (5, gettext_lazy("Protocols"), "protocols:overview"),
    (6, gettext_lazy("Response"), "monitoring:inbox"),
    (7, gettext_lazy("Launch"), "channels_app:launch"),
    (8, gettext_lazy("Sustainability"), "strategy:plan_sustainability"),
]


@dataclass
class StepStatus:
    number: int
    title: str
    url: str | None
    percent: int | None  # None: this step has no measure yet (its app is not installed)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.percent == 100


def step_url(name: str, entity: Entity) -> str | None:
    try:
        return reverse(name, kwargs={"entity_slug": entity.slug})
    except NoReverseMatch:
        return None


def plan_of(entity: Entity) -> Plan:
    return Plan.objects.filter(entity=entity).first() or Plan(entity=entity)


def tone_guide_of(entity: Entity) -> ToneGuide:
    return ToneGuide.objects.filter(entity=entity).first() or ToneGuide(entity=entity)


def people_of(entity: Entity):
    return PlanPerson.objects.filter(entity=entity).select_related("user").prefetch_related(
        "channels_covered")


def owner_of(entity: Entity) -> PlanPerson | None:
    return PlanPerson.objects.filter(entity=entity, role=PlanPersonRole.OWNER).first()


def contracts_ending_soon(entity: Entity, *, days: int = CONTRACT_WARNING_DAYS):
    """Outsourced people whose contract ends within `days` (or has already ended)."""
    limit = timezone.localdate() + timedelta(days=days)
    return PlanPerson.objects.filter(entity=entity, is_outsourced=True,
                                     contract_end__isnull=False,
                                     contract_end__lte=limit).order_by("contract_end")


def objectives_tree(entity: Entity):
    """General objectives with their specific objectives and every KPI, in few queries."""
    kpis = Kpi.objects.filter(entity=entity).prefetch_related("measurements__recorded_by")
    specific = Objective.objects.filter(entity=entity, parent__isnull=False).prefetch_related(
        Prefetch("kpis", queryset=kpis))
    return (Objective.objects.filter(entity=entity, parent__isnull=True)
            .prefetch_related(Prefetch("specific_objectives", queryset=specific),
                              Prefetch("kpis", queryset=kpis)))


def audiences_of(entity: Entity):
    return Audience.objects.filter(entity=entity)


def kpis_of(entity: Entity):
    return Kpi.objects.filter(entity=entity).select_related("objective")


def resources_of(entity: Entity):
    return Resource.objects.filter(entity=entity)


def activities_of(entity: Entity, *, horizon: str | None = None):
    qs = PlanActivity.objects.filter(entity=entity).select_related("channel", "owner")
    if horizon:
        qs = qs.filter(horizon=horizon)
    return qs


def plan_history(entity: Entity):
    """Who changed what in the plan, newest first."""
    return (AuditEvent.objects.filter(entity=entity)
            .filter(Q(action__startswith="plan.") | Q(action__startswith="channel."))
            .select_related("actor"))


# --- Completeness per step ------------------------------------------------------------------


def _owner_checks(entity: Entity) -> list[Check]:
    counts = dict(PlanPerson.objects.filter(entity=entity).values_list("role")
                  .annotate(n=Count("id")))
    checks = [
        Check(bool(counts.get(PlanPersonRole.OWNER)),
              _("Name the one person accountable for the strategy (its owner).")),
        Check(bool(counts.get(PlanPersonRole.FORMULATION)),
              _("Record who took part in formulating the strategy.")),
        Check(bool(counts.get(PlanPersonRole.TEAM)), _("Record the team that works on it.")),
        Check(bool(counts.get(PlanPersonRole.COMMUNITY_MANAGER)),
              _("Record at least one community manager, internal or outsourced.")),
    ]
    today = timezone.localdate()
    for person in contracts_ending_soon(entity):
        if person.contract_end < today:
            text = _("The contract of %(name)s (%(agency)s) ended on %(date)s.")
        else:
            text = _("The contract of %(name)s (%(agency)s) ends on %(date)s, in less than "
                     "30 days.")
        checks.append(Check(False, text % {"name": person.name, "agency": person.agency,
                                           "date": person.contract_end.strftime("%d/%m/%Y")},
                            warning=True))
    return checks


def _objectives_checks(entity: Entity) -> list[Check]:
    plan = plan_of(entity)
    checks = [
        Check(bool(plan.why_be_there.strip()), _("Answer: why be on social networks?")),
        Check(bool(plan.what_it_seeks.strip()), _("Answer: what does the entity seek there?")),
        Check(bool(plan.audience_characteristics.strip()),
              _("Answer: what are the characteristics of its target audience?")),
        Check(bool(plan.what_to_achieve.strip()),
              _("Answer: what does it want to achieve with that audience?")),
    ]
    general = list(Objective.objects.filter(entity=entity, parent__isnull=True).annotate(
        n_specific=Count("specific_objectives", distinct=True),
        n_kpis=Count("kpis", distinct=True),
        n_specific_kpis=Count("specific_objectives__kpis", distinct=True)))
    checks.append(Check(bool(general), _("Write at least one general objective.")))
    for objective in general:
        checks.append(Check(objective.n_specific > 0, _(
            "The general objective “%(title)s” has no specific objective.")
            % {"title": objective.title}))
        checks.append(Check(objective.n_kpis + objective.n_specific_kpis > 0, _(
            "The objective “%(title)s” has no indicator (KPI) to measure it.")
            % {"title": objective.title}))
    checks.append(Check(Audience.objects.filter(entity=entity).exists(),
                        _("Describe at least one audience.")))
    return checks


def _tone_checks(entity: Entity) -> list[Check]:
    guide = tone_guide_of(entity)
    return [
        Check(bool(guide.voice_attributes.strip()), _("Describe the voice of the entity.")),
        Check(bool(guide.do_examples.strip()), _("Give examples of replies to follow.")),
        Check(bool(guide.dont_examples.strip()), _("Give examples of replies to avoid.")),
        Check(bool(guide.greeting_rules.strip()), _("Write the greeting rules.")),
        Check(bool(guide.signature_rules.strip()), _("Write the signature rules.")),
        Check(bool(guide.forbidden_words.strip()), _("List the forbidden words.")),
    ]


def _sustainability_checks(entity: Entity) -> list[Check]:
    kinds = set(Resource.objects.filter(entity=entity).values_list("kind", flat=True))
    horizons = set(PlanActivity.objects.filter(entity=entity)
                   .values_list("horizon", flat=True))
    return [
        Check(ResourceKind.PEOPLE in kinds,
              _("Record the people and weekly hours dedicated to social networks.")),
        Check(ResourceKind.BUDGET in kinds, _("Record at least one budget line.")),
        Check(ResourceKind.TOOL in kinds, _("Record the tools the team uses.")),
        Check("year" in horizons, _("Plan the activities of the year (long term).")),
        Check("quarter" in horizons, _("Plan the activities of the quarter (medium term).")),
        Check(bool({"month", "week"} & horizons),
              _("Plan the activities of the month or the week (short term).")),
    ]


_LOCAL_CHECKS = {1: _owner_checks, 2: _objectives_checks, 4: _tone_checks,
                 8: _sustainability_checks}


def _percent(checks: list[Check]) -> int:
    scored = [c for c in checks if not c.warning]
    if not scored:
        return 100
    return round(100 * sum(c.ok for c in scored) / len(scored))


def _protocols_status(entity: Entity) -> tuple[int, list[str]] | None:
    try:
        from protocols.selectors import protocol_completeness
    except ImportError:
        return None
    percent, missing = protocol_completeness(entity)
    return int(percent), [str(m) for m in missing]


def step_status(entity: Entity, number: int) -> StepStatus:
    _n, title, url_name = STEPS[number - 1]
    status = StepStatus(number=number, title=str(title), url=step_url(url_name, entity),
                        percent=None)
    if number == 5:
        result = _protocols_status(entity)
        if result is not None:
            status.percent, status.missing = result
        return status
    checks_fn = _LOCAL_CHECKS.get(number) or completeness_provider(number)
    if checks_fn is None:
        return status
    checks = checks_fn(entity)
    status.percent = _percent(checks)
    status.missing = [c.missing for c in checks if not c.ok and not c.warning]
    status.warnings = [c.missing for c in checks if c.warning]
    return status


def plan_completeness(entity: Entity) -> tuple[list[StepStatus], int]:
    """Every step's status and the overall readiness score (mean of the measured steps)."""
    steps = [step_status(entity, number) for number, _t, _u in STEPS]
    measured = [s.percent for s in steps if s.percent is not None]
    readiness = round(sum(measured) / len(measured)) if measured else 0
    return steps, readiness


_VERBS = {"create": gettext_lazy("created"), "update": gettext_lazy("changed"),
          "delete": gettext_lazy("deleted"), "save": gettext_lazy("saved")}


def _model_for_action(action: str):
    from django.apps import apps

    parts = action.split(".")
    model_name = parts[1] if len(parts) == 3 else ("channel" if parts[0] == "channel" else "")
    for app_label in ("strategy", "channels_app"):
        try:
            return apps.get_model(app_label, model_name)
        except (LookupError, ValueError):
            continue
    return None


def describe_values(action: str, values: dict | None) -> list[tuple[str, object]]:
    """The before/after values of an audit row with each field's name in the interface."""
    if not values:
        return []
    model = _model_for_action(action)
    rows = []
    for name, value in values.items():
        label = name
        if model is not None:
            try:
                label = str(model._meta.get_field(name).verbose_name).capitalize()
            except FieldDoesNotExist:
                pass  # a field removed since: keep its stored name
        rows.append((label, value))
    return rows


def describe_action(action: str) -> str:
    """"plan.objective.update" → "Objetivo: modificado" (the kind of record and the verb)."""
    from django.apps import apps

    parts = action.split(".")
    if len(parts) == 2 and parts[0] == "channel":
        parts = ["plan", "channel", parts[1]]
    if len(parts) != 3:
        return action
    _prefix, model_name, verb = parts
    for app_label in ("strategy", "channels_app"):
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        return f"{str(model._meta.verbose_name).capitalize()}: {_VERBS.get(verb, verb)}"
    return action
