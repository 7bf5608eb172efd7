"""Turn one Markdown plan file into tasks and headings.

The structure comes from pyromark's event stream (pulldown-cmark, with byte
ranges), never from line regexes, so fenced and indented code, HTML blocks
and comments can never yield tasks. GitHub's cmark-gfm is the reference for
what a task-list item is; pyromark reads a few cases differently and the
parser corrects them (see the ``TaskListMarker`` branch of ``_Walker.run``).

A list item is a task when it starts with:

* a GitHub checkbox ``[ ]``/``[x]``/``[X]`` followed by a space or tab on the
  same line (a bare ``- [ ]`` is not a task, as on GitHub);
* one of RepoTrackr's extra checkboxes (``[~]``, ``[/]``, ``[-]`` doing,
  ``[!]`` blocked; configurable), under the same spacing rule;
* a status emoji (``✅`` done, ``🔄`` doing, ``❌`` blocked, ``⏳`` todo, ...).

Items inside block quotes are never tasks (GitHub does not render them as
checkboxes). Tables whose header names a status column give one task per
row. Plain bullets and headings are never tasks.
"""

from __future__ import annotations

import gc
import re
from itertools import accumulate, repeat

import pyromark

from projects.core.plan_model import (
    BLOCKED,
    DEFAULT_MARKERS,
    DOING,
    DONE,
    TODO,
    Heading,
    Plan,
    StatusMarkers,
    Task,
)

__all__ = ["parse_plan", "table_cell_status"]

_OPTIONS = (
    pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
)

# cmark-gfm accepts a checkbox only when a space, tab, vertical tab or form
# feed follows the closing bracket on the same line.
_GFM_SPACE = frozenset(b" \t\x0b\x0c")
_GFM_CHECKBOX_CHARS = frozenset(" xX")

# Block-level starts that end an item's title (its first paragraph).
_BLOCK_STARTS = frozenset(
    {
        "Paragraph",
        "List",
        "CodeBlock",
        "BlockQuote",
        "Heading",
        "Table",
        "HtmlBlock",
        "FootnoteDefinition",
        "DefinitionList",
        "MetadataBlock",
    }
)

_TABLE_ENDS = frozenset({"TableHead", "TableRow", "Table"})

_STATUS_HEADERS = frozenset({"status", "state", "done", "progress"})
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
    }
)
_ID_HEADERS = frozenset({"", "#", "id", "no", "nr", "number", "n"})

_TABLE_WORDS = {
    "done": DONE,
    "complete": DONE,
    "completed": DONE,
    "yes": DONE,
    "[x]": DONE,
    "x": DONE,
    "finished": DONE,
    "shipped": DONE,
    "closed": DONE,
    "true": DONE,
    "in progress": DOING,
    "in-progress": DOING,
    "doing": DOING,
    "wip": DOING,
    "started": DOING,
    "ongoing": DOING,
    "active": DOING,
    "[~]": DOING,
    "[/]": DOING,
    "[-]": DOING,
    "blocked": BLOCKED,
    "on hold": BLOCKED,
    "[!]": BLOCKED,
    "todo": TODO,
    "to do": TODO,
    "to-do": TODO,
    "planned": TODO,
    "not started": TODO,
    "pending": TODO,
    "open": TODO,
    "no": TODO,
    "[ ]": TODO,
    "": TODO,
    "-": TODO,
    "backlog": TODO,
    "false": TODO,
}
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*%$")
_TRIM = "*_`~.:!()\u00a0 \t"


def _emoji_index(emoji: dict[str, str] | object) -> dict[str, list[tuple[str, str]]]:
    """Index emoji markers by first character, with and without U+FE0F."""
    index: dict[str, list[tuple[str, str]]] = {}
    for key, status in emoji.items():  # type: ignore[attr-defined]
        for variant in {key, key.replace("\ufe0f", "")}:
            if variant:
                index.setdefault(variant[0], []).append((variant, status))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))  # longest match first
    return index


def _leading_emoji(text: str, index: dict[str, list[tuple[str, str]]]) -> tuple[int, str] | None:
    """Return (length, status) of the emoji ``text`` starts with, if any."""
    entries = index.get(text[:1])
    if entries:
        for key, status in entries:
            if text.startswith(key):
                return len(key), status
    return None


def table_cell_status(cell: str, markers: StatusMarkers = DEFAULT_MARKERS) -> str | None:
    """Map a table status cell to a status; ``None`` when it is not recognised.

    Leading emoji win (``✅ Done``), then known words, then percentages
    (``100%`` done, ``0%`` todo, anything between doing). Empty is todo.
    """
    return _cell_status(cell, _emoji_index(markers.emoji), markers.checkboxes)


