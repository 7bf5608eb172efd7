"""Jobs in the Django admin: the record list with actions, refresh history, the queue console.

This is the one queue console. django-rq's dashboard (``/admin/rq/``) shows
RQ's own registries; the console adds what it lacks: latency, per-queue
pause, workers' current job with its stage, the last hour's throughput,
outcomes and top errors, refreshed every few seconds.

Operator powers are permissions, not ``is_staff``: viewing needs
``jobs.view_jobrecord``; pausing queues ``jobs.manage_queues``; retrying and
canceling ``jobs.retry_any_job``.
"""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from jobs import metrics, queues, services
from jobs.models import JobRecord, RefreshHistory
from jobs.refresh_requests import RETRY_ANY_JOB_PERMISSION, RequestTrigger, project_refresh_request
from jobs.rq_dashboard import MANAGE_QUEUES_PERMISSION
from jobs.view_models import throughput_bars
from jobs.web import refresh_outcome_message

logger = logging.getLogger(__name__)

CONSOLE_REFRESH_SECONDS = 5


@admin.register(JobRecord)
class JobRecordAdmin(admin.ModelAdmin):
    list_display = (
        "short_id",
        "job_type",
        "project_link",
        "status_badge",
        "queue",
        "stage",
        "progress_percent",
        "attempts",
        "requested_by",
        "created_at",
        "duration",
    )
    list_filter = ("status", "job_type", "queue", "priority")
    list_select_related = ("project", "requested_by")
    search_fields = ("project__name", "project__repo_url", "requested_by__username", "error")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("retry_jobs", "cancel_jobs")
    # Records are written by the job services only; the admin reads and acts.
    readonly_fields = [field.name for field in JobRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_manage_queues_permission(self, request) -> bool:
        return request.user.has_perm(MANAGE_QUEUES_PERMISSION)

    def has_retry_permission(self, request) -> bool:
        """Retrying and canceling other users' jobs is an operator power, not a staff one."""
        return request.user.has_perm(RETRY_ANY_JOB_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        # Deleting an active record would release the project's one-job claim
        # while RQ still runs the job; cancel it instead. Retention prunes the rest.
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete cannot tell active records apart; cancel and prune cover it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # -- columns ----------------------------------------------------------------

    @admin.display(description="Job", ordering="id")
    def short_id(self, obj: JobRecord) -> str:
        return str(obj.id)[:8]

    @admin.display(description="Project", ordering="project__name")
    def project_link(self, obj: JobRecord):
        project = obj.project
        if project is None:
            return "-"
        url = reverse("admin:projects_project_change", args=[project.pk])
        return format_html('<a href="{}">{}</a>', url, project.name)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: JobRecord):
        return format_html(
            '<span class="job-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description="Progress", ordering="progress")
    def progress_percent(self, obj: JobRecord) -> str:
        return f"{obj.progress * 100:.0f} %"

    @admin.display(description="Duration")
    def duration(self, obj: JobRecord) -> str:
        seconds = obj.duration_seconds
        return "-" if seconds is None else f"{seconds:.1f} s"

    # -- actions ----------------------------------------------------------------

    @admin.action(description="Retry selected failed jobs", permissions=["retry"])
    def retry_jobs(self, request, queryset):
        """Each retry is charged to the staff member's budget unless they hold the exemption."""
        self._act(request, queryset, lambda job: _retry(job, request.user), "retried")

    @admin.action(description="Cancel selected queued or running jobs", permissions=["retry"])
    def cancel_jobs(self, request, queryset):
        self._act(
            request,
            queryset,
            lambda job: services.job_cancel(job=job, user=request.user),
            "canceled",
        )

    def _act(self, request, queryset, operation, verb: str) -> None:
        done = 0
        for job in queryset.select_related("project"):
            try:
                operation(job)
                done += 1
            except (services.JobStateError, services.QueueUnavailableError, RefusedError) as exc:
                self.message_user(request, f"Job {str(job.id)[:8]}: {exc}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} job(s) {verb}.", messages.SUCCESS)

    # -- the queue console --------------------------------------------------------

    def get_urls(self):
        console = [
            path(
                "console/", self.admin_site.admin_view(self.console_view), name="jobs_queue_console"
            ),
            path(
                "console/body/",
                self.admin_site.admin_view(self.console_body_view),
                name="jobs_queue_console_body",
            ),
            path(
                "console/queues/<str:name>/<str:operation>/",
                self.admin_site.admin_view(self.console_queue_view),
                name="jobs_queue_console_queue",
            ),
        ]
        return console + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "queue_console_url": reverse("admin:jobs_queue_console"),
            "rq_dashboard_url": reverse("django_rq:home"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def _console_context(self, request) -> dict:
        now = timezone.now()
        context = {
            "now": now,
            "refresh_seconds": CONSOLE_REFRESH_SECONDS,
            "can_change": self.has_manage_queues_permission(request),
            "changelist_url": reverse("admin:jobs_jobrecord_changelist"),
            "redis_error": "",
            "queues": [],
            "workers": [],
        }
        context["metrics"] = metrics.job_metrics(now=now)
        throughput = metrics.throughput_per_minute(now=now)
        context["bars"] = throughput_bars(throughput)
        context["completed_last_hour"] = sum(r["completed"] for r in throughput)
        context["failed_last_hour"] = sum(r["failed"] for r in throughput)
        try:
            context["queues"] = metrics.queue_counts(now=now)
            context["workers"] = metrics.worker_list()
        except Exception as exc:  # noqa: BLE001 - the console says Redis is down
            logger.warning("Queue console: Redis unreachable", exc_info=True)
            context["redis_error"] = f"Redis cannot be reached ({exc.__class__.__name__})."
        return context

    def console_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **self._console_context(request),
            "title": "Queue console",
            "opts": self.model._meta,
            "rq_dashboard_url": reverse("django_rq:home"),
        }
        return render(request, "admin/jobs/queue_console.html", context)

    def console_body_view(self, request):
        """The console's live part alone, fetched by the page every few seconds."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return render(request, "admin/jobs/queue_console_body.html", self._console_context(request))

    def console_queue_view(self, request, name: str, operation: str):
        """Pause or resume one queue (POST, with the admin's CSRF protection)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_manage_queues_permission(request) or operation not in ("pause", "resume"):
            raise PermissionDenied
        try:
            (queues.queue_pause if operation == "pause" else queues.queue_resume)(name)
            self.message_user(request, f"Queue {name} {operation}d.", messages.SUCCESS)
        except queues.UnknownQueueError:
            self.message_user(request, f"There is no queue named {name}.", messages.ERROR)
        except Exception as exc:  # noqa: BLE001 - Redis down: say so
            self.message_user(request, f"Could not {operation} {name}: {exc}", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:jobs_queue_console"))


class RefusedError(Exception):
    """A retry the refresh service did not accept; the message says why."""


def _retry(job: JobRecord, user) -> JobRecord:
    if job.project_id is None:
        raise services.JobStateError("the job's project no longer exists")
    outcome = project_refresh_request(
        project=job.project, requested_by=user, trigger=RequestTrigger.ADMIN, retry_of=job
    )
    if not outcome.accepted:
        raise RefusedError(refresh_outcome_message(outcome))
    assert outcome.job is not None  # an accepted request always carries its job
    return outcome.job


@admin.register(RefreshHistory)
class RefreshHistoryAdmin(admin.ModelAdmin):
    list_display = (
        "project",
        "trigger",
        "status",
        "user",
        "job_link",
        "created_at",
        "completed_at",
        "duration_seconds",
    )
    list_filter = ("status", "trigger")
    list_select_related = ("project", "user")
    search_fields = ("project__name", "user__username", "error")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in RefreshHistory._meta.fields]

    @admin.display(description="Job")
    def job_link(self, obj: RefreshHistory):
        if obj.job_id is None:
            return "-"
        url = reverse("admin:jobs_jobrecord_change", args=[obj.job_id])
        return format_html('<a href="{}">{}</a>', url, str(obj.job_id)[:8])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
