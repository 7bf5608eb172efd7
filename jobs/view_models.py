"""Page view models for the jobs app: what the refresh indicator and the console charts show.

Plain values built from rows the selectors read (``jobs.selectors``); no queries here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jobs.models import ACTIVE_JOB_STATUSES, JobRecord, JobStatus

JOBS_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class RefreshState:
    """What the refresh indicator shows for one project."""

    status: str  # "" (never refreshed), or a JobStatus value
    stage: str = ""
    progress: float = 0.0  # 0..100
    percentage: float | None = None  # the project's percentage after a completed refresh
    tasks_count: int | None = None  # 0: the refresh found no plan with tasks (no_plan)
    unchanged: bool = False
    error: str = ""
    waiting_to_retry: bool = False

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def label(self) -> str:
        if self.status == JobStatus.QUEUED:
            return "Waiting to retry" if self.waiting_to_retry else "Queued"
        if self.status == JobStatus.PROCESSING:
            return (self.stage or "Starting").capitalize()
        if self.status == JobStatus.COMPLETED:
            return "Done"
        if self.status == JobStatus.FAILED:
            return "Failed"
        if self.status == JobStatus.CANCELED:
            return "Canceled"
        return "Not refreshed yet"


IDLE = RefreshState(status="")


def refresh_state_from_job(job: JobRecord | None) -> RefreshState:
    """The indicator's state for ``job`` (``None``: never refreshed)."""
    if job is None:
        return IDLE
    result = job.result if isinstance(job.result, dict) else {}
    percentage = result.get("progress_percentage")
    tasks = result.get("tasks_count")
    return RefreshState(
        status=job.status,
        stage=job.stage,
        progress=round(100 * (job.progress or 0.0), 1),
        percentage=float(percentage) if isinstance(percentage, int | float) else None,
        tasks_count=tasks if isinstance(tasks, int) and not isinstance(tasks, bool) else None,
        unchanged=bool(result.get("unchanged")),
        error=job.error,
        waiting_to_retry=job.status == JobStatus.QUEUED and job.next_attempt_at is not None,
    )


@dataclass(frozen=True, slots=True)
class ThroughputBar:
    minute: datetime
    completed: int
    failed: int
    x: float
    completed_height: float
    failed_height: float

    @property
    def completed_y(self) -> float:
        return round(self.base - self.completed_height, 1)

    @property
    def failed_y(self) -> float:
        return round(self.base - self.completed_height - self.failed_height, 1)

    base: float = 100.0  # y of the baseline (SVG y grows downwards)


def throughput_bars(
    rows: list[dict], *, height: float = 100.0, bar_width: float = 10.0
) -> list[ThroughputBar]:
    """Stacked bars (completed below, failed above) for per-minute counts, scaled to ``height``."""
    largest = max((r["completed"] + r["failed"] for r in rows), default=0) or 1
    return [
        ThroughputBar(
            minute=row["minute"],
            completed=row["completed"],
            failed=row["failed"],
            x=round(i * bar_width, 1),
            completed_height=round(height * row["completed"] / largest, 1),
            failed_height=round(height * row["failed"] / largest, 1),
            base=height,
        )
        for i, row in enumerate(rows)
    ]
