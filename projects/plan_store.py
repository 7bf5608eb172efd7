"""Writes of a refresh's plan results: tasks, a progress snapshot, project figures.

The pipeline calls ``plan_store`` (and the skills store) inside one
transaction, so a failed refresh never leaves half-written tasks. This
module and ``projects.services`` are the only writers of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import TruncDate

from projects.core.plan_discovery import LoadedPlan, load_plan
from projects.core.progress import Progress, compute_progress, project_status, status_message
from projects.core.source import RepoSource
from projects.models import ProgressSnapshot, Project, ProjectStatus, Task


@dataclass(frozen=True)
class ParsedPlan:
    loaded_plan: LoadedPlan
    progress: Progress
    status: str
    is_stale: bool
    commit_at: datetime | None

    @property
    def tasks_count(self) -> int:
        return self.progress.total

    @property
    def percentage(self) -> float:
        return self.progress.percentage


@dataclass(frozen=True)
class StatusSettings:
    stale_after_days: int
    green_at: float
    yellow_at: float


def status_settings(loaded: LoadedPlan | None = None) -> StatusSettings:
    """Site thresholds, overridden by the repository's ``repotrackr.yml`` where it sets them."""
    config = loaded.config if loaded is not None else None

    def pick(value, default):
        return default if value is None else value

    return StatusSettings(
        stale_after_days=pick(
            config and config.stale_after_days, settings.REPOTRACKR_STALE_AFTER_DAYS
        ),
        green_at=pick(config and config.green_at, settings.REPOTRACKR_GREEN_AT),
        yellow_at=pick(config and config.yellow_at, settings.REPOTRACKR_YELLOW_AT),
    )


def _is_stale(*, status: str, last_commit_at: datetime | None, now: datetime, days: int) -> bool:
    if status in (ProjectStatus.COMPLETE, ProjectStatus.ARCHIVED, ProjectStatus.UNKNOWN):
        return False
    return last_commit_at is not None and now - last_commit_at > timedelta(days=days)


def plan_parse(
    source: RepoSource, *, project: Project, now: datetime, commit_at: datetime | None
) -> ParsedPlan:
    """Load the project's plan from ``source`` and compute progress and status.

    Raises the plan engine's ``PlanError`` family (not retryable).
    """
    loaded = load_plan(
        source, plan_path=project.plan_path, max_bytes=settings.REPOTRACKR_MAX_PLAN_BYTES
    )
    progress = compute_progress(loaded.plan)
    limits = status_settings(loaded)
    status = project_status(
        progress,
        last_commit_at=commit_at,
        now=now,
        stale_after_days=limits.stale_after_days,
        green_at=limits.green_at,
        yellow_at=limits.yellow_at,
        archived=project.archived,
    )
    stale = _is_stale(
        status=status, last_commit_at=commit_at, now=now, days=limits.stale_after_days
    )
    return ParsedPlan(loaded, progress, status, stale, commit_at)


def _message(loaded: LoadedPlan, progress: Progress, *, stale: bool, days: int) -> str:
    message = status_message(loaded, progress)
    if stale:
        message = f"{message}; no commit for more than {days} days"
    return message[:300]


def _tasks(project: Project, loaded: LoadedPlan, progress: Progress) -> list[Task]:
    titles = [phase.title for phase in progress.phases]
    rows: list[Task] = []
    for index, task in enumerate(loaded.plan.tasks):
        phase = progress.task_phases[index] if index < len(progress.task_phases) else None
        rows.append(
            Task(
                project=project,
                title=task.title,
                status=task.status,
                section_path=list(task.section_path),
                phase=(titles[phase] if phase is not None and phase < len(titles) else "")[:300],
                depth=task.depth,
                # Parents always come earlier in the plan, so the row exists.
                parent=rows[task.parent] if task.parent is not None else None,
                file_path=task.file_path[:500],
                line=task.line,
                order=task.order,
            )
        )
    return rows


