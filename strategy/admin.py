from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .forms import EntityForm
from .integration_models import ApiToken, TokenScope, WebhookEndpoint, WebhookEventDelivery
from .models import AuditEvent, Entity, Invitation, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "agency", "is_active"]
    autocomplete_fields = ["user"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityForm
    list_display = ["name", "nit", "kind", "sector", "slug", "require_two_factor", "created_at"]
    list_filter = ["kind", "sector", "require_two_factor"]
    search_fields = ["name", "nit", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal data"), {"fields": ["full_name", "first_name", "last_name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "entity", "role", "agency", "is_active", "created_at"]
    list_filter = ["role", "is_active", "entity"]
    search_fields = ["user__email", "user__full_name", "entity__name", "agency"]
    autocomplete_fields = ["user", "entity"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "entity", "role", "created_at", "expires_at", "accepted_at",
                    "revoked_at"]
    list_filter = ["role", "entity"]
    search_fields = ["email", "entity__name"]
    readonly_fields = ["token", "accepted_at", "accepted_by", "created_at"]
    autocomplete_fields = ["entity", "invited_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be changed or deleted, not even here."""

    list_display = ["at", "entity", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type", "entity"]
    search_fields = ["object_repr", "object_id", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiTokenAdminForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=TokenScope.choices,
                                       widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366,
                              initial=90, required=False)

    class Meta:
        model = ApiToken
        fields = ["entity", "user", "name", "scopes", "rate_limit_per_minute"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created through the service (the clear value is shown once) and revoked."""

    form = ApiTokenAdminForm
    list_display = ["name", "prefix", "entity", "user", "expires_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["entity"]
    search_fields = ["name", "prefix", "user__email", "entity__name"]
    autocomplete_fields = ["entity", "user"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["prefix", "expires_at", "last_used_at", "revoked_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from .integrations import api_token_create

        token, clear = api_token_create(
            actor=form.cleaned_data["user"], entity=form.cleaned_data["entity"],
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
            days=form.cleaned_data["days"] or 90,
            rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"])
        obj.pk = token.pk
        self.message_user(request, _("Copy this token now: it will not be shown again: %(token)s")
                          % {"token": clear}, messages.WARNING)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        from .integrations import api_token_revoke

        for token in queryset.select_related("entity"):
            api_token_revoke(actor=request.user, token=token)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "entity", "is_active", "created_at"]
    list_filter = ["is_active", "entity"]
    search_fields = ["url", "entity__name"]
    exclude = ["secret"]
    autocomplete_fields = ["entity", "created_by"]


@admin.register(WebhookEventDelivery)
class WebhookEventDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "endpoint", "state", "attempts", "last_status_code"]
    list_filter = ["state", "event"]
    search_fields = ["endpoint__url", "public_id"]
    readonly_fields = [f.name for f in WebhookEventDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


# --- The plan (issue 3) ---------------------------------------------------------------------
from .models import (  # noqa: E402
    Audience,
    Kpi,
    KpiMeasurement,
    Objective,
    Plan,
    PlanActivity,
    PlanPerson,
    Resource,
    ToneGuide,
)


class _PlanAdmin(admin.ModelAdmin):
    list_filter = ["entity"]
    autocomplete_fields = ["entity"]


@admin.register(Plan)
class PlanAdmin(_PlanAdmin):
    list_display = ["entity", "official_handle", "updated_at"]
    search_fields = ["entity__name", "official_handle"]


@admin.register(PlanPerson)
class PlanPersonAdmin(_PlanAdmin):
    list_display = ["name", "role", "entity", "is_outsourced", "agency", "contract_end"]
    list_filter = ["role", "is_outsourced", "entity"]
    search_fields = ["name", "agency", "email"]


@admin.register(Objective)
class ObjectiveAdmin(_PlanAdmin):
    list_display = ["title", "parent", "entity", "order"]
    search_fields = ["title"]


@admin.register(Audience)
class AudienceAdmin(_PlanAdmin):
    list_display = ["name", "entity"]
    search_fields = ["name"]


class KpiMeasurementInline(admin.TabularInline):
    model = KpiMeasurement
    extra = 0
    fields = ["measured_on", "value", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Kpi)
class KpiAdmin(_PlanAdmin):
    list_display = ["metric", "unit", "objective", "baseline", "target", "due_date", "entity"]
    search_fields = ["metric", "objective__title"]
    inlines = [KpiMeasurementInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj.entity_id = form.instance.entity_id
            obj.recorded_by = obj.recorded_by or request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(ToneGuide)
class ToneGuideAdmin(_PlanAdmin):
    list_display = ["entity", "emoji_policy", "updated_at"]
    search_fields = ["entity__name"]


@admin.register(Resource)
class ResourceAdmin(_PlanAdmin):
    list_display = ["name", "kind", "people", "weekly_hours", "amount", "entity"]
    list_filter = ["kind", "entity"]
    search_fields = ["name"]


@admin.register(PlanActivity)
class PlanActivityAdmin(_PlanAdmin):
    list_display = ["title", "horizon", "channel", "owner", "start_date", "end_date", "status",
                    "entity"]
    list_filter = ["horizon", "status", "entity"]
    search_fields = ["title"]
