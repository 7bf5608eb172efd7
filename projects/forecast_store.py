"""Store velocity and forecast on the project, so that pages and the API read them without a query."""

from __future__ import annotations

from datetime import datetime, timedelta

from projects.core.forecast import Forecast, Sample, forecast
from projects.models import Project

# Five weeks of snapshots cover the four-week window and its starting level.
_HISTORY = timedelta(days=35)

FORECAST_FIELDS = [
    "velocity_per_week",
    "forecast_date",
    "forecast_earliest",
    "forecast_latest",
    "forecast_note",
]


def project_forecast_compute(*, project: Project, now: datetime) -> Forecast:
    """The forecast from the project's snapshots of the last five weeks."""
    rows = project.snapshots.filter(created_at__gte=now - _HISTORY).order_by("created_at")
    samples = [
        Sample(at=r.created_at, done=r.done, total=r.total, commit_sha=r.commit_sha)
        for r in rows.only("created_at", "done", "total", "commit_sha")
    ]
    # The snapshot just before the window gives the level the window starts from.
    before = (
        project.snapshots.filter(created_at__lt=now - _HISTORY)
        .order_by("-created_at")
        .only("created_at", "done", "total", "commit_sha")
        .first()
    )
    if before is not None:
        samples.insert(0, Sample(before.created_at, before.done, before.total, before.commit_sha))
    return forecast(samples, now=now)


def project_forecast_update(*, project: Project, now: datetime) -> Forecast:
    """Recompute and store the project's velocity and forecast fields."""
    result = project_forecast_compute(project=project, now=now)
    project.velocity_per_week = result.velocity_per_week
    project.forecast_date = result.projected
    project.forecast_earliest = result.earliest
    project.forecast_latest = result.latest
    project.forecast_note = result.note
    Project.objects.filter(pk=project.pk).update(
        **{name: getattr(project, name) for name in FORECAST_FIELDS}
    )
    return result
