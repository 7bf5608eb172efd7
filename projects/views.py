"""Project pages: dashboard, add/edit, project page, its lazily loaded phases, delete."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jobs.page_selectors import IDLE, card_refresh_states_for, refresh_state_for_project
from jobs.ratelimit import CREATE_PROJECT, check_and_count
from jobs.selectors import refresh_history_for_project
from jobs.services import project_jobs_stop
from jobs.web import refresh_after_save
from notifications.selectors import project_is_muted
from projects.forms import ProjectForm
from projects.models import ProjectStatus, TaskStatus
from projects.selectors import (
    DASHBOARD_PAGE_SIZE,
    DASHBOARD_SORTS,
    dashboard_filters_from,
    progress_chart_for_project,
    project_cards_for,
    project_get_for_user,
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
        "sorts": DASHBOARD_SORTS.items(),
        "layout": layout,
        "query_without_page": _query_without(request, "page", "layout"),
    }
    response = render(request, "projects/dashboard.html", context)
    if request.GET.get("layout") in LAYOUTS:
        response.set_cookie(LAYOUT_COOKIE, layout, max_age=365 * 24 * 3600, samesite="Lax")
    return response


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
    form = ProjectForm(request.POST or None, owner=request.user)
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
                outcome = refresh_after_save(user=request.user, project=project)
                notify = messages.success if outcome.ok else messages.warning
                notify(request, f"Project “{project.name}” added. {outcome.message}")
                return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id):
    project = project_get_for_user(user=request.user, project_id=project_id)
    form = ProjectForm(request.POST or None, owner=project.owner, instance=project)
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
                message += " " + refresh_after_save(user=request.user, project=project).message
            messages.success(request, message)
            return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


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
        "notifications_muted": project_is_muted(project=project),
    }
    return render(request, "projects/project_detail.html", context)


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
    project = project_get_for_user(user=request.user, project_id=project_id)
    if request.method == "POST":
        name = project.name
        project_jobs_stop(project=project, user=request.user)
        project_delete(project=project)
        messages.success(request, f"Project “{name}” deleted.")
        return redirect("projects:dashboard")
    return render(request, "projects/project_confirm_delete.html", {"project": project})
