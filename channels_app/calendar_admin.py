"""Django admin of the editorial calendar (imported by channels_app/admin.py)."""

from django.contrib import admin

from .calendar_models import CalendarFeed, PostingTarget, PostMedia, RecurringPost, ScheduledPost


class PostMediaInline(admin.TabularInline):
    model = PostMedia
    extra = 0
    fields = ["kind", "url", "alt_text", "captions_url", "order"]


@admin.register(ScheduledPost)
class ScheduledPostAdmin(admin.ModelAdmin):
    list_display = ["scheduled_at", "channel", "entity", "status", "attempts", "published_at"]
    list_filter = ["status", "channel__platform", "entity"]
    search_fields = ["text", "external_id", "channel__handle", "entity__name"]
    date_hierarchy = "scheduled_at"
    autocomplete_fields = ["entity"]
    raw_id_fields = ["channel", "objective", "campaign", "recurrence", "author", "approved_by"]
    # Delivery state belongs to the worker; changing it here would break exactly-once.
    readonly_fields = ["idempotency_key", "attempts", "lease_until", "retry_after",
                       "attempt_started_at", "error", "error_unknown", "external_id",
                       "external_url", "published_at", "created_at", "updated_at"]
    inlines = [PostMediaInline]


@admin.register(RecurringPost)
class RecurringPostAdmin(admin.ModelAdmin):
    list_display = ["title", "channel", "entity", "time_of_day", "is_active", "approved_at"]
    list_filter = ["is_active", "entity"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["entity"]
    raw_id_fields = ["channel", "objective", "author", "approved_by"]


@admin.register(PostingTarget)
class PostingTargetAdmin(admin.ModelAdmin):
    list_display = ["channel", "entity", "posts_per_week"]
    list_filter = ["entity"]
    autocomplete_fields = ["entity"]
    raw_id_fields = ["channel"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "entity", "created_at"]
    list_filter = ["entity"]
    autocomplete_fields = ["entity"]
    raw_id_fields = ["user"]
    exclude = ["token"]  # the token is a credential: revoke it from the calendar page
