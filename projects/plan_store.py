"""Writes of a refresh's plan results: tasks, a progress snapshot, project figures.

The pipeline calls ``plan_store`` (and the skills store) inside one
transaction, so a failed refresh never leaves half-written tasks. This
module and ``projects.services`` are the only writers of these tables.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import TruncDate

from projects.core.phase_record import phase_record
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

    def as_json(self) -> dict:
        return asdict(self)


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


def stored_status_settings(project: Project) -> StatusSettings:
    """The thresholds stored by the project's last full refresh.

    A project refreshed before they were stored (or a value of the wrong
    type) falls back to the site's settings, key by key.
    """
    site = status_settings()
    stored = project.status_settings if isinstance(project.status_settings, dict) else {}

    def pick(name: str):
        value = stored.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return getattr(site, name)
        return value

    return StatusSettings(
        stale_after_days=int(pick("stale_after_days")),
        green_at=float(pick("green_at")),
        yellow_at=float(pick("yellow_at")),
    )


_STALE_NOTE = re.compile(r"; no commit for more than \d+ days$")


def _with_stale_note(message: str, *, stale: bool, days: int) -> str:
    message = _STALE_NOTE.sub("", message)
    if stale:
        message = f"{message}; no commit for more than {days} days"
    return message[:300]


@dataclass(frozen=True)
class FiguresStatus:
    status: str
    is_stale: bool
    status_message: str


def status_from_figures(project: Project, *, now: datetime) -> FiguresStatus:
    """Recompute status, staleness and message from the stored counts, without a parse.

    Uses the thresholds of the last full refresh (``stored_status_settings``)
    and the row's current ``archived`` flag. A project never refreshed
    successfully stays ``unknown`` (or ``archived``).
    """
    if project.last_refreshed_at is None:
        status = ProjectStatus.ARCHIVED if project.archived else ProjectStatus.UNKNOWN
        return FiguresStatus(status, False, project.status_message)
    limits = stored_status_settings(project)
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
    status, stale = status_and_staleness(
        progress,
        limits=limits,
        commit_at=project.last_commit_at,
        now=now,
        archived=project.archived,
    )
    message = _with_stale_note(project.status_message, stale=stale, days=limits.stale_after_days)
    return FiguresStatus(status, stale, message)


def _locked(project: Project) -> Project:
    """The project's row as it is now, locked until the transaction ends.

    A job works from the row it read when it started; the user may have
    archived or re-pointed the project meanwhile.
    """
    return Project.objects.select_for_update().get(pk=project.pk)


def _is_stale(*, status: str, last_commit_at: datetime | None, now: datetime, days: int) -> bool:
    if status in (ProjectStatus.COMPLETE, ProjectStatus.ARCHIVED, ProjectStatus.UNKNOWN):
        return False
    return last_commit_at is not None and now - last_commit_at > timedelta(days=days)


def status_and_staleness(
    progress: Progress,
    *,
    limits: StatusSettings,
    commit_at: datetime | None,
    now: datetime,
    archived: bool,
) -> tuple[str, bool]:
    """The status word for ``progress`` under ``limits``, and whether the project is stale."""
    status = project_status(
        progress,
        last_commit_at=commit_at,
        now=now,
        stale_after_days=limits.stale_after_days,
        green_at=limits.green_at,
        yellow_at=limits.yellow_at,
        archived=archived,
    )
    stale = _is_stale(
        status=status, last_commit_at=commit_at, now=now, days=limits.stale_after_days
    )
    return status, stale


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
    status, stale = status_and_staleness(
        progress,
        limits=status_settings(loaded),
        commit_at=commit_at,
        now=now,
        archived=project.archived,
    )
    return ParsedPlan(loaded, progress, status, stale, commit_at)


def _message(loaded: LoadedPlan, progress: Progress, *, stale: bool, days: int) -> str:
    return _with_stale_note(status_message(loaded, progress)[:300], stale=stale, days=days)


# Task.phase_index is a small integer; a plan never has this many phases in practice.
MAX_PHASE_INDEX = 32767


def _tasks(project: Project, loaded: LoadedPlan, progress: Progress) -> list[Task]:
    titles = [phase.title for phase in progress.phases]
    rows: list[Task] = []
    for index, task in enumerate(loaded.plan.tasks):
        phase = progress.task_phases[index] if index < len(progress.task_phases) else None
        known = phase is not None and phase < len(titles)
        rows.append(
            Task(
                project=project,
                title=task.title,
                status=task.status,
                section_path=list(task.section_path),
                phase=(titles[phase] if known else "")[:300],
                phase_index=min(phase, MAX_PHASE_INDEX) if known else 0,
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
    commit_sha: str,
    commit_at: datetime | None,
    fingerprint: str,
    now: datetime,
) -> ProgressSnapshot:
    """Replace the project's tasks, add a snapshot and update its figures, atomically.

    ``project`` is the row as the job read it: its branch, plan path and
    URL are what ``loaded_plan`` was read with. The row is read again under
    a lock here, so the status follows the current ``archived`` flag; when
    the branch, plan path or URL changed meanwhile the data is stored but
    the fingerprint is not, so the next refresh reads the repository again.
    Staleness is derived from ``commit_at`` with the effective threshold,
    which is stored for later recomputations. Returns the new snapshot.
    """
    limits = status_settings(loaded_plan)
    with transaction.atomic():
        current = _locked(project)
        status, stale = status_and_staleness(
            progress, limits=limits, commit_at=commit_at, now=now, archived=current.archived
        )
        repointed = any(
            getattr(current, f) != getattr(project, f) for f in ("branch", "plan_path", "repo_url")
        )
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
            phases=[phase_record(p) for p in progress.phases],
        )
        current.status = status
        current.status_message = _message(
            loaded_plan, progress, stale=stale, days=limits.stale_after_days
        )
        current.is_stale = stale
        current.total_tasks = progress.total
        current.done_tasks = progress.done
        current.doing_tasks = progress.doing
        current.blocked_tasks = progress.blocked
        current.todo_tasks = progress.todo
        current.percentage = progress.percentage
        current.plan_files = list(loaded_plan.files)
        current.last_commit_sha = commit_sha
        current.last_commit_at = commit_at
        current.last_refreshed_at = now
        current.status_settings = limits.as_json()
        fields = [
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
            "status_settings",
            "updated_at",
        ]
        if not repointed:
            current.refresh_fingerprint = fingerprint
            fields.append("refresh_fingerprint")
        current.save(update_fields=fields)
    return snapshot


def plan_store_unchanged(*, project: Project, now: datetime) -> None:
    """Record an unchanged refresh: no snapshot, but staleness and status recomputed.

    The row is read again under a lock (the user may have archived the
    project while the job ran), and the status uses the thresholds stored
    by the last full refresh, the repository's own overrides included.
    """
    with transaction.atomic():
        current = _locked(project)
        figures = status_from_figures(current, now=now)
        current.last_refreshed_at = now
        current.status = figures.status
        current.is_stale = figures.is_stale
        current.status_message = figures.status_message
        current.save(
            update_fields=[
                "last_refreshed_at",
                "status",
                "is_stale",
                "status_message",
                "updated_at",
            ]
        )


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
