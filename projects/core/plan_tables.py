"""Task tables: which columns hold the title and the status, and what a status cell means.

A table is a task table when its header has a status column (Status, State,
Done or Progress, in any case). The title comes from a Task, Item, Feature,
Name, Title or Deliverable column, else from the first column that is not
a row number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from projects.core.plan_model import (
    BLOCKED,
    CANCELLED,
    DEFAULT_MARKERS,
    DOING,
    DONE,
    TODO,
    StatusMarkers,
    emoji_index,
    leading_emoji,
)
from projects.core.plan_vocabulary import (
    LEGEND_COLUMNS,
    SCOPE_COLUMNS,
    STATUS_WORDS,
    legend_entry_status,
)

_STATUS_HEADERS = frozenset(
    {"status", "state", "done", "progress", "complete", "completed", "done?", "implemented"}
)
_TITLE_HEADERS = frozenset(
    {
        "task",
        "tasks",
        "item",
        "items",
        "feature",
        "features",
        "name",
        "title",
        "deliverable",
        "deliverables",
        "milestone",
        "milestones",
        "phase",
        "component",
        "step",
        "goal",
    }
)
_ID_HEADERS = frozenset({"", "#", "id", "no", "nr", "number", "n"})

# Status words (docs/plan-format.md) plus what only a table cell says.
_TABLE_WORDS = {
    **STATUS_WORDS,
    "[x]": DONE,
    "x": DONE,
    "[~]": DOING,
    "[/]": DOING,
    "[-]": CANCELLED,
    "[!]": BLOCKED,
    "[ ]": TODO,
    "": TODO,
    "-": TODO,
}
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*%$")
_TRIM = "*_`~.:!()\u00a0 \t"


def table_cell_status(cell: str, markers: StatusMarkers = DEFAULT_MARKERS) -> str | None:
    """Map a table status cell to a status; ``None`` when it is not recognised.

    Leading emoji win (``✅ Done``), then known words, then percentages
    (``100%`` done, ``0%`` todo, anything between doing). Empty is todo;
    words such as "Cancelled" give ``"cancelled"`` (left out of the total).
    """
    return cell_status(cell, emoji_index(markers.emoji), markers.checkboxes)


def cell_status(
    cell: str, emoji: dict[str, list[tuple[str, str]]], checkboxes: Mapping[str, str]
) -> str | None:
    """:func:`table_cell_status` with the emoji index built once per table."""
    text = " ".join(cell.split())
    hit = leading_emoji(text, emoji) if text else None
    if hit:
        return hit[1]
    word = text.strip(_TRIM).lower()
    if word in _TABLE_WORDS:
        return _TABLE_WORDS[word]
    if len(word) == 3 and word[0] == "[" and word[2] == "]" and word[1] in checkboxes:
        return checkboxes[word[1]]
    match = _PERCENT.match(word)
    if match:
        value = float(match.group(1))
        return DONE if value >= 100 else TODO if value <= 0 else DOING
    # "Completed; decision Adopt", "In progress (since May)": the leading word says it.
    return legend_entry_status(text.lstrip(_TRIM))


def header_key(cell: str) -> str:
    """A header cell as a lookup key: single-spaced, lower case, without emphasis."""
    return " ".join(cell.split()).strip(_TRIM).lower()


def table_columns(header: list[str]) -> tuple[int, int] | None:
    """Return (title column, status column) of a task table, or None.

    Only a Status, State, Done, Complete or Progress column holds progress;
    Included, In scope or Supported columns hold scope, so a table with
    only those has no tasks.
    """
    keys = [header_key(c) for c in header]
    status_col = next((i for i, k in enumerate(keys) if k in _STATUS_HEADERS), None)
    if status_col is None:
        return None
    title_col = next(
        (i for i, k in enumerate(keys) if i != status_col and k in _TITLE_HEADERS), None
    )
    if title_col is None:
        title_col = next(
            (
                i
                for i, k in enumerate(keys)
                if i != status_col and k not in _ID_HEADERS and k not in SCOPE_COLUMNS
            ),
            None,
        )
    if title_col is None:
        return None
    return title_col, status_col


def legend_columns(header: list[str]) -> tuple[int, int] | None:
    """(marker column, meaning column) of a legend table such as ``| Symbol | Meaning |``."""
    keys = [header_key(c) for c in header]
    if len(keys) < 2 or keys[0] not in LEGEND_COLUMNS:
        return None
    return 0, 1


class TableState:
    """A table being read: its header decides whether rows are tasks."""

    __slots__ = (
        "start",
        "parent",
        "columns",
        "active",
        "cells",
        "current_row",
        "unknown",
        "group",
        "keys",
        "legend",
    )

    def __init__(self, start: int, parent: int, group: int = 0) -> None:
        self.start = start
        self.parent = parent
        self.columns: tuple[int, int] | None = None
        self.active = True  # cells are collected until the header proves otherwise
        self.cells: list[str] = []
        self.current_row = start
        self.unknown: list[str] = []
        self.group = group
        self.keys: tuple[str, ...] = ()
        self.legend: tuple[int, int] | None = None

    def row_start(self, start: int) -> None:
        self.current_row = start
