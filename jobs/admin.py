from django.contrib import admin

from jobs.models import JobRecord, RefreshHistory


@admin.register(JobRecord)
class JobRecordAdmin(admin.ModelAdmin):
    list_display = (
        "id", "job_type", "project", "status", "queue", "stage", "progress", "attempts",
        "created_at", "completed_at",
    )
    list_filter = ("status", "job_type", "queue", "priority")
    list_select_related = ("project", "requested_by")
    search_fields = ("id", "project__name", "error")
    raw_id_fields = ("project", "requested_by", "retry_of")
    date_hierarchy = "created_at"


@admin.register(RefreshHistory)
class RefreshHistoryAdmin(admin.ModelAdmin):
    list_display = ("project", "trigger", "status", "user", "created_at", "duration_seconds")
    list_filter = ("status", "trigger")
    list_select_related = ("project", "user")
    search_fields = ("project__name", "user__username", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
