"""Turn one Markdown plan file into tasks and headings.

The structure comes from pyromark's event stream (pulldown-cmark, with byte
ranges), never from line regexes, so fenced and indented code, HTML blocks
and comments can never yield tasks. GitHub's cmark-gfm is the reference for
what a task-list item is; pyromark reads a few cases differently and the
parser corrects them (see ``_is_gfm_checkbox``).

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

import re

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
    {"Paragraph", "List", "CodeBlock", "BlockQuote", "Heading", "Table", "HtmlBlock",
     "FootnoteDefinition", "DefinitionList", "MetadataBlock"}
)

_STATUS_HEADERS = frozenset({"status", "state", "done", "progress"})
_TITLE_HEADERS = frozenset(
    {"task", "tasks", "item", "items", "feature", "features", "name", "title", "deliverable",
     "deliverables"}
)
_ID_HEADERS = frozenset({"", "#", "id", "no", "nr", "number", "n"})

_TABLE_WORDS = {
    "done": DONE, "complete": DONE, "completed": DONE, "yes": DONE, "[x]": DONE, "x": DONE,
    "finished": DONE, "shipped": DONE, "closed": DONE, "true": DONE,
    "in progress": DOING, "in-progress": DOING, "doing": DOING, "wip": DOING,
    "started": DOING, "ongoing": DOING, "active": DOING, "[~]": DOING, "[/]": DOING,
    "[-]": DOING,
    "blocked": BLOCKED, "on hold": BLOCKED, "[!]": BLOCKED,
    "todo": TODO, "to do": TODO, "to-do": TODO, "planned": TODO, "not started": TODO,
    "pending": TODO, "open": TODO, "no": TODO, "[ ]": TODO, "": TODO, "-": TODO,
    "backlog": TODO, "false": TODO,
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
    text = " ".join(cell.split())
    hit = _leading_emoji(text, _emoji_index(markers.emoji)) if text else None
    if hit:
        return hit[1]
    word = text.strip(_TRIM).lower()
    if word in _TABLE_WORDS:
        return _TABLE_WORDS[word]
    if len(word) == 3 and word[0] == "[" and word[2] == "]" and word[1] in markers.checkboxes:
        return markers.checkboxes[word[1]]
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
    text = "".join(parts)
    if strip:
        text = text[strip:].lstrip("\ufe0f")
    return " ".join(text.split())


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
    walker.run()
    tasks = tuple(
        Task(r[0], r[1], r[2], r[3], r[4], source_path, r[5], i)
        for i, r in enumerate(walker.records)
    )
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
        self.extra_boxes = {c: s for c, s in self.checkboxes.items() if c not in _GFM_CHECKBOX_CHARS}
        self.emoji = _emoji_index(markers.emoji)
        self.lines = _Lines(self.data)
        # records: [title, status, section, depth, parent, line]
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
    def run(self) -> None:  # noqa: C901 - one dispatch loop, kept flat for speed
        records = self.records
        items: list[int] = []  # per open item: index of nearest task at or above it, -1 none
        pending = False  # an item opened and its first content is not seen yet
        item_start = 0
        sink: list[str] | None = None  # where inline text goes (title, heading, cell)
        sink_kind = 0  # 1 item title, 2 heading, 3 table cell
        title_rec: list | None = None
        title_strip = 0

        for event, rng in pyromark.events_with_range(self.text, options=_OPTIONS):
            if event.__class__ is str:  # SoftBreak, HardBreak, Rule
                if sink is not None:
                    sink.append(" ")
                elif pending:
                    pending = False
                continue
            if "Text" in event:
                if sink is not None:
                    sink.append(event["Text"])
                elif pending:
                    pending = False
                    if self.quote_depth == 0:
                        hit = self._text_marker(event["Text"], rng["start"])
                        if hit is not None:
                            title_strip, status = hit
                            title_rec = self._new_task(status, items, item_start)
                            sink = [event["Text"]]
                            sink_kind = 1
                continue
            if "Start" in event:
                kind = event["Start"]
                if kind == "Item":
                    if sink_kind == 1:
                        title_rec[0] = _clean(sink, title_strip)
                        sink = None
                        sink_kind = 0
                    items.append(items[-1] if items else -1)
                    pending = True
                    item_start = rng["start"]
                    continue
                if kind.__class__ is dict:
                    (kind,) = kind
                if kind in _BLOCK_STARTS:
                    if pending and kind != "Paragraph":
                        pending = False
                    if sink_kind == 1:
                        title_rec[0] = _clean(sink, title_strip)
                        sink = None
                        sink_kind = 0
                    if kind == "Heading":
                        sink = []
                        sink_kind = 2
                        self._heading_start(event["Start"]["Heading"]["level"], rng["start"])
                    elif kind == "BlockQuote":
                        self.quote_depth += 1
                    elif kind == "Table":
                        self.table = _Table(rng["start"], items[-1] if items else -1)
                elif kind == "TableCell":
                    if self.table is not None and self.table.active:
                        sink = []
                        sink_kind = 3
                elif kind == "TableRow":
                    if self.table is not None:
                        self.table.row_start(rng["start"])
                elif pending:
                    pending = False  # an item starting with emphasis, a link, ...
                continue
            if "End" in event:
                kind = event["End"]
                if kind == "Item":
                    items.pop()
                    pending = False
                    if sink_kind == 1:
                        title_rec[0] = _clean(sink, title_strip)
                        sink = None
                        sink_kind = 0
                    continue
                if kind == "Paragraph":
                    if sink_kind == 1:
                        title_rec[0] = _clean(sink, title_strip)
                        sink = None
                        sink_kind = 0
                    continue
                if kind.__class__ is dict:
                    (kind,) = kind
                if kind == "Heading":
                    self._heading_end(sink)
                    sink = None
                    sink_kind = 0
                elif kind == "BlockQuote":
                    self.quote_depth -= 1
                elif kind == "TableCell":
                    if sink_kind == 3:
                        self.table.cells.append("".join(sink))
                        sink = None
                        sink_kind = 0
                elif kind in ("TableHead", "TableRow"):
                    if self.table is not None:
                        self._table_row_end()
                elif kind == "Table":
                    self._table_end()
                continue
            if "TaskListMarker" in event:
                if pending:
                    pending = False
                    start = rng["start"]
                    if self.quote_depth:
                        self.quoted_boxes += 1
                    elif self._is_gfm_checkbox(rng["end"]):
                        char = chr(self.data[start + 1])
                        status = self.checkboxes.get(char)
                        if status is not None:
                            title_rec = self._new_task(status, items, item_start)
                            title_strip = 0
                            sink = []
                            sink_kind = 1
                continue
            if "Code" in event:
                if sink is not None:
                    sink.append(event["Code"])
                elif pending:
                    pending = False
                continue
            # InlineHtml, Html, FootnoteReference, math...: never part of a title,
            # and an item that starts with one has no checkbox at its start.
            if pending:
                pending = False
        self._finish()

    # -- items --------------------------------------------------------------
    def _is_gfm_checkbox(self, end: int) -> bool:
        """pyromark also accepts ``[ ]`` followed by a line break; cmark-gfm does not."""
        data = self.data
        return end < len(data) and data[end] in _GFM_SPACE

    def _text_marker(self, text: str, start: int) -> tuple[int, str] | None:
        """(chars to strip, status) when an item's first text is an extra marker or emoji."""
        first = text[:1]
        if first == "[":
            # pyromark splits "[~]" into several text events: read the source.
            raw = self.data[start : start + 16].decode("utf-8", "ignore")
            if (
                len(raw) >= 4
                and raw[2] == "]"
                and raw[1] in self.extra_boxes
                and raw[3] in " \t\x0b\x0c"
            ):
                return 3, self.extra_boxes[raw[1]]
            return None
        if first in self.emoji:
            return _leading_emoji(text, self.emoji)
        return None

    def _new_task(self, status: str, items: list[int], item_start: int) -> list:
        parent = items[-2] if len(items) > 1 else -1
        index = len(self.records)
        items[-1] = index
        depth = self.records[parent][3] + 1 if parent >= 0 else 0
        record = ["", status, self.section, depth, parent if parent >= 0 else None,
                  self.lines.at(item_start)]
        self.records.append(record)
        return record

    # -- headings -----------------------------------------------------------
    def _heading_start(self, level: str, start: int) -> None:
        self._heading_level = int(level[1:])
        self._heading_line = self.lines.at(start)

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
        status = table_cell_status(cell, self.markers)
        if status is None:
            table.unknown.append(cell.strip())
            status = TODO
        parent = table.parent
        depth = self.records[parent][3] + 1 if parent >= 0 else 0
        self.records.append(
            [title, status, self.section, depth, parent if parent >= 0 else None,
             self.lines.at(table.current_row)]
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
