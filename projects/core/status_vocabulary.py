"""The project status words, their labels and their legend: one vocabulary for every surface.

The page, the dashboard, the API (value and label), ``manage.py plan`` and
the admin all name a project's status from this table (DESIGN.md,
Contracts, "Project status"). The rules that pick a status live in
``projects.core.progress``; the web colours live once in
``static/css/base.css`` as ``--status-<value>``, and ``tone`` is the same
colour's terminal name.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPLETE = "complete"
GREEN = "green"
YELLOW = "yellow"
RED = "red"
STALE = "stale"
NO_PLAN = "no_plan"
UNKNOWN = "unknown"
ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class StatusWord:
    value: str  # what the database and the API carry
    label: str  # what people read
    tone: str  # terminal colour name (ANSI); the web palette has the same hue
    meaning: str  # the legend's sentence; {green_at}, {yellow_at}, {stale_after_days} filled in


# In the order of the legend and of the dashboard's status filter.
STATUS_WORDS: tuple[StatusWord, ...] = (
    StatusWord(COMPLETE, "Complete", "magenta", "Every task in the plan is done."),
    StatusWord(GREEN, "On track", "green", "At least {green_at} % done and nothing blocked."),
    StatusWord(
        YELLOW, "At risk", "yellow", "At least {yellow_at} % done and at most one task blocked."
    ),
    StatusWord(RED, "Off track", "red", "Under {yellow_at} % done, or two or more tasks blocked."),
    StatusWord(
        STALE,
        "Stale",
        "cyan",
        "Not complete, and no commit for more than {stale_after_days} days.",
    ),
    StatusWord(
        NO_PLAN, "No plan", "blue", "The repository was read, but it has no plan with tasks."
    ),
    StatusWord(UNKNOWN, "Unknown", "white", "Not read successfully yet."),
    StatusWord(ARCHIVED, "Archived", "white", "Set aside by its owner; not refreshed on schedule."),
)

STATUS_VALUES: tuple[str, ...] = tuple(w.value for w in STATUS_WORDS)
STATUS_LABELS: dict[str, str] = {w.value: w.label for w in STATUS_WORDS}
_BY_VALUE: dict[str, StatusWord] = {w.value: w for w in STATUS_WORDS}


def status_label(value: str) -> str:
    """The label people read for a status value (the value itself if it is not one of ours)."""
    return STATUS_LABELS.get(value, value)


def status_tone(value: str) -> str:
    """The terminal colour name of a status value (``white`` if it is not one of ours)."""
    word = _BY_VALUE.get(value)
    return word.tone if word is not None else "white"


@dataclass(frozen=True, slots=True)
class LegendEntry:
    value: str
    label: str
    meaning: str


def status_legend(
    *, green_at: float, yellow_at: float, stale_after_days: int
) -> tuple[LegendEntry, ...]:
    """Every status with its label and what it means under these thresholds."""
    numbers = {
        "green_at": _number(green_at),
        "yellow_at": _number(yellow_at),
        "stale_after_days": stale_after_days,
    }
    return tuple(LegendEntry(w.value, w.label, w.meaning.format(**numbers)) for w in STATUS_WORDS)


def _number(value: float) -> str:
    """70.0 reads as "70", 72.5 as "72.5"."""
    return f"{value:g}"
