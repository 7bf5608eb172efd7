"""Job pages: the refresh button and its live status, the jobs list, the staff queue console."""

from __future__ import annotations

import redis
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from jobs import metrics
from jobs.models import JobStatus
from jobs.page_selectors import (
    JOBS_PAGE_SIZE,
    refresh_state_for_project,
    throughput_bars,
)
from jobs.selectors import job_get_for_user, job_list_for_user
from jobs.services import JobStateError, QueueUnavailableError, job_cancel, job_retry
from jobs.web import refresh_from_web
from projects.selectors import project_get_for_user


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _render_status(request, project, *, notice=None, notice_ok=True, retry_after=0):
    refresh = refresh_state_for_project(project=project)
    # htmx sends the address of the page the include sits on.
    page_url = request.headers.get("HX-Current-URL", "")
    if not url_has_allowed_host_and_scheme(page_url, allowed_hosts={request.get_host()}):
        page_url = ""
    context = {
        "project": project,
        "refresh": refresh,
        "compact": "1" in (request.GET.get("compact"), request.POST.get("compact")),
        "notice": notice,
        "notice_ok": notice_ok,
        "retry_after": retry_after,  # rate-limited: the button counts down to this
        "just_finished": request.GET.get("was_active") == "1"
        and not refresh.active
        and bool(page_url),
        "page_url": page_url,
        "next_url": request.POST.get("next") or page_url,
    }
    return render(request, "jobs/includes/refresh_status.html", context)


@login_required
@require_POST
def project_refresh(request, project_id):
    """The Refresh button: a plain form POST, answered with the status include under htmx."""
    project = project_get_for_user(user=request.user, project_id=project_id)
    outcome = refresh_from_web(
        user=request.user, project=project, force=request.POST.get("force") == "1"
    )
    if _is_htmx(request):
        return _render_status(
            request,
            project,
            notice=outcome.message,
            notice_ok=outcome.ok,
            retry_after=outcome.retry_after,
        )
    (messages.success if outcome.ok else messages.error)(request, outcome.message)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("projects:detail", project_id=project.pk)


@login_required
@require_GET
def project_refresh_status(request, project_id):
    """The live status include; it keeps polling itself while a refresh is queued or running."""
    project = project_get_for_user(user=request.user, project_id=project_id)
    return _render_status(request, project)


@login_required
@require_GET
def job_list(request):
    status = request.GET.get("status", "")
    status = status if status in JobStatus.values else ""
    jobs = job_list_for_user(user=request.user, status=status or None)
    page = Paginator(jobs, JOBS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": JobStatus.choices}
    # The table polls itself (htmx, target #jobs-live) while a job on it is active.
    live = request.headers.get("HX-Target") == "jobs-live"
    return render(
        request, "jobs/includes/job_table.html" if live else "jobs/job_list.html", context
    )


def _staff_job(request, job_id):
    if not request.user.is_staff:
        raise Http404("Staff only.")
    return job_get_for_user(user=request.user, job_id=job_id)


@login_required
@require_POST
def job_retry_view(request, job_id):
    job = _staff_job(request, job_id)
    try:
        new = job_retry(job=job, user=request.user)
        messages.success(request, f"Retry queued as job {new.pk}.")
    except (JobStateError, QueueUnavailableError, redis.exceptions.RedisError) as exc:
        messages.error(request, f"Could not retry: {exc or 'the job queue is unreachable'}.")
    return redirect("jobs:list")


@login_required
@require_POST
def job_cancel_view(request, job_id):
    job = _staff_job(request, job_id)
    try:
        job_cancel(job=job, user=request.user)
        messages.success(request, "Job canceled.")
    except JobStateError as exc:
        messages.error(request, f"Could not cancel: {exc}.")
    return redirect("jobs:list")


@login_required
@require_GET
def queue_console(request):
    """Staff only: queues, workers, the last hour's throughput and failures, top errors."""
    if not request.user.is_staff:
        raise Http404("Staff only.")
    now = timezone.now()
    context = {"redis_ok": True, "queues": [], "workers": []}
    try:
        context.update(metrics.queue_status(now=now))
    except redis.exceptions.RedisError:
        context["redis_ok"] = False
    throughput = metrics.throughput_per_minute(now=now)
    context.update(
        bars=throughput_bars(throughput),
        completed_last_hour=sum(r["completed"] for r in throughput),
        failed_last_hour=sum(r["failed"] for r in throughput),
        top_errors=metrics.top_errors(now=now),
    )
    return render(request, "jobs/queue_console.html", context)
