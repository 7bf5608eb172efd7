"""The status legend as people read it: the site's thresholds, or one project's own."""

from __future__ import annotations

from projects.core.status_vocabulary import LegendEntry, status_legend
from projects.models import Project
from projects.plan_reading import site_thresholds, stored_thresholds


def site_status_legend() -> tuple[LegendEntry, ...]:
    """Every status and what it means under the site's thresholds (the dashboard's legend)."""
    limits = site_thresholds()
    return status_legend(
        green_at=limits.green_at,
        yellow_at=limits.yellow_at,
        stale_after_days=limits.stale_after_days,
    )


def project_status_meaning(project: Project) -> str:
    """What the project's status means under the thresholds of its last refresh."""
    limits = stored_thresholds(project)
    legend = status_legend(
        green_at=limits.green_at,
        yellow_at=limits.yellow_at,
        stale_after_days=limits.stale_after_days,
    )
    return next((entry.meaning for entry in legend if entry.value == project.status), "")
