"""Models of the dashboard (issue 7): daily rollups, alerts and report jobs.

Imported at the end of monitoring/models.py, so they belong to the `monitoring` app.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dashboard_choices import AlertKind, AlertSeverity, ReportKind, ReportStatus

__all__ = ["DailyRollup", "DailyLeaders", "Alert", "ReportJob"]


class DailyRollup(models.Model):
    """Mentions of one entity on one day (entity time zone), per channel, network and category.

    Kept by a worker (`metrics.rollup_recompute_day`): the recompute of a day deletes and
    rewrites that day's rows in one transaction, so running it twice changes nothing. The
    dashboard reads these rows instead of the raw mentions; a test recomputes them from the
    raw rows and compares.
    """

    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="daily_rollups", verbose_name=_("entity"))
    day = models.DateField(_("day"))
    channel = models.ForeignKey("channels_app.Channel", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="daily_rollups",
                                verbose_name=_("channel"))
    platform = models.CharField(_("network"), max_length=20)
    category = models.CharField(_("category"), max_length=20, blank=True)
    mentions = models.PositiveIntegerField(_("mentions"), default=0)
    negative = models.PositiveIntegerField(_("negative"), default=0)
    neutral = models.PositiveIntegerField(_("neutral"), default=0)
    positive = models.PositiveIntegerField(_("positive"), default=0)
    sentiment_sum = models.FloatField(_("sum of sentiment"), default=0.0)
    own_posts = models.PositiveIntegerField(
        _("posts by the entity"), default=0,
        help_text=_("Posts written by the entity's own account (not counted as mentions)."))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "day", "channel", "platform", "category"],
                condition=Q(channel__isnull=False),
                name="%(app_label)s_%(class)s_unique_channel_day"),
            models.UniqueConstraint(
                fields=["entity", "day", "platform", "category"],
                condition=Q(channel__isnull=True),
                name="%(app_label)s_%(class)s_unique_nochannel_day"),
        ]
        indexes = [models.Index(fields=["entity", "day"], name="monitoring_rollup_day_idx")]

    def __str__(self):
        return f"{self.entity_id} {self.day} {self.platform} {self.category}: {self.mentions}"


class DailyLeaders(models.Model):
    """The most active authors and conversations of one entity on one day (top 25 of each).

    `authors`: [[author_id, mentions, negative], ...]; `threads`: [[platform, thread_key,
    mentions], ...]. Summing the daily lists over a period is exact for every author or
    conversation that is in the top 25 on each day it was active, and a lower bound otherwise.
    """

    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="daily_leaders", verbose_name=_("entity"))
    day = models.DateField(_("day"))
    authors = models.JSONField(_("most active authors"), default=list, blank=True)
    threads = models.JSONField(_("most active conversations"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("daily leaders")
        verbose_name_plural = _("daily leaders")
        constraints = [
            models.UniqueConstraint(fields=["entity", "day"],
                                    name="%(app_label)s_%(class)s_unique_day"),
        ]

    def __str__(self):
        return f"{self.entity_id} {self.day}"


class Alert(models.Model):
    """Something the entity must look at: absence, crisis, SLA breach, contract, reconnection.

    `dedupe_key` names the situation (e.g. the channel and the date of its last post): while an
    alert with that key is open (not acknowledged), the sweep updates it instead of raising a
    new one. Acknowledging records the named person and the time; the alert stays in history.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="alerts", verbose_name=_("entity"))
    kind = models.CharField(_("kind"), max_length=32, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=AlertSeverity.choices,
                                default=AlertSeverity.WARNING)
    dedupe_key = models.CharField(_("situation"), max_length=200)
    channel = models.ForeignKey("channels_app.Channel", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="alerts",
                                verbose_name=_("channel"))
    params = models.JSONField(_("details"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledgement_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at"]
        constraints = [
            # Two sweeps racing must not raise the same situation twice.
            models.UniqueConstraint(fields=["entity", "dedupe_key"],
                                    condition=Q(acknowledged_at__isnull=True),
                                    name="%(app_label)s_%(class)s_one_open_per_key"),
        ]
        indexes = [models.Index(fields=["entity", "acknowledged_at", "-raised_at"],
                                name="monitoring_alert_open_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.raised_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def message(self) -> str:
        from .alerts import alert_message

        return alert_message(self)


def _report_path(instance, filename):
    return f"reports/{instance.entity.public_id}/{instance.public_id}/{filename}"


class ReportJob(models.Model):
    """A report or export generated by a worker; the file is served only through the tenant gate."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.ForeignKey("strategy.Entity", on_delete=models.CASCADE,
                               related_name="report_jobs", verbose_name=_("entity"))
    kind = models.CharField(_("report"), max_length=32, choices=ReportKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices,
                              default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=_report_path, max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["entity", "-created_at"],
                                name="monitoring_reportjob_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
