from django.contrib import admin
from django.utils.html import format_html

from projects.models import ProgressSnapshot, Project, Task


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "name", "owner", "status_badge", "percentage", "total_tasks", "last_refreshed_at",
        "archived",
    )
    list_filter = ("status", "archived", "is_stale")
    list_select_related = ("owner",)
    search_fields = ("name", "repo_url", "owner__username")
    readonly_fields = (
        "id", "status", "status_message", "is_stale", "total_tasks", "done_tasks", "doing_tasks",
        "blocked_tasks", "todo_tasks", "percentage", "plan_files", "last_commit_sha",
        "last_commit_at", "last_refreshed_at", "refresh_fingerprint", "created_at", "updated_at",
    )
    exclude = ("access_token_encrypted",)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="status-{}">{}</span>', obj.status, obj.get_status_display())


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "status", "phase", "file_path", "line")
    list_filter = ("status",)
    list_select_related = ("project",)
    search_fields = ("title", "project__name", "phase")
    raw_id_fields = ("project", "parent")


@admin.register(ProgressSnapshot)
class ProgressSnapshotAdmin(admin.ModelAdmin):
    list_display = ("project", "created_at", "percentage", "total", "done", "status", "commit_sha")
    list_filter = ("status",)
    list_select_related = ("project",)
    search_fields = ("project__name", "commit_sha")
    raw_id_fields = ("project",)
