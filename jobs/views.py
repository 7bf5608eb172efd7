"""Job pages: the refresh button and its live status, the jobs list.

Operators act on jobs and queues in the admin (``jobs.admin``): its queue console,
its retry and cancel actions, and django-rq's dashboard.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from jobs.models import JobStatus
from jobs.refresh_requests import Outcome, RequestTrigger, project_refresh_request
from jobs.selectors import job_list_for_user, refresh_state_for_project
from jobs.view_models import JOBS_PAGE_SIZE
from jobs.web import refresh_outcome_message
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
    outcome = project_refresh_request(
        project=project,
        requested_by=request.user,
        trigger=RequestTrigger.MANUAL,
        force=request.POST.get("force") == "1",
    )
    if outcome.kind == Outcome.NOT_ALLOWED:
        raise PermissionDenied(refresh_outcome_message(outcome))
    message = refresh_outcome_message(outcome)
    if _is_htmx(request):
        return _render_status(
            request,
            project,
            notice=message,
            notice_ok=outcome.accepted,
            retry_after=outcome.retry_after,
        )
    (messages.success if outcome.accepted else messages.error)(request, message)
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
