"""Reads for projects; every view reaches a project through these."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    JSONField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from projects.core.line_links import line_linker_for
from projects.core.phase_record import phase_records_from
from projects.core.progress_chart import ProgressChart, build_progress_chart
from projects.models import ProgressSnapshot, Project, ProjectStatus, Task, TaskStatus
from projects.view_models import (
    PhaseBar,
    PhaseView,
    ProjectCard,
    ProjectPlan,
    TaskRow,
)


def project_list_for_user(*, user) -> QuerySet[Project]:
    """The user's projects; staff see every project."""
    qs = Project.objects.select_related("owner")
    return qs if user.is_staff else qs.filter(owner=user)


def project_get_for_user(*, user, project_id) -> Project:
    """The project if the user may see it, else 404 (never 403: it does not exist for them)."""
    return get_object_or_404(project_list_for_user(user=user), pk=project_id)


def project_may_change(*, user, project: Project) -> bool:
    """Whether ``user`` may edit, refresh or delete ``project``.

    Its owner may; anyone else needs ``projects.change_project`` (superusers
    hold it). Being staff lets a user see every project, not act on it: a
    change refreshes the project with its owner's stored token.
    """
    return project.owner_id == user.pk or user.has_perm("projects.change_project")


def project_get_for_user_to_change(*, user, project_id) -> Project:
    """The project if the user may change it: 404 if they cannot see it, 403 if only see it."""
    project = project_get_for_user(user=user, project_id=project_id)
    if not project_may_change(user=user, project=project):
        raise PermissionDenied("Only the project's owner may change it.")
    return project


def task_list_for_project(
    *, project: Project, status: str = "", phase: str = "", phase_index: int | None = None
) -> QuerySet[Task]:
    """The project's tasks in plan order, optionally of one status and one phase.

    ``phase`` matches the phase title (several phases may share one);
    ``phase_index`` picks exactly one phase.
    """
    qs = Task.objects.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if phase:
        qs = qs.filter(phase=phase)
    if phase_index is not None:
        qs = qs.filter(phase_index=phase_index)
    return qs.order_by("order")


def snapshot_list_for_project(*, project: Project) -> QuerySet[ProgressSnapshot]:
    return ProgressSnapshot.objects.filter(project=project).order_by("-created_at")


# --- Dashboard ---------------------------------------------------------------

DASHBOARD_PAGE_SIZE = 50
TOP_SKILLS_PER_CARD = 5

# Worst first: what needs attention leads when sorting by status.
_STATUS_RANK = {
    ProjectStatus.RED: 0,
    ProjectStatus.STALE: 1,
    ProjectStatus.YELLOW: 2,
    ProjectStatus.GREEN: 3,
    ProjectStatus.COMPLETE: 4,
    ProjectStatus.NO_PLAN: 5,
    ProjectStatus.UNKNOWN: 6,
    ProjectStatus.ARCHIVED: 7,
}
_NAME = Lower("name")
DASHBOARD_SORTS = {
    "name": "Name",
    "progress": "Progress",
    "updated": "Last updated",
    "status": "Status",
}


@dataclass(frozen=True, slots=True)
class DashboardFilters:
    """What the dashboard's search form asked for, already checked."""

    q: str = ""
    status: str = ""
    skill: str = ""
    sort: str = "name"

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.skill)


def dashboard_filters_from(params) -> DashboardFilters:
    """Read the filters from a query dict; unknown values fall back to "no filter"."""
    status = params.get("status", "")
    sort = params.get("sort", "name")
    return DashboardFilters(
        q=" ".join(params.get("q", "").split())[:200],
        status=status if status in ProjectStatus.values else "",
        skill=params.get("skill", "").strip()[:120],
        sort=sort if sort in DASHBOARD_SORTS else "name",
    )


