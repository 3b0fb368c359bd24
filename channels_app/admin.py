from django.contrib import admin

from .models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["handle", "platform", "entity", "status", "created_at"]
    list_filter = ["platform", "status", "entity"]
    search_fields = ["handle", "name", "entity__name", "account_id"]
    exclude = ["access_token"]
    autocomplete_fields = ["entity"]
