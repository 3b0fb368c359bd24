"""Choices of the complaint inbox (issue 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    REJECTED = "rejected", _("Rejected by the approver")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class OutcomeKind(models.TextChoices):
    RESPONDED = "responded", _("Responded")
    ESCALATED = "escalated", _("Escalated to an area")
    NOT_PETITION = "not_petition", _("Not a formal petition")
    REGISTERED = "registered", _("Registered as PQRSD")
    TRANSFERRED = "transferred", _("Transferred to the competent entity")
    EXTENDED = "extended", _("Deadline extended")
    MERGED = "merged", _("Merged into another case")
    SPAM = "spam", _("Spam")
    TROLL = "troll", _("Troll")
    CLOSED = "closed", _("Closed with a resolution")
    REOPENED = "reopened", _("Reopened")


# Outcomes that close the case.
CLOSING_OUTCOMES = (OutcomeKind.MERGED, OutcomeKind.SPAM, OutcomeKind.TROLL,
                    OutcomeKind.CLOSED, OutcomeKind.TRANSFERRED)


class PresenceActivity(models.TextChoices):
    VIEWING = "viewing", _("viewing")
    DRAFTING = "drafting", _("drafting a reply")


class SlaNoticeKind(models.TextChoices):
    WARNING = "warning", _("Warning before the first-response deadline")
    ESCALATION = "escalation", _("Escalation after the first-response deadline")
    LEGAL_WARNING = "legal_warning", _("Warning before the legal deadline")
    LEGAL_ESCALATION = "legal_escalation", _("Escalation after the legal deadline")
