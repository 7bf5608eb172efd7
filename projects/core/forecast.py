"""Velocity (tasks completed per week) and a projected completion date.

Pure: takes the project's snapshots oldest first and ``now``. Velocity is
the number of tasks completed per week over the last ``weeks`` weeks (4 by
default). Between two snapshots of *different* commits, the work completed is
the larger of the rise in done tasks and the fall in remaining ones, never
below zero: plans that fold a finished phase into a summary (done tasks
vanish, nothing remaining changes) or that grow (new tasks) neither erase
nor invent progress. A re-read of the same commit (an engine upgrade, a
settings change) moves no work at all. The forecast divides the
remaining tasks by the velocity; its range comes from the fastest and the
slowest single week. No forecast when nothing was completed in the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

NO_HISTORY = "no_history"  # under a day of snapshots
NO_PROGRESS = "no_progress"  # nothing completed in the window
COMPLETE = "complete"  # nothing left to do
NO_PLAN = "no_plan"  # no tasks at all


@dataclass(frozen=True)
class Sample:
    at: datetime
    done: int
    total: int
    commit_sha: str


@dataclass(frozen=True)
class Forecast:
    velocity_per_week: float | None
    weekly: tuple[float, ...]  # completed in each week, oldest first
    projected: date | None
    earliest: date | None
    latest: date | None  # None with a projection: the slowest week completed nothing
    note: str = ""  # why there is no projection (one of the constants above)

    @property
    def has_projection(self) -> bool:
        return self.projected is not None


def _work_done(samples: list[Sample]) -> list[tuple[datetime, int]]:
    """Cumulative completed work, with same-commit re-reads contributing nothing."""
    points, level = [], 0
    for previous, sample in zip([None, *samples], samples, strict=False):
        if previous is not None and sample.commit_sha != previous.commit_sha:
            done_rise = sample.done - previous.done
            remaining_fall = (previous.total - previous.done) - (sample.total - sample.done)
            level += max(0, done_rise, remaining_fall)
        points.append((sample.at, level))
    return points


def _level_at(points: list[tuple[datetime, int]], when: datetime) -> int:
    level = points[0][1]
    for at, value in points:
        if at > when:
            break
        level = value
    return level


def forecast(samples: list[Sample], *, now: datetime, weeks: int = 4) -> Forecast:
    """Velocity over the last ``weeks`` weeks and the projected completion date."""
    if not samples or samples[-1].total == 0:
        return Forecast(None, (), None, None, None, NO_PLAN)
    latest = samples[-1]
    remaining = latest.total - latest.done
    span = now - samples[0].at
    if span < timedelta(days=1):
        note = COMPLETE if remaining <= 0 else NO_HISTORY
        return Forecast(None, (), None, None, None, note)
    points = _work_done(samples)
    counted = min(weeks, math.ceil(span / timedelta(days=7)))
    bounds = [max(now - timedelta(days=7 * k), samples[0].at) for k in range(counted, -1, -1)]
    weekly = tuple(
        float(_level_at(points, end) - _level_at(points, start))
        for start, end in zip(bounds, bounds[1:], strict=False)
    )
    days = (now - bounds[0]) / timedelta(days=1)
    velocity = round(sum(weekly) / days * 7, 2)
    if remaining <= 0:
        return Forecast(velocity, weekly, None, None, None, COMPLETE)
    if velocity <= 0:
        return Forecast(velocity, weekly, None, None, None, NO_PROGRESS)
    fastest, slowest = max(weekly), min(weekly)
    today = now.date()
    return Forecast(
        velocity,
        weekly,
        projected=_after(today, remaining, velocity),
        earliest=_after(today, remaining, fastest) if fastest > 0 else None,
        latest=_after(today, remaining, slowest) if slowest > 0 else None,
    )


def _after(today: date, remaining: int, per_week: float) -> date:
    return today + timedelta(days=math.ceil(remaining / per_week * 7))
