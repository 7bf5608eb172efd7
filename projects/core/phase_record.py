"""A phase's counts as a snapshot stores them: the one place a phase is serialised.

The refresh writes ``phase_record(phase)`` for each phase into
``ProgressSnapshot.phases`` (the API returns that list as it is); pages read
it back through ``phase_records_from(value)``, which tolerates rows written
by older versions or handed back as JSON text.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from projects.core.progress import PhaseProgress

# A stored phase reads back as the progress it was written from.
PhaseRecord = PhaseProgress


def phase_record(phase: PhaseProgress) -> dict:
    """The JSON object stored (and served by the API) for one phase: its fields, by name."""
    return asdict(phase)


def phase_records_from(value) -> list[PhaseRecord]:
    """The stored phases, in plan order; anything unreadable is skipped, never raised."""
    if isinstance(value, str):  # a database that hands JSON back as text
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [_record(row) for row in value if isinstance(row, dict)]


def _record(row: dict) -> PhaseRecord:
    total, done = _count(row, "total"), _count(row, "done")
    doing, blocked = _count(row, "doing"), _count(row, "blocked")
    percentage = row.get("percentage")
    return PhaseRecord(
        title=str(row.get("title") or "Tasks"),
        total=total,
        done=done,
        doing=doing,
        blocked=blocked,
        todo=_count(row, "todo") if "todo" in row else max(0, total - done - doing - blocked),
        percentage=float(percentage)
        if isinstance(percentage, int | float)
        else (round(100 * done / total, 1) if total else 0.0),
    )


def _count(row: dict, name: str) -> int:
    value = row.get(name)
    return int(value) if isinstance(value, int | float) else 0
