"""Choices of the dashboard, alerts and reports (issue 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    ABSENCE_POSTS = "absence_posts", _("Channel without posts")
    ABSENCE_UNANSWERED = "absence_unanswered", _("Unanswered mentions")
    CRISIS = "crisis", _("Spike of negative mentions")
    SLA_BREACH = "sla_breach", _("First-response deadline missed")
    CONTRACT_ENDING = "contract_ending", _("Outsourced contract about to end")
    CHANNEL_RECONNECTION = "channel_reconnection", _("Channel needs reconnection")


class AlertSeverity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {AlertSeverity.CRITICAL: 0, AlertSeverity.WARNING: 1, AlertSeverity.INFO: 2}


class ReportKind(models.TextChoices):
    MONTHLY_PDF = "monthly_pdf", _("Monthly report (PDF)")
    TRANSPARENCY_PDF = ("transparency_pdf",
                        _("Requests received through social networks, Ley 1712 (PDF)"))
    TRANSPARENCY_XLSX = ("transparency_xlsx",
                         _("Requests received through social networks, Ley 1712 (XLSX)"))
    SLA_XLSX = "sla_xlsx", _("SLA met per community manager and team (XLSX)")
    CASES_CSV = "cases_csv", _("Cases (CSV)")
    CASES_XLSX = "cases_xlsx", _("Cases (XLSX)")
    MENTIONS_CSV = "mentions_csv", _("Mentions (CSV)")
    MENTIONS_XLSX = "mentions_xlsx", _("Mentions (XLSX)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class PeriodChoice(models.TextChoices):
    DAYS_7 = "7", _("Last 7 days")
    DAYS_30 = "30", _("Last 30 days")
    DAYS_90 = "90", _("Last 90 days")
    CUSTOM = "custom", _("Custom")
