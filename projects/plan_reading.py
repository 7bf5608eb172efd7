"""Read a repository's plan and judge the project's status, the same way for every caller.

The refresh pipeline and ``manage.py plan`` both call :func:`plan_read`, so
a repository read with the same settings gets the same status in both. The
rules themselves are pure (``projects.core.progress``); this module only
brings the site's thresholds from the settings and the repository's
overrides from its ``repotrackr.yml``. Writes are ``projects.plan_store``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from projects.core.plan_discovery import LoadedPlan, NoPlanFoundError, load_plan
from projects.core.progress import (
    Progress,
    StatusThresholds,
    compute_progress,
    project_status,
    status_message,
)
from projects.core.source import RepoSource
from projects.models import Project


def site_thresholds() -> StatusThresholds:
    """The status thresholds of this site (``REPOTRACKR_*`` settings)."""
    return StatusThresholds(
        stale_after_days=settings.REPOTRACKR_STALE_AFTER_DAYS,
        green_at=float(settings.REPOTRACKR_GREEN_AT),
        yellow_at=float(settings.REPOTRACKR_YELLOW_AT),
    )


def stored_thresholds(project: Project) -> StatusThresholds:
    """The thresholds in force at the project's last full refresh (site settings where unknown)."""
    return StatusThresholds.from_json(project.status_settings, fallback=site_thresholds())


@dataclass(frozen=True)
class PlanReading:
    """What one read of a repository found: the plan (or where none was), status and message."""

    loaded_plan: LoadedPlan | None  # None: discovery found no plan
    progress: Progress | None
    searched: tuple[str, ...]  # where discovery looked, when it found nothing
    thresholds: StatusThresholds
    commit_at: datetime | None
    status: str
    message: str

    @property
    def tasks_count(self) -> int:
        return self.progress.total if self.progress is not None else 0

    @property
    def percentage(self) -> float:
        return self.progress.percentage if self.progress is not None else 0.0

    @property
    def plan_label(self) -> str:
        return self.loaded_plan.label if self.loaded_plan is not None else ""

    def candidates_json(self) -> list[dict]:
        """Every plan discovery found, the chosen one first (none without a plan)."""
        if self.loaded_plan is None:
            return []
        return [c.as_json() for c in self.loaded_plan.candidates]


def plan_read(
    source: RepoSource,
    *,
    plan_path: str,
    now: datetime,
    commit_at: datetime | None,
    archived: bool = False,
) -> PlanReading:
    """Load the plan behind ``source`` and judge the status it gives at ``now``.

    Discovery finding nothing is a reading with ``loaded_plan`` ``None`` and
    status ``no_plan``. A configured ``plan_path`` that does not exist, and
    every other plan problem, raises the plan engine's ``PlanError`` family
    (not retryable).
    """
    try:
        loaded = load_plan(
            source, plan_path=plan_path, max_bytes=settings.REPOTRACKR_MAX_PLAN_BYTES
        )
    except NoPlanFoundError as exc:
        loaded, searched = None, exc.searched
    else:
        searched = ()
    progress = compute_progress(loaded.plan) if loaded is not None else None
    thresholds = site_thresholds().overridden_by(loaded.config if loaded is not None else None)
    status = project_status(
        progress, thresholds=thresholds, last_commit_at=commit_at, now=now, archived=archived
    )
    message = status_message(
        status,
        progress=progress,
        plan_label=loaded.label if loaded is not None else "",
        thresholds=thresholds,
    )
    return PlanReading(loaded, progress, searched, thresholds, commit_at, status, message)


@dataclass(frozen=True)
class StoredStatus:
    status: str
    message: str


def status_of_stored_project(project: Project, *, now: datetime) -> StoredStatus:
    """The status the project's stored figures give at ``now``, without reading the repository.

    Uses the thresholds of its last full refresh and its current ``archived``
    flag. A project never refreshed successfully is ``unknown`` (or
    ``archived``) and keeps its message.
    """
    refreshed = project.last_refreshed_at is not None
    progress = Progress(
        total=project.total_tasks,
        done=project.done_tasks,
        doing=project.doing_tasks,
        blocked=project.blocked_tasks,
        todo=project.todo_tasks,
        percentage=project.percentage,
        phases=(),
        task_phases=(),
    )
    thresholds = stored_thresholds(project)
    status = project_status(
        progress,
        thresholds=thresholds,
        last_commit_at=project.last_commit_at,
        now=now,
        refreshed=refreshed,
        archived=project.archived,
    )
    if not refreshed:
        return StoredStatus(status, project.status_message)
    message = status_message(
        status,
        progress=progress,
        plan_label=", ".join(project.plan_files),
        thresholds=thresholds,
    )
    return StoredStatus(status, message[:300])
