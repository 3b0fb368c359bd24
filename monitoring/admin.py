from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .choices import DeliveryStatus
from .models import (
    Author,
    Case,
    ClassificationCorrection,
    ListeningQuery,
    Mention,
    PollState,
    WebhookDelivery,
)


@admin.register(ListeningQuery)
class ListeningQueryAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "query", "active", "created_at"]
    list_filter = ["active", "entity"]
    search_fields = ["name", "query", "entity__name"]
    autocomplete_fields = ["entity"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Create or update its beat schedule now rather than at the next reconcile.
        services.poll_schedules_sync(entity=obj.entity)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "platform", "entity", "followers", "is_suspected_troll",
                    "is_suspected_fake", "last_seen_at"]
    list_filter = ["platform", "is_suspected_troll", "is_suspected_fake", "entity"]
    search_fields = ["handle", "name", "external_id"]
    readonly_fields = ["first_seen_at", "last_seen_at"]


class MentionInline(admin.TabularInline):
    model = Mention
    fields = ["created_at", "platform", "label", "urgency", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entity", "status", "category", "pqrsd_type", "urgency",
                    "first_response_due", "legal_due", "author_flagged", "is_crisis_candidate"]
    list_filter = ["status", "category", "urgency", "pqrsd_type", "is_crisis_candidate",
                   "author_flagged", "entity"]
    search_fields = ["author__handle", "thread_key"]
    raw_id_fields = ["author", "channel", "assignee"]
    inlines = [MentionInline]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entity", "label", "pqrsd_type", "urgency", "source",
                    "created_at", "received_at"]
    list_filter = ["platform", "label", "urgency", "source", "is_own", "entity"]
    search_fields = ["external_id", "text", "author__handle"]
    raw_id_fields = ["author", "channel", "listening_query", "in_reply_to", "case"]
    date_hierarchy = "received_at"


@admin.register(PollState)
class PollStateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "entity", "last_success_at", "last_error_at",
                    "consecutive_failures", "not_before", "next_due_at"]
    list_filter = ["kind", "entity"]
    readonly_fields = ["lease_until", "lease_token", "last_attempt_at"]
    raw_id_fields = ["channel", "listening_query"]
    actions = ["resume_now"]

    @admin.action(description=_("Clear the pause and poll at the next beat"))
    def resume_now(self, request, queryset):
        updated = queryset.update(not_before=None, consecutive_failures=0)
        self.message_user(request, ngettext("%(n)d source resumed.", "%(n)d sources resumed.",
                                            updated) % {"n": updated})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "entity", "status", "attempts", "mentions_created",
                    "processed_at"]
    list_filter = ["status", "source"]
    exclude = ["body"]
    readonly_fields = ["source", "entity", "body_text", "body_sha256", "headers",
                       "received_at", "processed_at", "status", "attempts",
                       "mentions_created", "error"]
    actions = ["retry"]

    @admin.display(description=_("raw body"))
    def body_text(self, obj):
        return obj.body_text

    @admin.action(description=_("Process the failed deliveries again"))
    def retry(self, request, queryset):
        count = 0
        for delivery in queryset.filter(status=DeliveryStatus.FAILED, entity__isnull=False):
            count += services.webhook_delivery_retry(actor=request.user,
                                                     entity=delivery.entity, delivery=delivery)
        self.message_user(request, ngettext("%(n)d delivery queued again.",
                                            "%(n)d deliveries queued again.", count)
                          % {"n": count}, messages.SUCCESS)


@admin.register(ClassificationCorrection)
class ClassificationCorrectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entity", "label", "pqrsd_type", "urgency", "corrected_by",
                    "created_at"]
    list_filter = ["label", "entity"]
    raw_id_fields = ["mention", "corrected_by"]
    search_fields = ["text"]
