from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .forms import EntityForm
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
