from django.db import models
from django.utils.translation import gettext_lazy as _


class PqrsdType(models.TextChoices):
    """PQRSD request types (Ley 1755 de 2015, art. 13 and 14)."""

    PETICION = "peticion", _("General petition")
    INFORMACION = "informacion", _("Request for documents and information")
    CONSULTA = "consulta", _("Consultation")
    QUEJA = "queja", _("Complaint about conduct (queja)")
    RECLAMO = "reclamo", _("Claim about a service (reclamo)")
    SUGERENCIA = "sugerencia", _("Suggestion")
    DENUNCIA = "denuncia", _("Report of wrongdoing (denuncia)")


class MentionCategory(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", _("Question")
    PRAISE = "praise", _("Praise")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Clock(models.TextChoices):
    BUSINESS = "business", _("Business hours")
    CALENDAR = "calendar", _("Calendar hours")


class RaciLetter(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class AreaKind(models.TextChoices):
    TOP_MANAGEMENT = "top_management", _("Top management")
    AREA = "area", _("Area or office")
    ROLE = "role", _("Role")
    EXTERNAL = "external", _("External (agency, national government)")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalKind(models.TextChoices):
    TEMPLATE_VERSION = "template_version", _("Response template")
    REPLY = "reply", _("Reply to a citizen")
    ESCALATION = "escalation", _("Escalation")
    POST = "post", _("Post")


class RiskKind(models.TextChoices):
    FAKE_ACCOUNTS = "fake_accounts", _("Anonymous or fake accounts attacking")
    TROLL_CAMPAIGN = "troll_campaign", _("Troll campaign")
    MISINFORMATION = "misinformation", _("Misinformation")
    IMPERSONATION = "impersonation", _("Impersonation of the entity")
    DATA_LEAK = "data_leak", _("Data leak")
    ACCOUNT_TAKEOVER = "account_takeover", _("Account takeover")
    OTHER = "other", _("Other")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATED = "mitigated", _("Mitigated")
    CLOSED = "closed", _("Closed")


# Hand-over checklist of an official account (when the team or the administration changes).
HANDOVER_ITEMS = [
    ("inventory_signed", _("Inventory of accounts and access signed by both parties")),
    ("password_rotated", _("Password changed by the new custodian")),
    ("recovery_email_institutional", _("Recovery e-mail checked: institutional, not personal")),
    ("two_factor_moved", _("Two-factor authentication moved to the new custodian")),
    ("admins_reviewed", _("Administrators and roles on the platform reviewed")),
    ("sessions_closed", _("Open sessions and connected apps of the former team closed")),
]