def _cell_status(cell: str, emoji: dict, checkboxes) -> str | None:
    text = " ".join(cell.split())
    hit = _leading_emoji(text, emoji) if text else None
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
    return None


def _header_key(cell: str) -> str:
    return " ".join(cell.split()).strip(_TRIM).lower()


def _table_columns(header: list[str]) -> tuple[int, int] | None:
    """Return (title column, status column) of a task table, or None."""
    keys = [_header_key(c) for c in header]
    status_col = next((i for i, k in enumerate(keys) if k in _STATUS_HEADERS), None)
    if status_col is None:
        return None
    title_col = next(
        (i for i, k in enumerate(keys) if i != status_col and k in _TITLE_HEADERS), None
    )
    if title_col is None:
        title_col = next(
            (i for i, k in enumerate(keys) if i != status_col and k not in _ID_HEADERS), None
        )
    if title_col is None:
        return None
    return title_col, status_col


class _Lines:
    """Byte offset -> 1-based line number.

    Offsets arrive almost always in increasing order, so counting newlines
    since the previous query keeps the whole file's cost linear without
    building an offset table.
    """

    __slots__ = ("data", "pos", "line")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> int:
        if pos >= self.pos:
            self.line += self.data.count(b"\n", self.pos, pos)
        else:
            self.line -= self.data.count(b"\n", pos, self.pos)
        self.pos = pos
        return self.line


def _clean(parts: list[str], strip: int = 0) -> str:
    """Join collected text into one line of single-spaced plain text."""
    text = parts[0] if len(parts) == 1 else "".join(parts)
    if strip:
        text = text[strip:].lstrip("\ufe0f")
    return " ".join(text.split())


def _line_numbers(data: bytes, offsets: list[int]) -> list[int]:
    """1-based line of each byte offset.

    Task offsets come in document order, so counting the newlines between
    neighbours is linear; ``map`` keeps the loop in C.
    """
    if offsets != sorted(offsets):  # never seen, but stay correct
        lines = _Lines(data)
        return [lines.at(o) for o in offsets]
    gaps = map(data.count, repeat(b"\n"), [0, *offsets[:-1]], offsets)
    return list(accumulate(gaps, initial=1))[1:]


def _build_tasks(data: bytes, records: list[list]) -> tuple[Task, ...]:
    """Turn walker records into tasks; column-wise so that the loops run in C."""
    if not records:
        return ()
    parts, status, section, depth, parent, path, offset, order, strip = zip(*records, strict=True)
    titles = list(map(" ".join, map(str.split, map("".join, parts))))
    for i, n in enumerate(strip):
        if n:
            titles[i] = _clean(parts[i], n)
    lines = _line_numbers(data, list(offset))
    return tuple(map(Task, titles, status, section, depth, parent, path, lines, order))


def parse_plan(text: str, *, source_path: str, markers: StatusMarkers | None = None) -> Plan:
    """Parse one Markdown plan into a :class:`Plan` of tasks and headings.

    ``source_path`` is recorded on every task and heading. ``markers``
    defaults to :data:`DEFAULT_MARKERS`. Identical titles stay separate
    tasks. Never raises on odd Markdown: whatever is not a task is ignored,
    and surprises (unknown table statuses, checkboxes inside block quotes)
    become warnings.
    """
    markers = markers or DEFAULT_MARKERS
    walker = _Walker(text, source_path, markers)
    # Tens of thousands of small acyclic objects would trigger many useless
    # collections of the young generation; nothing here creates cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        walker.run()
        tasks = _build_tasks(walker.data, walker.records)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Plan(
        files=(source_path,),
        tasks=tasks,
        headings=tuple(walker.headings),
        warnings=tuple(walker.warnings),
    )


