"""Project pages: dashboard, add/edit, project page, its lazily loaded phases, delete."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jobs.ratelimit import CREATE_PROJECT, check_and_count
from jobs.refresh_requests import RequestTrigger, project_refresh_request
from jobs.selectors import (
    card_refresh_states_for,
    refresh_history_for_project,
    refresh_state_for_project,
)
from jobs.services import project_jobs_stop
from jobs.view_models import IDLE
from jobs.web import refresh_outcome_message
from notifications.selectors import project_is_muted
from projects.forms import LIVE_FIELDS, ProjectForm
from projects.models import ProjectStatus, TaskStatus
from projects.selectors import (
    DASHBOARD_PAGE_SIZE,
    DASHBOARD_SORTS,
    dashboard_filters_from,
    plan_source_for_project,
    progress_chart_for_project,
    project_cards_for,
    project_get_for_user,
    project_get_for_user_to_change,
    project_list_for_dashboard,
    project_plan_for,
    task_rows_for_project,
    task_status_filter_from,
)
from projects.services import (
    project_create,
    project_delete,
    project_repository_settings,
    project_update,
)
from projects.starter_plan import starter_plan_text
from projects.status_legend import project_status_meaning, site_status_legend
from skills.selectors import project_skills_for, skills_overview_for

LAYOUT_COOKIE = "rt_layout"
REFRESH_HISTORY_ON_PAGE = 20
LAYOUTS = ("cards", "rows")


@login_required
@require_GET
def dashboard(request):
    filters = dashboard_filters_from(request.GET)
    layout = _layout_from(request)
    paginator = Paginator(
        project_list_for_dashboard(user=request.user, filters=filters), DASHBOARD_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    projects = list(page.object_list)
    states = card_refresh_states_for(projects)
    cards = [
        replace(c, refresh=states.get(c.project.pk, IDLE)) for c in project_cards_for(projects)
    ]
    context = {
        "filters": filters,
        "page": page,
        "cards": cards,
        "overview": skills_overview_for(user=request.user),
        "statuses": ProjectStatus.choices,
        "status_legend": site_status_legend(),
        "sorts": DASHBOARD_SORTS.items(),
        "layout": layout,
        "query_without_page": _query_without(request, "page", "layout"),
        # First run: no project yet, so the page offers the starter plan to copy.
        "starter_plan": "" if page.paginator.count or filters.active else starter_plan_text(),
        "allow_local_repos": settings.REPOTRACKR_ALLOW_LOCAL_REPOS,
    }
    response = render(request, _page_or_live(request, "projects/dashboard.html"), context)
    if request.GET.get("layout") in LAYOUTS:
        response.set_cookie(
            LAYOUT_COOKIE,
            layout,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# The part of a page that a finished refresh changes, by the id htmx sends as HX-Target.
LIVE_INCLUDES = {
    "project-live": "projects/includes/project_live.html",
    "dashboard-projects": "projects/includes/dashboard_projects.html",
}


def _page_or_live(request, page_template: str) -> str:
    """The whole page, or only its live include when htmx asks for it again."""
    if request.headers.get("HX-Request") == "true":
        return LIVE_INCLUDES.get(request.headers.get("HX-Target", ""), page_template)
    return page_template


def _layout_from(request) -> str:
    chosen = request.GET.get("layout") or request.COOKIES.get(LAYOUT_COOKIE)
    return chosen if chosen in LAYOUTS else "cards"


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def project_add(request):
    form = ProjectForm(
        request.POST or None, owner=request.user, validate_url=reverse("projects:validate_field")
    )
    if request.method == "POST" and form.is_valid():
        # Counted once the input is valid, as in the API: a typo costs nothing.
        decision = check_and_count(request.user, CREATE_PROJECT)
        if not decision.allowed:
            form.add_error(None, decision.message)
        else:
            try:
                project = project_create(owner=request.user, **form.service_data())
            except ValidationError as exc:  # e.g. the same name saved a moment ago
                form.add_error(None, exc)
            else:
                outcome = _refresh_after_save(request, project, first_refresh=True)
                notify = messages.success if outcome.accepted else messages.warning
                message = refresh_outcome_message(outcome, after_save=True)
                notify(request, f"Project “{project.name}” added. {message}")
                return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
@require_POST
def project_validate_field(request):
    """One field of the add/edit form checked as it is typed: the form's own validators.

    Answers the field's error include; nothing is saved and nothing is counted.
    """
    name = request.POST.get("_field", "")
    if name not in LIVE_FIELDS:
        return HttpResponseBadRequest("Unknown field.")
    instance = None
    if request.POST.get("_project"):
        instance = project_get_for_user(user=request.user, project_id=request.POST["_project"])
    form = ProjectForm(
        request.POST, owner=instance.owner if instance else request.user, instance=instance
    )
    form.is_valid()
    errors = form.errors.get(name, [])
    ok = "" if errors or not form.cleaned_data.get(name) else "Looks good."
    return render(request, "includes/field_errors.html", {"errors": errors, "ok": ok})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id):
    project = project_get_for_user_to_change(user=request.user, project_id=project_id)
    form = ProjectForm(
        request.POST or None,
        owner=project.owner,
        instance=project,
        validate_url=reverse("projects:validate_field"),
    )
    if request.method == "POST" and form.is_valid():
        before = project_repository_settings(project)
        try:
            project_update(project=project, data=form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            message = "Project saved."
            if project_repository_settings(project) != before and not project.archived:
                # The shown data came from the old settings: read the repository again.
                outcome = _refresh_after_save(request, project)
                message += " " + refresh_outcome_message(outcome, after_save=True)
            messages.success(request, message)
            return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


def _refresh_after_save(request, project, *, first_refresh: bool = False):
    """The forced refresh a new project (free) or a change of its repository settings needs."""
    return project_refresh_request(
        project=project,
        requested_by=request.user,
        trigger=RequestTrigger.MANUAL,
        force=True,
        first_refresh=first_refresh,
    )


@login_required
@require_GET
def project_detail(request, project_id):
    project = project_get_for_user(user=request.user, project_id=project_id)
    status_filter = task_status_filter_from(request.GET)
    context = {
        "project": project,
        "plan": project_plan_for(project=project, status_filter=status_filter),
        "task_statuses": TaskStatus.choices,
        "skills": project_skills_for(project=project),
        "refresh": refresh_state_for_project(project=project),
        "history": refresh_history_for_project(project=project)[:REFRESH_HISTORY_ON_PAGE],
        "chart": progress_chart_for_project(project=project),
        "status_meaning": project_status_meaning(project),
        "starter_plan": starter_plan_text() if project.status == ProjectStatus.NO_PLAN else "",
        "plan_source": plan_source_for_project(project=project),
        "notifications_muted": project_is_muted(project=project),
    }
    return render(request, _page_or_live(request, "projects/project_detail.html"), context)


@login_required
@require_http_methods(["POST"])
def project_use_plan(request, project_id):
    """Make one of the plans discovery found the project's plan path (or go back to discovery)."""
    project = project_get_for_user_to_change(user=request.user, project_id=project_id)
    plan_path = request.POST.get("plan_path", "").strip()
    source = plan_source_for_project(project=project)
    if source is None or not source.allows(plan_path):
        messages.error(request, "That plan is not one RepoTrackr found in this repository.")
        return redirect("projects:detail", project_id=project.pk)
    before = project_repository_settings(project)
    project_update(project=project, data={"plan_path": plan_path})
    message = f"Plan path set to {plan_path}." if plan_path else "The plan is discovered again."
    if project_repository_settings(project) != before and not project.archived:
        outcome = _refresh_after_save(request, project)
        message += " " + refresh_outcome_message(outcome, after_save=True)
    messages.success(request, message)
    return redirect("projects:detail", project_id=project.pk)


@login_required
@require_GET
def project_phase_tasks(request, project_id):
    """One phase's task list: the include the project page uses, loaded when the phase opens."""
    project = project_get_for_user(user=request.user, project_id=project_id)
    tasks = task_rows_for_project(
        project=project, status=task_status_filter_from(request.GET), **_phase_from(request.GET)
    )
    return render(request, "projects/includes/task_list.html", {"tasks": tasks})


def _phase_from(params) -> dict:
    """``phase_index`` picks one phase; a title (``phase``) is what older links carry."""
    raw = params.get("phase_index", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 5:
        return {"phase_index": int(raw)}
    return {"phase": params.get("phase", "")}


@login_required
@require_http_methods(["GET", "POST"])
def project_delete_view(request, project_id):
    project = project_get_for_user_to_change(user=request.user, project_id=project_id)
    if request.method == "POST":
        name = project.name
        project_jobs_stop(project=project, user=request.user)
        project_delete(project=project)
        messages.success(request, f"Project “{name}” deleted.")
        return redirect("projects:dashboard")
    return render(request, "projects/project_confirm_delete.html", {"project": project})
