from django.contrib import admin

from .models import Channel, LaunchItem


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["handle", "platform", "entity", "status", "created_at"]
    list_filter = ["platform", "status", "entity"]
    search_fields = ["handle", "name", "entity__name", "account_id"]
    exclude = ["access_token"]
    autocomplete_fields = ["entity"]


@admin.register(LaunchItem)
class LaunchItemAdmin(admin.ModelAdmin):
    list_display = ["step", "entity", "done_on", "evidence_url"]
    list_filter = ["step", "entity"]
    autocomplete_fields = ["entity"]
from .calendar_admin import *  # noqa: E402,F401,F403
