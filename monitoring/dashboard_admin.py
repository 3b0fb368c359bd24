"""Django admin of the dashboard's models (registered from MonitoringConfig.ready()).

Rollups are derived data (rebuilt by the workers): read-only. Alerts are acknowledged on the
dashboard (which records the person and writes the audit trail): read-only here. Report jobs
are listed for support; their files are served only through the tenant-checked view.
"""

from django.contrib import admin

from .dashboard_models import Alert, DailyRollup, ReportJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdmin):
    list_display = ["day", "entity", "platform", "channel", "category", "mentions", "negative",
                    "own_posts"]
    list_filter = ["platform", "category", "entity"]
    date_hierarchy = "day"


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "entity", "kind", "severity", "raised_at", "acknowledged_by",
                    "acknowledged_at"]
    list_filter = ["kind", "severity", "entity"]
    search_fields = ["dedupe_key"]


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "entity", "kind", "status", "progress", "requested_by",
                    "created_at", "finished_at"]
    list_filter = ["kind", "status", "entity"]
    exclude = ["file"]
