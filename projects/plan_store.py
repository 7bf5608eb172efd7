"""Writes of a refresh's plan results: tasks, a progress snapshot, project figures.

The pipeline calls ``plan_store`` (and the skills store) inside one
transaction, so a failed refresh never leaves half-written tasks. This
module and ``projects.services`` are the only writers of these tables.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber, TruncDate

from projects.core.phase_record import phase_record
from projects.core.plan_discovery import LoadedPlan
from projects.core.progress import Progress
from projects.core.status_vocabulary import ARCHIVED
from projects.models import REFRESHED_FIELDS, ProgressSnapshot, Project, Task
from projects.plan_reading import PlanReading, status_of_stored_project


def _plan_warnings(reading: PlanReading) -> list[str]:
    if reading.loaded_plan is None:
        return []
    return list(reading.loaded_plan.warnings[:MAX_STORED_WARNINGS])


def _locked(project: Project) -> Project:
    """The project's row as it is now, locked until the transaction ends.

    A job works from the row it read when it started; the user may have
    archived or re-pointed the project meanwhile.
    """
    return Project.objects.select_for_update().get(pk=project.pk)


# A plan of many thousand items can have as many warnings; the page needs a few.
MAX_STORED_WARNINGS = 500

# Task.phase_index is a small integer; a plan never has this many phases in practice.
MAX_PHASE_INDEX = 32767


def _tasks(project: Project, loaded: LoadedPlan, progress: Progress) -> list[Task]:
    titles = [phase.title for phase in progress.phases]
    rows: list[Task] = []
    for index, task in enumerate(loaded.plan.tasks):
        phase = progress.task_phases[index] if index < len(progress.task_phases) else None
        if phase is not None and phase >= len(titles):
            phase = None
        rows.append(
            Task(
                project=project,
                title=task.title,
                status=task.status,
                section_path=list(task.section_path),
                phase=(titles[phase] if phase is not None else "")[:300],
                phase_index=min(phase, MAX_PHASE_INDEX) if phase is not None else 0,
                depth=task.depth,
                # Parents always come earlier in the plan, so the row exists.
                parent=rows[task.parent] if task.parent is not None else None,
                file_path=task.file_path[:500],
                line=task.line,
                order=task.order,
            )
        )
    return rows


_ZERO = Progress(0, 0, 0, 0, 0, 0.0, (), ())


def plan_store(
    *,
    project: Project,
    reading: PlanReading,
    commit_sha: str,
    fingerprint: str,
    now: datetime,
) -> ProgressSnapshot:
    """Replace the project's tasks, add a snapshot and update its figures, atomically.

    ``project`` is the row as the job read it: its branch, plan path and
    URL are what ``reading`` was read with. The row is read again under a
    lock here, so an archive made meanwhile wins over the reading's status;
    when the branch, plan path or URL changed meanwhile the data is stored
    but the fingerprint is not, so the next refresh reads the repository
    again. A reading without a plan (``no_plan``) clears the tasks and
    stores where discovery looked. The thresholds are stored for later
    recomputations. Returns the new snapshot.
    """
    progress = reading.progress or _ZERO
    with transaction.atomic():
        current = _locked(project)
        status = ARCHIVED if current.archived else reading.status
        repointed = any(
            getattr(current, f) != getattr(project, f) for f in ("branch", "plan_path", "repo_url")
        )
        Task.objects.filter(project=project).delete()
        if reading.loaded_plan is not None and reading.progress is not None:
            Task.objects.bulk_create(
                _tasks(project, reading.loaded_plan, reading.progress), batch_size=1000
            )
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
            plan_label=reading.plan_label[:500],
            plan_warnings=_plan_warnings(reading),
            plan_candidates=reading.candidates_json(),
        )
        current.status = status
        current.status_message = reading.message[:300]
        current.total_tasks = progress.total
        current.done_tasks = progress.done
        current.doing_tasks = progress.doing
        current.blocked_tasks = progress.blocked
        current.todo_tasks = progress.todo
        current.percentage = progress.percentage
        current.plan_files = list(reading.loaded_plan.files) if reading.loaded_plan else []
        current.plan_searched = list(reading.searched)
        current.last_commit_sha = commit_sha
        current.last_commit_at = reading.commit_at
        current.last_refreshed_at = now
        current.status_settings = reading.thresholds.as_json()
        fields = [*REFRESHED_FIELDS, "updated_at"]
        if not repointed:
            current.refresh_fingerprint = fingerprint
            fields.append("refresh_fingerprint")
        current.save(update_fields=fields)
    return snapshot


def plan_store_unchanged(*, project: Project, now: datetime) -> None:
    """Record an unchanged refresh: no snapshot, but the status recomputed for ``now``.

    The row is read again under a lock (the user may have archived the
    project while the job ran), and the status uses the thresholds stored
    by the last full refresh, the repository's own overrides included.
    """
    with transaction.atomic():
        current = _locked(project)
        current.last_refreshed_at = now
        judged = status_of_stored_project(current, now=now)
        current.status = judged.status
        current.status_message = judged.message
        current.save(update_fields=["last_refreshed_at", "status", "status_message", "updated_at"])


SNAPSHOT_DELETE_BATCH = 5000


def snapshots_thin(*, older_than: datetime) -> int:
    """Keep one snapshot per project per day (the day's last) before ``older_than``.

    The database picks the doomed rows (a window over each project's day), so
    the pass costs one scan of the old snapshots and memory for one batch of
    ids, however many years are kept. Returns how many snapshots were deleted.
    """
    doomed = (
        ProgressSnapshot.objects.filter(created_at__lt=older_than)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("project_id"), TruncDate("created_at")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__gt=1)
        .values_list("id", flat=True)
    )
    return _delete_in_batches(list(doomed))


def snapshots_expire(*, older_than: datetime) -> int:
    """Delete snapshots older than ``older_than``, except each project's latest.

    The latest one stays whatever its age: the project page reads its phases
    from it. Returns how many snapshots were deleted.
    """
    latest = ProgressSnapshot.objects.filter(project_id=OuterRef("project_id")).order_by(
        "-created_at", "-id"
    )
    deleted = 0
    while True:
        batch = list(
            ProgressSnapshot.objects.filter(created_at__lt=older_than)
            .exclude(pk=Subquery(latest.values("pk")[:1]))
            .values_list("id", flat=True)[:SNAPSHOT_DELETE_BATCH]
        )
        if not batch:
            return deleted
        deleted += _delete_in_batches(batch)


def _delete_in_batches(ids: list) -> int:
    deleted = 0
    for start in range(0, len(ids), SNAPSHOT_DELETE_BATCH):
        chunk = ids[start : start + SNAPSHOT_DELETE_BATCH]
        deleted += ProgressSnapshot.objects.filter(id__in=chunk).delete()[0]
    return deleted
