from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityKind(models.TextChoices):
    PUBLIC = "publica", _("Public")
    STATE = "del_estado", _("State-owned")
    MIXED = "mixta", _("Mixed economy")


class Sector(models.TextChoices):
    GOVERNMENT = "gobierno", _("Government and public administration")
    HEALTH = "salud", _("Health")
    EDUCATION = "educacion", _("Education")
    JUSTICE = "justicia", _("Justice")
    FINANCE = "hacienda", _("Finance")
    TRANSPORT = "transporte", _("Transport")
    ENVIRONMENT = "ambiente", _("Environment")
    CULTURE = "cultura", _("Culture")
    DEFENCE = "defensa", _("Defence and security")
    SERVICES = "servicios", _("Public utilities")
    OTHER = "otro", _("Other")


class Role(models.TextChoices):
    ENTITY_ADMIN = "entity_admin", _("Entity administrator")
    STRATEGY_OWNER = "strategy_owner", _("Strategy owner")
    COMMUNICATIONS_OFFICER = "communications_officer", _("Communications officer")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    APPROVER = "approver", _("Approver")
    AUDITOR = "auditor", _("Auditor")


class PlanPersonRole(models.TextChoices):
    """Step 1: who answers for the strategy and who works on it."""

    OWNER = "owner", _("Strategy owner")
    FORMULATION = "formulation", _("Took part in formulating the strategy")
    TEAM = "team", _("Team member")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")


class EmojiPolicy(models.TextChoices):
    NONE = "none", _("No emoji")
    MODERATE = "moderate", _("Moderate: at most one or two, never in sensitive replies")
    FREE = "free", _("Free, following the network's style")


class ResourceKind(models.TextChoices):
    PEOPLE = "people", _("People")
    BUDGET = "budget", _("Budget line")
    TOOL = "tool", _("Tool")


class Horizon(models.TextChoices):
    YEAR = "year", _("Long term (year)")
    QUARTER = "quarter", _("Medium term (quarter)")
    MONTH = "month", _("Short term (month)")
    WEEK = "week", _("Short term (week)")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
