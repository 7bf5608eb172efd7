"""The plain data a parsed plan is made of: tasks, headings, status markers.

Kept apart from the parser so that discovery, progress and the Django side
can import the types without pulling in the Markdown machinery.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import repeat
from types import MappingProxyType

TODO = "todo"
DOING = "doing"
DONE = "done"
BLOCKED = "blocked"
STATUSES = (TODO, DOING, DONE, BLOCKED)
# A marker may also mean "cancelled": such items are left out of the total
# and listed in the warnings, so no task ever carries this status.
CANCELLED = "cancelled"
MARKER_STATUSES = (*STATUSES, CANCELLED)

# Checkbox characters between the brackets of a list item. `[ ]`, `[x]` and
# `[X]` are GitHub's own; the others are RepoTrackr's additions. A file's
# own legend may redefine any of them (docs/plan-format.md).
DEFAULT_CHECKBOXES: Mapping[str, str] = MappingProxyType(
    {" ": TODO, "x": DONE, "X": DONE, "~": DOING, "/": DOING, "-": CANCELLED, "!": BLOCKED}
)

# Emoji and GitHub shortcodes that, at the very start of a list item, make it
# a task (the vocabulary table of docs/plan-format.md). Variation selectors
# (U+FE0F) are optional when matching: people type both forms.
DEFAULT_EMOJI: Mapping[str, str] = MappingProxyType(
    {
        "✅": DONE,
        "✔️": DONE,
        "☑️": DONE,
        "🟢": DONE,
        ":heavy_check_mark:": DONE,
        ":white_check_mark:": DONE,
        ":ballot_box_with_check:": DONE,
        "🚧": DOING,
        "🏗️": DOING,
        "🔄": DOING,
        "⏳": DOING,
        "🟡": DOING,
        "🔵": DOING,
        ":construction:": DOING,
        ":large_blue_circle:": DOING,
        ":hourglass:": DOING,
        ":hourglass_flowing_sand:": DOING,
        "⬜": TODO,
        "📋": TODO,
        "🤔": TODO,
        "🔲": TODO,
        ":white_circle:": TODO,
        ":white_large_square:": TODO,
        # "Not done"; a file's legend may say they mean blocked.
        "❌": TODO,
        "🔴": TODO,
        ":x:": TODO,
        ":red_circle:": TODO,
        "🚫": BLOCKED,
        "⛔": BLOCKED,
        ":no_entry:": BLOCKED,
        ":no_entry_sign:": BLOCKED,
    }
)


def _check_status(key: str, status: str) -> None:
    if status not in MARKER_STATUSES:
        raise ValueError(
            f"status for {key!r} must be one of {', '.join(MARKER_STATUSES)}, not {status!r}"
        )


@dataclass(frozen=True)
class StatusMarkers:
    """Which checkbox characters and leading emoji mean which status.

    ``checkboxes`` maps the single character inside ``[.]`` to a status;
    ``emoji`` maps a leading emoji to a status. Build variants with
    :meth:`with_overrides` so the defaults stay in place.
    """

    checkboxes: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CHECKBOXES)
    emoji: Mapping[str, str] = field(default_factory=lambda: DEFAULT_EMOJI)

    def __post_init__(self) -> None:
        for char, status in self.checkboxes.items():
            if len(char) != 1 or char in "[]\r\n\t":
                raise ValueError(
                    f"checkbox marker must be one character other than brackets: {char!r}"
                )
            _check_status(f"[{char}]", status)
        for emoji, status in self.emoji.items():
            if not emoji or emoji.isspace() or len(emoji) > 32:
                raise ValueError(f"emoji marker must be a short non-blank string: {emoji!r}")
            _check_status(emoji, status)
        object.__setattr__(self, "checkboxes", MappingProxyType(dict(self.checkboxes)))
        object.__setattr__(self, "emoji", MappingProxyType(dict(self.emoji)))

    def with_overrides(
        self,
        *,
        checkboxes: Mapping[str, str] | None = None,
        emoji: Mapping[str, str] | None = None,
    ) -> StatusMarkers:
        """Return a copy where the given entries replace or extend these ones."""
        return StatusMarkers(
            checkboxes={**self.checkboxes, **(checkboxes or {})},
            emoji={**self.emoji, **(emoji or {})},
        )


DEFAULT_MARKERS = StatusMarkers()


@dataclass(frozen=True, slots=True)
class Task:
    """One task as the plan states it.

    ``depth`` counts task ancestors (0 = no enclosing task) and ``parent`` is
    the index of the nearest enclosing task in ``Plan.tasks``, so the two
    always agree. ``line`` is 1-based in the original file.
    """

    title: str
    status: str
    section_path: tuple[str, ...]
    depth: int
    parent: int | None
    file_path: str
    line: int
    order: int


def emoji_index(emoji: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Index emoji markers by first character, with and without U+FE0F."""
    index: dict[str, list[tuple[str, str]]] = {}
    for key, status in emoji.items():
        for variant in {key, key.replace("\ufe0f", "")}:
            if variant:
                index.setdefault(variant[0], []).append((variant, status))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))  # longest match first
    return index


def leading_emoji(text: str, index: dict[str, list[tuple[str, str]]]) -> tuple[int, str] | None:
    """Return (length, status) of the emoji ``text`` starts with, if any."""
    entries = index.get(text[:1])
    if entries:
        for key, status in entries:
            if text.startswith(key):
                return len(key), status
    return None


_TASK_FIELDS = tuple(f.name for f in fields(Task))


def tasks_from_columns(*columns: Sequence) -> tuple[Task, ...]:
    """Build many tasks at once from one sequence per field, in field order.

    Equal to ``tuple(map(Task, *columns))``, about twice as fast: a frozen
    dataclass's ``__init__`` sets each field through ``object.__setattr__``,
    which dominated parsing a 50k-task plan. Here every slot is filled
    column by column with the slot's own setter, so the loops run in C.
    The objects are ordinary, immutable ``Task`` instances.
    """
    if len(columns) != len(_TASK_FIELDS):
        raise TypeError(f"expected {len(_TASK_FIELDS)} columns, got {len(columns)}")
    count = len(columns[0])
    if any(len(c) != count for c in columns):
        raise ValueError("columns differ in length")
    tasks = list(map(object.__new__, repeat(Task, count)))
    for name, column in zip(_TASK_FIELDS, columns, strict=True):
        deque(map(getattr(Task, name).__set__, tasks, column), maxlen=0)
    return tuple(tasks)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    file_path: str
    line: int


@dataclass(frozen=True, slots=True)
class Plan:
    files: tuple[str, ...]
    tasks: tuple[Task, ...]
    headings: tuple[Heading, ...]
    warnings: tuple[str, ...] = ()
