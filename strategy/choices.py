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