def plan_store(
    *,
    project: Project,
    loaded_plan: LoadedPlan,
    progress: Progress,
    status: str,
    commit_sha: str,
    commit_at: datetime | None,
    fingerprint: str,
    now: datetime,
) -> ProgressSnapshot:
    """Replace the project's tasks, add a snapshot and update its figures, atomically.

    ``status`` comes from ``project_status``; staleness is derived from
    ``commit_at`` with the effective threshold. Returns the new snapshot.
    """
    limits = status_settings(loaded_plan)
    stale = _is_stale(
        status=status, last_commit_at=commit_at, now=now, days=limits.stale_after_days
    )
    with transaction.atomic():
        Task.objects.filter(project=project).delete()
        Task.objects.bulk_create(_tasks(project, loaded_plan, progress), batch_size=1000)
        snapshot = ProgressSnapshot.objects.create(
            project=project,
            commit_sha=commit_sha,
            total=progress.total,
            done=progress.done,
            doing=progress.doing,
            blocked=progress.blocked,
            todo=progress.todo,
            percentage=progress.percentage,
            status=status,
            phases=[
                {
                    "title": p.title,
                    "total": p.total,
                    "done": p.done,
                    "doing": p.doing,
                    "blocked": p.blocked,
                    "todo": p.todo,
                    "percentage": p.percentage,
                }
                for p in progress.phases
            ],
        )
        project.status = status
        project.status_message = _message(
            loaded_plan, progress, stale=stale, days=limits.stale_after_days
        )
        project.is_stale = stale
        project.total_tasks = progress.total
        project.done_tasks = progress.done
        project.doing_tasks = progress.doing
        project.blocked_tasks = progress.blocked
        project.todo_tasks = progress.todo
        project.percentage = progress.percentage
        project.plan_files = list(loaded_plan.files)
        project.last_commit_sha = commit_sha
        project.last_commit_at = commit_at
        project.last_refreshed_at = now
        project.refresh_fingerprint = fingerprint
        project.save(
            update_fields=[
                "status",
                "status_message",
                "is_stale",
                "total_tasks",
                "done_tasks",
                "doing_tasks",
                "blocked_tasks",
                "todo_tasks",
                "percentage",
                "plan_files",
                "last_commit_sha",
                "last_commit_at",
                "last_refreshed_at",
                "refresh_fingerprint",
                "updated_at",
            ]
        )
    return snapshot


def plan_store_unchanged(*, project: Project, now: datetime) -> None:
    """Record an unchanged refresh: no snapshot, but staleness and status recomputed.

    Staleness uses the site's threshold (the repository's own override is
    only known after reading it, which an unchanged refresh does not do).
    """
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
    limits = status_settings()
    status = project_status(
        progress,
        last_commit_at=project.last_commit_at,
        now=now,
        stale_after_days=limits.stale_after_days,
        green_at=limits.green_at,
        yellow_at=limits.yellow_at,
        archived=project.archived,
    )
    stale = _is_stale(
        status=status,
        last_commit_at=project.last_commit_at,
        now=now,
        days=limits.stale_after_days,
    )
    fields = ["last_refreshed_at", "updated_at"]
    project.last_refreshed_at = now
    if stale and not project.is_stale:
        # Only ever newly stale here: the head (and so the last commit) is the same.
        project.is_stale = True
        project.status = status
        project.status_message = (
            f"{project.status_message}; no commit for more than {limits.stale_after_days} days"
        )[:300]
        fields += ["is_stale", "status", "status_message"]
    elif (
        project.status in (ProjectStatus.UNKNOWN, ProjectStatus.ARCHIVED)
        and status != project.status
    ):
        # Just unarchived (or archived): the status word follows the flag.
        project.status = status
        fields.append("status")
    project.save(update_fields=fields)


def snapshots_thin(*, older_than: datetime) -> int:
    """Keep one snapshot per project per day (the day's last) before ``older_than``.

    Returns how many snapshots were deleted.
    """
    old = ProgressSnapshot.objects.filter(created_at__lt=older_than)
    keep = set()
    seen: set[tuple] = set()
    rows = (
        old.annotate(day=TruncDate("created_at"))
        .order_by("project_id", "day", "-created_at")
        .values_list("id", "project_id", "day")
    )
    for snapshot_id, project_id, day in rows.iterator(chunk_size=2000):
        if (project_id, day) not in seen:
            seen.add((project_id, day))
            keep.add(snapshot_id)
    doomed = [pk for pk in old.values_list("id", flat=True) if pk not in keep]
    deleted = 0
    for start in range(0, len(doomed), 500):
        deleted += ProgressSnapshot.objects.filter(id__in=doomed[start : start + 500]).delete()[0]
    return deleted
