from django.contrib import admin

from accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_hint", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "key_hint")
    readonly_fields = ("key_hint", "created_at", "last_used_at")
    list_filter = ("created_at",)
