"""Webhooks in the admin: endpoints (never their secret) and the read-only delivery log."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("project", "created_at", "rotated_at")
    list_select_related = ("project",)
    search_fields = ("project__name", "project__repo_url")
    # The secret is rotated from the project's webhook page, never shown here.
    exclude = ("secret_encrypted",)
    readonly_fields = ("project", "created_at", "rotated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "project",
        "provider",
        "event",
        "delivery_id",
        "verdict",
        "http_status",
        "job_link",
        "reason",
    )
    list_filter = ("verdict", "provider", "http_status", "received_at")
    list_select_related = ("project", "job")
    search_fields = ("project__name", "delivery_id", "event")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Job", ordering="job")
    def job_link(self, obj: WebhookDelivery):
        if obj.job_id is None:
            return "-"
        url = reverse("admin:jobs_jobrecord_change", args=[obj.job_id])
        return format_html('<a href="{}">{}</a>', url, str(obj.job_id)[:8])
