"""Geometry for the small progress-over-time chart drawn as inline SVG.

Pure: takes (time, percentage) points already ordered oldest first and the
drawing box, returns coordinates as plain numbers and strings that a template
can place in SVG attributes without further computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    when: datetime
    percentage: float


@dataclass(frozen=True, slots=True)
class ProgressChart:
    width: int
    height: int
    points: tuple[ChartPoint, ...]
    polyline: str  # "x1,y1 x2,y2 ..." for <polyline points=...>
    first: datetime | None
    last: datetime | None
    top: float = 0.0  # y of 100 %
    bottom: float = 0.0  # y of 0 %
    left: float = 0.0  # x of the first sample
    right: float = 0.0  # x of the last sample
    # The forecast, drawn dashed from the last sample to 100 % at its date.
    projection: ChartPoint | None = None
    projection_line: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.points


def build_progress_chart(
    samples: list[tuple[datetime, float]],
    *,
    width: int = 600,
    height: int = 160,
    pad: int = 8,
    left: int | None = None,
    bottom: int | None = None,
    projected: tuple[datetime, float] | None = None,
) -> ProgressChart:
    """Place ``samples`` in a ``width`` x ``height`` box, 0 % at the bottom, 100 % at the top.

    ``pad`` is the margin on every side; ``left`` and ``bottom`` widen those
    two margins to leave room for axis labels. Time runs left to right in
    proportion to the real gaps. A single sample is drawn in the middle; no
    samples give an empty chart. Percentages outside 0..100 are clamped so a
    bad row cannot draw outside the box. ``projected`` (a later time and
    percentage, the forecast) widens the time axis and comes back as
    ``projection`` and ``projection_line`` from the last sample to it.
    """
    if projected is not None and samples and projected[0] > samples[-1][0]:
        chart = build_progress_chart(
            [*samples, projected], width=width, height=height, pad=pad, left=left, bottom=bottom
        )
        *points, projection = chart.points
        return ProgressChart(
            width,
            height,
            tuple(points),
            " ".join(f"{p.x},{p.y}" for p in points),
            chart.first,
            chart.last,
            chart.top,
            chart.bottom,
            chart.left,
            chart.right,
            projection=projection,
            projection_line=f"{points[-1].x},{points[-1].y} {projection.x},{projection.y}",
        )
    x0 = pad if left is None else left
    y1 = height - (pad if bottom is None else bottom)
    if not samples:
        return ProgressChart(width, height, (), "", None, None, pad, y1, x0, width - pad)
    start, end = samples[0][0], samples[-1][0]
    span = (end - start).total_seconds()
    inner_w, inner_h = width - pad - x0, y1 - pad
    points = []
    for when, pct in samples:
        frac = 0.5 if span <= 0 else (when - start).total_seconds() / span
        clamped = min(max(pct, 0.0), 100.0)
        x = round(x0 + frac * inner_w, 1)
        y = round(pad + (1 - clamped / 100) * inner_h, 1)
        points.append(ChartPoint(x, y, when, clamped))
    polyline = " ".join(f"{p.x},{p.y}" for p in points)
    return ProgressChart(
        width, height, tuple(points), polyline, start, end, pad, y1, x0, width - pad
    )
