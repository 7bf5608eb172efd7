from django.contrib import admin

from notifications.models import Channel, Delivery, ProjectNotifyState


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("kind", "target_hint", "owner", "enabled", "verified_at", "created_at")
    list_filter = ("kind", "enabled")
    list_select_related = ("owner",)
    search_fields = ("target_hint", "owner__username", "name")
    readonly_fields = ("target_hint", "verified_at", "created_at", "updated_at")
    exclude = ("target_encrypted", "secret_encrypted")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "event",
        "channel",
        "project",
        "status",
        "attempts",
        "response_code",
        "latency_ms",
        "created_at",
    )
    list_filter = ("status", "event")
    list_select_related = ("channel", "project")
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(ProjectNotifyState)
class ProjectNotifyStateAdmin(admin.ModelAdmin):
    list_display = ("project", "muted", "failure_streak")
    list_select_related = ("project",)