def project_list_for_dashboard(*, user, filters: DashboardFilters) -> QuerySet[Project]:
    """The user's projects matching ``filters``, in the requested order."""
    qs = project_list_for_user(user=user)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(repo_url__icontains=filters.q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.skill:
        qs = qs.filter(skills__name=filters.skill)
    # Each card's phase strip comes from the latest snapshot, read in the same
    # query as the page: no aggregation over the tasks of fifty projects.
    latest_phases = (
        ProgressSnapshot.objects.filter(project=OuterRef("pk"))
        .order_by("-created_at")
        .values("phases")[:1]
    )
    qs = qs.annotate(latest_phases=Subquery(latest_phases, output_field=JSONField()))
    return qs.order_by(*_dashboard_ordering(filters.sort))


def _dashboard_ordering(sort: str) -> list:
    """Names sort ignoring case on every database (SQLite and PostgreSQL collate differently)."""
    if sort == "progress":
        return ["-percentage", _NAME, "pk"]
    if sort == "updated":
        return [F("last_refreshed_at").desc(nulls_last=True), _NAME, "pk"]
    if sort == "status":
        rank = Case(
            *(When(status=s, then=Value(r)) for s, r in _STATUS_RANK.items()),
            default=Value(9),
            output_field=IntegerField(),
        )
        return [rank, _NAME, "pk"]
    return [_NAME, "pk"]


def _phase_bars(rows) -> tuple[PhaseBar, ...]:
    return tuple(
        PhaseBar(title=r.title, done=r.done, total=r.total) for r in phase_records_from(rows)
    )


def project_cards_for(projects: Sequence[Project]) -> list[ProjectCard]:
    """Attach top skills (one query) and the phase strip to a page of projects.

    The strip reads ``latest_phases`` (the latest snapshot's per-phase counts,
    annotated by ``project_list_for_dashboard``); a project without it gets no strip.
    """
    ids = [p.pk for p in projects]
    if not ids:
        return []
    phases = {p.pk: _phase_bars(getattr(p, "latest_phases", None)) for p in projects}
    skills: dict = defaultdict(list)
    from skills.models import Skill  # skills depends on projects, not the reverse

    for project_id, name in (
        Skill.objects.filter(project_id__in=ids)
        .order_by("project_id", "-confidence", "name")
        .values_list("project_id", "name")
    ):
        if len(skills[project_id]) < TOP_SKILLS_PER_CARD:
            skills[project_id].append(name)
    return [
        ProjectCard(project=p, skills=tuple(skills[p.pk]), phases=phases[p.pk]) for p in projects
    ]


# --- Project page --------------------------------------------------------------

HISTORY_CHART_SNAPSHOTS = 100


def task_status_filter_from(params) -> str:
    status = params.get("status", "")
    return status if status in TaskStatus.values else ""


def phase_list_for_project(*, project: Project) -> list[PhaseView]:
    """The project's phases in plan order with their task counts (one query).

    The latest snapshot holds each phase's counts as the refresh that wrote
    the tasks computed them (phase ``i`` there is ``Task.phase_index == i``),
    so a big plan is not counted again on every view. Tasks written without a
    matching snapshot are counted from the task table. Phases are told apart
    by their index, so two phases with the same title stay two phases.
    """
    phases = phase_records_from(
        ProgressSnapshot.objects.filter(project=project)
        .order_by("-created_at")
        .values_list("phases", flat=True)
        .first()
    )
    if phases and sum(p.total for p in phases) == project.total_tasks > 0:
        return [
            PhaseView(
                index=position,
                title=p.title,
                key=key,
                total=p.total,
                done=p.done,
                doing=p.doing,
                blocked=p.blocked,
            )
            for position, (key, p) in enumerate(
                ((key, p) for key, p in enumerate(phases) if p.total), start=1
            )
        ]
    return _phase_list_counted(project=project)


def _phase_list_counted(*, project: Project) -> list[PhaseView]:
    rows = (
        Task.objects.filter(project=project)
        .values("phase_index")
        .annotate(
            title=Min("phase"),
            total=Count("id"),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            doing=Count("id", filter=Q(status=TaskStatus.DOING)),
            blocked=Count("id", filter=Q(status=TaskStatus.BLOCKED)),
            first=Min("order"),
        )
        .order_by("first")
    )
    return [
        PhaseView(
            index=i,
            title=row["title"] or "Tasks",
            key=row["phase_index"],
            total=row["total"],
            done=row["done"],
            doing=row["doing"],
            blocked=row["blocked"],
        )
        for i, row in enumerate(rows, start=1)
    ]


def task_rows_for_project(
    *, project: Project, status: str = "", phase: str | None = None, phase_index: int | None = None
) -> list[TaskRow]:
    """Tasks as display rows in plan order, each with its line link when the host is known.

    ``phase_index`` picks one phase; ``phase`` (a title) is kept for links
    made before phases had an index.
    """
    rows = _phased_task_rows(project=project, status=status, phase=phase, phase_index=phase_index)
    return [row for _, row in rows]


def _phased_task_rows(
    *, project: Project, status: str, phase: str | None = None, phase_index: int | None = None
) -> list[tuple[int, TaskRow]]:
    linker = line_linker_for(
        project.repo_url,
        revision=project.last_commit_sha or project.branch,
        forge_hosts=settings.REPOTRACKR_FORGE_HOSTS,
    )
    qs = Task.objects.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if phase is not None:
        qs = qs.filter(phase=phase)
    if phase_index is not None:
        qs = qs.filter(phase_index=phase_index)
    rows = qs.order_by("order").values_list(
        "phase_index", "title", "status", "depth", "file_path", "line"
    )
    return [
        (
            index,
            TaskRow(
                title=title,
                status=st,
                depth=min(depth, 8),
                file_path=path,
                line=line,
                url=linker.url(path, line) if linker and path else "",
            ),
        )
        for index, title, st, depth, path, line in rows
    ]


def project_plan_for(*, project: Project, status_filter: str = "") -> ProjectPlan:
    """Phases with counts, and their tasks too unless the plan is large (two queries at most)."""
    phases = phase_list_for_project(project=project)
    total = sum(p.total for p in phases)
    plan = ProjectPlan(phases=phases, total=total, status_filter=status_filter)
    if plan.is_large or not phases:
        return plan
    by_phase: dict[int, list[TaskRow]] = {p.key: [] for p in phases}
    for index, row in _phased_task_rows(project=project, status=status_filter):
        by_phase.setdefault(index, []).append(row)
    for p in phases:
        p.tasks = by_phase.get(p.key, [])
    return plan


def progress_chart_for_project(*, project: Project) -> ProgressChart:
    """The latest snapshots (oldest first) placed on the small progress chart.

    Refreshes that found no plan are left out: they measured no progress, and
    a plan that went missing did not drop to 0 %.
    """
    samples = list(
        ProgressSnapshot.objects.filter(project=project)
        .exclude(status=ProjectStatus.NO_PLAN)
        .order_by("-created_at")
        .values_list("created_at", "percentage")[:HISTORY_CHART_SNAPSHOTS]
    )
    samples.reverse()
    projected = None
    if project.forecast_date is not None:
        when = datetime.combine(project.forecast_date, time(12), tzinfo=UTC)
        projected = (when, 100.0)
    return build_progress_chart(
        samples, width=640, height=180, pad=10, left=46, bottom=26, projected=projected
    )


@dataclass(frozen=True)
class PlanSource:
    """How the shown figures were read: the plan, its warnings and the other candidates."""

    label: str
    warnings: tuple[str, ...]
    candidates: tuple[dict, ...]  # PlanCandidate.as_json() of every plan discovery found
    plan_path: str  # the project's setting; blank = discovery chooses

    @property
    def others(self) -> tuple[dict, ...]:
        """Candidates one click can switch to (a README section cannot be named as a path)."""
        return tuple(
            c
            for c in self.candidates
            if not c.get("chosen") and c.get("plan_path") and c["plan_path"] != self.plan_path
        )

    def allows(self, plan_path: str) -> bool:
        """Whether ``plan_path`` is one the page offered: a candidate, or blank to discover."""
        return plan_path == "" or any(c.get("plan_path") == plan_path for c in self.candidates)


def plan_source_for_project(*, project: Project) -> PlanSource | None:
    """What the latest snapshot stored about the plan; None before the first success."""
    latest = (
        ProgressSnapshot.objects.filter(project=project)
        .only("plan_label", "plan_warnings", "plan_candidates")
        .first()
    )
    if latest is None:
        return None
    candidates = latest.plan_candidates if isinstance(latest.plan_candidates, list) else []
    warnings = latest.plan_warnings if isinstance(latest.plan_warnings, list) else []
    return PlanSource(
        label=latest.plan_label,
        warnings=tuple(str(w) for w in warnings),
        candidates=tuple(c for c in candidates if isinstance(c, dict)),
        plan_path=project.plan_path,
    )
