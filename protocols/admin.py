from django.contrib import admin

from .habeas_models import DataProtectionSettings, HabeasRequest
from .models import (
    AccountCustody,
    ApprovalRequest,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    NonWorkingDay,
    ProtocolSettings,
    RaciActivity,
    RaciAssignment,
    ResponseSla,
    ResponseTemplate,
    Risk,
    TemplateVersion,
)


@admin.register(ProtocolSettings)
class ProtocolSettingsAdmin(admin.ModelAdmin):
    list_display = ["entity", "service_start", "service_end"]
    search_fields = ["entity__name"]


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ["entity", "date", "reason"]
    list_filter = ["entity"]
    date_hierarchy = "date"


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "kind", "position"]
    list_filter = ["entity", "kind"]
    search_fields = ["name"]


class RaciAssignmentInline(admin.TabularInline):
    model = RaciAssignment
    extra = 0


@admin.register(RaciActivity)
class RaciActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "position"]
    list_filter = ["entity"]
    inlines = [RaciAssignmentInline]


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(admin.ModelAdmin):
    list_display = ["activity", "area", "letter"]
    list_filter = ["activity__entity", "letter"]


@admin.register(ResponseSla)
class ResponseSlaAdmin(admin.ModelAdmin):
    list_display = ["entity", "platform", "category", "urgency", "target_hours", "clock"]
    list_filter = ["entity", "clock"]


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "position", "is_active", "stop_processing",
                    "crisis_candidate"]
    list_filter = ["entity", "is_active"]
    search_fields = ["name"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "position", "required_role"]
    list_filter = ["entity"]


class TemplateVersionInline(admin.StackedInline):
    model = TemplateVersion
    extra = 0
    readonly_fields = ["created_by", "created_at", "approved_by", "approved_at"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "entity", "category", "pqrsd_type", "is_active"]
    list_filter = ["entity", "is_active"]
    search_fields = ["title", "category"]
    inlines = [TemplateVersionInline]


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "status", "approved_by", "approved_at"]
    list_filter = ["status"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ["summary", "entity", "kind", "required_role", "status", "requested_at"]
    list_filter = ["entity", "kind", "status"]
    readonly_fields = ["requested_by", "requested_at", "decided_by", "decided_at"]


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["title", "entity", "kind", "likelihood", "impact", "status"]
    list_filter = ["entity", "kind", "status"]


@admin.register(CrisisLevel)
class CrisisLevelAdmin(admin.ModelAdmin):
    list_display = ["level", "name", "entity", "call_digital_task_force"]
    list_filter = ["entity"]


@admin.register(ChannelPqrsdPolicy)
class ChannelPqrsdPolicyAdmin(admin.ModelAdmin):
    list_display = ["channel", "entity", "accepts_pqrsd"]
    list_filter = ["entity", "accepts_pqrsd"]


@admin.register(AccountCustody)
class AccountCustodyAdmin(admin.ModelAdmin):
    list_display = ["channel", "entity", "custodian", "recovery_email", "two_factor_enabled",
                    "last_rotation"]
    list_filter = ["entity", "two_factor_enabled"]


@admin.register(DataProtectionSettings)
class DataProtectionSettingsAdmin(admin.ModelAdmin):
    list_display = ["entity", "retention_months", "retention_action", "last_purge_at"]
    list_filter = ["retention_action"]
    search_fields = ["entity__name"]
    readonly_fields = ["last_purge_at", "last_purge_result"]


@admin.register(HabeasRequest)
class HabeasRequestAdmin(admin.ModelAdmin):
    """Habeas-data requests (Ley 1581 de 2012) are worked from the entity's pages; here, read."""

    list_display = ["handle", "kind", "entity", "status", "received_at", "due_on",
                    "extended_due_on", "answered_at"]
    list_filter = ["kind", "status", "entity"]
    search_fields = ["handle", "requester_name", "entity__name"]
    readonly_fields = ["public_id", "created_by", "created_at", "answered_at", "result"]
