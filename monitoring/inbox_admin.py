"""Django admin of the inbox's models (registered from MonitoringConfig.ready()).

Replies, radicados, outcomes and deadline notices are records of what happened: read-only
here, changed only through the inbox's services (which write the audit trail). The entity's
inbox settings and each member's e-mail preferences are editable.
"""

from django.contrib import admin

from .inbox_models import (
    CaseNote,
    CaseOutcome,
    InboxSettings,
    NotificationPreference,
    PqrsdRegistration,
    Reply,
    SlaNotice,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InboxSettings)
class InboxSettingsAdmin(admin.ModelAdmin):
    list_display = ["entity", "only_assignee_replies", "claim_timeout_minutes",
                    "warn_before_minutes"]
    autocomplete_fields = ["entity"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "entity", "email_deadline_warnings", "email_escalations"]
    list_filter = ["entity"]
    search_fields = ["user__email"]


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "entity", "status", "attempts", "author", "external_id"]
    list_filter = ["status", "entity"]
    search_fields = ["text", "external_id", "public_id"]


@admin.register(PqrsdRegistration)
class PqrsdRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["radicado", "entity", "pqrsd_type", "registered_at", "legal_due",
                    "extended_at"]
    list_filter = ["entity", "year", "pqrsd_type"]
    search_fields = ["radicado"]


@admin.register(CaseOutcome)
class CaseOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "case", "actor"]
    list_filter = ["kind"]


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "author"]


@admin.register(SlaNotice)
class SlaNoticeAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "kind", "deadline", "case"]
    list_filter = ["kind"]
