from django.db import models
from django.utils.translation import gettext_lazy as _


class MentionSource(models.TextChoices):
    POLL = "poll", _("Polling")
    WEBHOOK = "webhook", _("Webhook")
    LISTENING = "listening", _("Listening query")


class Category(models.TextChoices):
    """The classifier's label (monitoring.classifier)."""

    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", _("Question")
    PRAISE = "praise", _("Praise")
    OTHER = "other", _("Other")


# Labels that open (or join) a case in the queue.
QUEUED_CATEGORIES = (Category.COMPLAINT, Category.QUESTION)


class PqrsdType(models.TextChoices):
    PETICION = "peticion", _("Petition")
    QUEJA = "queja", _("Complaint (queja)")
    RECLAMO = "reclamo", _("Claim (reclamo)")
    SUGERENCIA = "sugerencia", _("Suggestion")
    DENUNCIA = "denuncia", _("Report of wrongdoing (denuncia)")
    FELICITACION = "felicitacion", _("Congratulation")
    NONE = "none", _("None")


# PQRSD types that carry a legal answer deadline (Ley 1755 de 2015). A congratulation does not.
LEGAL_PQRSD_TYPES = (PqrsdType.PETICION, PqrsdType.QUEJA, PqrsdType.RECLAMO,
                     PqrsdType.SUGERENCIA, PqrsdType.DENUNCIA)


class Urgency(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


URGENCY_RANK = {Urgency.HIGH: 0, Urgency.NORMAL: 1, Urgency.LOW: 2}


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


# Every status but CLOSED is "active": a new message of the same author and thread joins it.
ACTIVE_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.PENDING_APPROVAL,
                        CaseStatus.ANSWERED)


class PollKind(models.TextChoices):
    CHANNEL = "channel", _("Channel mentions")
    LISTENING = "listening", _("Listening query")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (no matching channel)")
    FAILED = "failed", _("Failed")


class WebhookSource(models.TextChoices):
    META = "meta", "Meta (Facebook, Instagram)"
    X = "x", "X"