class _Walker:
    """One pass over the event stream.

    The hot loop in :meth:`run` handles text, items and checkboxes with local
    variables (this is what keeps the parser within a small factor of a bare
    event loop); rarer events go to small methods.
    """

    def __init__(self, text: str, source_path: str, markers: StatusMarkers) -> None:
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.path = source_path
        self.markers = markers
        self.checkboxes = dict(markers.checkboxes)
        self.extra_boxes = {
            c: s for c, s in self.checkboxes.items() if c not in _GFM_CHECKBOX_CHARS
        }
        self.emoji = _emoji_index(markers.emoji)
        self.lines = _Lines(self.data)
        # records: [title parts, status, section, depth, parent, path, byte offset, order, strip]
        self.records: list[list] = []
        self.headings: list[Heading] = []
        self.warnings: list[str] = []
        self.section: tuple[str, ...] = ()
        self.heading_stack: list[tuple[int, str]] = []
        self.quote_depth = 0
        self.quoted_boxes = 0
        self.table: _Table | None = None
        self._heading_level = 1
        self._heading_line = 1

    # -- the hot loop -------------------------------------------------------
    def run(self) -> None:  # noqa: C901, PLR0912 - one dispatch loop, kept flat for speed
        """Walk the events once. A task record's title slot is the very list
        that collects its text (``sink``), so ending a title is just
        dropping the reference; titles are joined once at the end."""
        # Per open item: index of the nearest task at or above it (-1: none),
        # above a sentinel so that items[-1] and items[-2] always exist.
        items: list[int] = [-1]
        pending = False  # an item opened and its first content is not seen yet
        item_start = 0
        sink: list[str] | None = None  # where inline text goes (title, heading, cell)
        sink_kind = 0  # 1 item title, 2 heading, 3 table cell
        block_starts = _BLOCK_STARTS
        records = self.records
        path = self.path
        data = self.data
        size = len(data)
        gfm_space = _GFM_SPACE
        # GitHub checkbox characters are ASCII: look them up by byte value.
        box_status = {ord(c): st for c, st in self.checkboxes.items() if c in _GFM_CHECKBOX_CHARS}
        events = pyromark.events_with_range(self.text, options=_OPTIONS, merge_text=True)

        # `"Text" in event` also works on the few plain-string events
        # (SoftBreak, HardBreak, Rule), which are handled last.
        for event, rng in events:
            if "Text" in event:
                if sink is not None:
                    sink.append(event["Text"])
                elif pending:
                    pending = False
                    if self.quote_depth == 0:
                        sink = self._text_task(event["Text"], rng["start"], items, item_start)
                        sink_kind = 1 if sink is not None else 0
            elif "Start" in event:
                kind = event["Start"]
                if kind == "Item":
                    # A nested item always follows a List start, which ended
                    # any title, so there is no title to close here.
                    items.append(items[-1])
                    pending = True
                    item_start = rng["start"]
                elif kind == "Paragraph":
                    if sink_kind == 1:
                        sink = None
                        sink_kind = 0
                elif kind == "TableCell":
                    if self.table is not None and self.table.active:
                        sink = []
                        sink_kind = 3
                elif (next(iter(kind)) if kind.__class__ is dict else kind) in block_starts:
                    pending = False
                    if sink_kind == 1:
                        sink = None
                        sink_kind = 0
                    sink, sink_kind = self._block_start(kind, rng, items, sink, sink_kind)
                elif kind == "TableRow":
                    if self.table is not None:
                        self.table.current_row = rng["start"]
                elif pending:
                    pending = False  # an item starting with emphasis, a link, ...
            elif "End" in event:
                kind = event["End"]
                if kind == "Item":
                    items.pop()
                    pending = False
                    if sink_kind == 1:
                        sink = None
                        sink_kind = 0
                elif kind == "Paragraph":
                    if sink_kind == 1:
                        sink = None
                        sink_kind = 0
                elif kind == "TableCell":
                    if sink_kind == 3:
                        self.table.cells.append("".join(sink))
                        sink = None
                        sink_kind = 0
                elif kind.__class__ is dict or kind in block_starts or kind in _TABLE_ENDS:
                    if sink_kind == 2:
                        self._heading_end(sink)
                        sink = None
                        sink_kind = 0
                    self._block_end(kind)
            elif "TaskListMarker" in event:
                # The most common task: inlined, because calls dominate here.
                if not pending:
                    continue
                pending = False
                if self.quote_depth:
                    self.quoted_boxes += 1
                    continue
                # pyromark also accepts `[ ]` followed by a line break;
                # cmark-gfm wants a space or tab after the bracket.
                end = rng["end"]
                if end >= size or data[end] not in gfm_space:
                    continue
                status = box_status.get(data[rng["start"] + 1])
                if status is None:
                    continue
                parent = items[-2]
                index = len(records)
                items[-1] = index
                sink = []
                sink_kind = 1
                records.append(
                    [
                        sink,
                        status,
                        self.section,
                        records[parent][3] + 1 if parent >= 0 else 0,
                        parent if parent >= 0 else None,
                        path,
                        item_start,
                        index,
                        0,
                    ]
                )
            elif "Code" in event:
                if sink is not None:
                    sink.append(event["Code"])
                elif pending:
                    pending = False
            elif event.__class__ is str:  # SoftBreak, HardBreak, Rule
                if sink is not None:
                    sink.append(" ")
                elif pending:
                    pending = False
            elif pending:
                # InlineHtml, FootnoteReference, math...: never part of a title,
                # and an item starting with one has no checkbox at its start.
                pending = False
        self._finish()

    def _block_start(self, start, rng, items, sink, sink_kind):
        """Handle the start of a heading, block quote or table (rare events)."""
        if start.__class__ is dict:
            (kind,) = start
            if kind == "Heading":
                self._heading_level = int(start["Heading"]["level"][1:])
                self._heading_line = self.lines.at(rng["start"])
                return [], 2
            if kind == "BlockQuote":
                self.quote_depth += 1
            elif kind == "Table":
                self.table = _Table(rng["start"], items[-1])
        return sink, sink_kind

    def _block_end(self, end) -> None:
        kind = next(iter(end)) if end.__class__ is dict else end
        if kind == "BlockQuote":
            self.quote_depth -= 1
        elif kind in ("TableHead", "TableRow"):
            if self.table is not None:
                self._table_row_end()
        elif kind == "Table":
            self._table_end()

    # -- items --------------------------------------------------------------
    def _text_task(self, text: str, start: int, items: list[int], item_start: int) -> list | None:
        """Start a task when an item's first text is an extra checkbox or a status emoji."""
        first = text[:1]
        if first == "[":
            # Read the source: "[~]" may be split or escaped in the event text.
            raw = self.data[start : start + 16].decode("utf-8", "ignore")
            if (
                len(raw) >= 4
                and raw[2] == "]"
                and raw[1] in self.extra_boxes
                and raw[3] in " \t\x0b\x0c"
            ):
                sink = self._new_task(self.extra_boxes[raw[1]], 3, items, item_start)
                sink.append(text)
                return sink
            return None
        if first in self.emoji:
            hit = _leading_emoji(text, self.emoji)
            if hit is not None:
                sink = self._new_task(hit[1], hit[0], items, item_start)
                sink.append(text)
                return sink
        return None

    def _new_task(self, status: str, strip: int, items: list[int], item_start: int) -> list:
        """Append a task record and return the list that collects its title."""
        records = self.records
        parent = items[-2]
        items[-1] = len(records)
        parts: list[str] = []
        records.append(
            [
                parts,
                status,
                self.section,
                records[parent][3] + 1 if parent >= 0 else 0,
                parent if parent >= 0 else None,
                self.path,
                item_start,
                len(records),
                strip,
            ]
        )
        return parts

    # -- headings -----------------------------------------------------------
    def _heading_end(self, parts: list[str] | None) -> None:
        level = self._heading_level
        title = _clean(parts or [])
        stack = self.heading_stack
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        self.section = tuple(t for _, t in stack)
        self.headings.append(Heading(level, title, self.path, self._heading_line))

    # -- tables -------------------------------------------------------------
    def _table_row_end(self) -> None:
        table = self.table
        cells, table.cells = table.cells, []
        if table.columns is None:
            table.columns = _table_columns(cells) if self.quote_depth == 0 else None
            table.active = table.columns is not None
            return
        if not table.active:
            return
        title_col, status_col = table.columns
        title = " ".join(cells[title_col].split()) if title_col < len(cells) else ""
        cell = cells[status_col] if status_col < len(cells) else ""
        if not title:
            return
        status = _cell_status(cell, self.emoji, self.checkboxes)
        if status is None:
            table.unknown.append(cell.strip())
            status = TODO
        parent = table.parent
        records = self.records
        records.append(
            [
                [title],
                status,
                self.section,
                records[parent][3] + 1 if parent >= 0 else 0,
                parent if parent >= 0 else None,
                self.path,
                table.current_row,
                len(records),
                0,
            ]
        )

    def _table_end(self) -> None:
        table = self.table
        if table is not None and table.unknown:
            values = ", ".join(repr(v) for v in dict.fromkeys(table.unknown))
            self.warnings.append(
                f"{self.path}:{self.lines.at(table.start)}: table status not recognised, "
                f"counted as todo: {values}"
            )
        self.table = None

    def _finish(self) -> None:
        if self.quoted_boxes:
            self.warnings.append(
                f"{self.path}: {self.quoted_boxes} checkbox item(s) inside block quotes were "
                "not counted (GitHub does not render them as tasks)"
            )


class _Table:
    __slots__ = ("start", "parent", "columns", "active", "cells", "current_row", "unknown")

    def __init__(self, start: int, parent: int) -> None:
        self.start = start
        self.parent = parent
        self.columns: tuple[int, int] | None = None
        self.active = True  # cells are collected until the header proves otherwise
        self.cells: list[str] = []
        self.current_row = start
        self.unknown: list[str] = []

    def row_start(self, start: int) -> None:
        self.current_row = start
