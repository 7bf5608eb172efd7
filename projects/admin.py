from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from projects import validation
from projects.models import REFRESHED_FIELDS, ProgressSnapshot, Project, Task
from projects.services import EDITABLE_FIELDS, project_update


class ProjectAdminForm(forms.ModelForm):
    """The admin's Project form: the same field rules as the API and the site's form.

    Without them the admin would save what every other door refuses: an
    internal or local repository URL, a branch git would read as an
    option, a plan path climbing out of the repository.
    """

    class Meta:
        model = Project
        fields = (
            "owner",
            "name",
            "repo_url",
            "branch",
            "plan_path",
            "refresh_interval_hours",
            "archived",
        )

    def clean_repo_url(self) -> str:
        return validation.clean_repo_url(self.cleaned_data["repo_url"])

    def clean_branch(self) -> str:
        return validation.clean_branch(self.cleaned_data.get("branch") or "")

    def clean_plan_path(self) -> str:
        return validation.clean_plan_path(self.cleaned_data.get("plan_path") or "")

    def clean_name(self) -> str:
        return validation.clean_name(self.cleaned_data["name"])


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = (
        "name",
        "owner",
        "status_badge",
        "percentage",
        "total_tasks",
        "last_refreshed_at",
        "archived",
    )
    list_filter = ("status", "archived")
    list_select_related = ("owner",)
    search_fields = ("name", "repo_url", "owner__username")
    readonly_fields = ("id", *REFRESHED_FIELDS, "refresh_fingerprint", "created_at", "updated_at")
    exclude = ("access_token_encrypted",)
    actions = ("refresh_projects",)

    def get_readonly_fields(self, request, obj=None):
        # The owner is fixed once set: the encrypted token belongs to them.
        return (*self.readonly_fields, "owner") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Edits go through the service, which keeps status, fingerprint and token consistent.
        data = {f: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE_FIELDS}
        fresh = Project.objects.get(pk=obj.pk)
        project_update(project=fresh, data=data)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.action(description="Refresh the selected projects now", permissions=["change"])
    def refresh_projects(self, request, queryset):
        """Charged to the staff member's refresh budget unless they hold the exemption."""
        from jobs.refresh_requests import Outcome, RequestTrigger, project_refresh_request
        from jobs.web import refresh_outcome_message

        started = joined = 0
        for project in queryset:
            outcome = project_refresh_request(
                project=project, requested_by=request.user, trigger=RequestTrigger.ADMIN
            )
            started += outcome.kind == Outcome.QUEUED
            joined += outcome.kind == Outcome.JOINED
            if not outcome.accepted:
                reason = refresh_outcome_message(outcome)
                self.message_user(request, f"{project.name}: {reason}", messages.ERROR)
                if outcome.kind != Outcome.CONFLICT:
                    break
        self.message_user(request, f"{started} refresh(es) queued; {joined} already running.")


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
