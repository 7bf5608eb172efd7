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
import unicodedata
from collections.abc import Iterator
from itertools import accumulate, repeat
from operator import itemgetter
from typing import Any

import pyromark
from pyromark.event import Range

from projects.core.plan_model import (
    CANCELLED,
    DEFAULT_MARKERS,
    TODO,
    Heading,
    Plan,
    StatusMarkers,
    Task,
    emoji_index,
    tasks_from_columns,
)
from projects.core.plan_rules import (
    SIG_BOX,
    SIG_EMOJI,
    SIG_EXTRA,
    SIG_ICON,
    SIG_MALFORMED,
    SIG_STACKED,
    SIG_STACKED_EXTRA,
    SIG_TABLE,
    Counted,
    apply_counting_rules,
)
from projects.core.plan_tables import (
    TableState,
    cell_status,
    header_key,
    legend_columns,
    table_cell_status,
    table_columns,
)
from projects.core.plan_vocabulary import REGISTER_COLUMNS

__all__ = ["PARSER_VERSION", "parse_plan", "table_cell_status"]

# Part of the "unchanged" check (DESIGN.md, Contracts): bump it whenever the
# same text may parse differently, so that every project is parsed again.
PARSER_VERSION = 2

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


def _clean(parts: list[str]) -> str:
    """Join collected text into one line of single-spaced plain text."""
    return " ".join("".join(parts).split())


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


def _build_tasks(data: bytes, counted: Counted) -> tuple[Task, ...]:
    """Turn the counted records into tasks; column-wise so that the loops run in C."""
    records = counted.records
    if not records:
        return ()
    # One column at a time: five passes through ``map`` cost less than
    # transposing all ten fields with ``zip(*records)``.
    status, section, path, offset = (
        list(map(itemgetter(field), records)) for field in (1, 2, 5, 6)
    )
    depth, parent, order = counted.depths, counted.parents, range(len(records))
    titles = list(map(str.strip, map("".join, map(itemgetter(0), records))))
    # Runs of spaces and tabs are rare in titles: look for them in one go,
    # and tidy title by title only when there are some.
    everything = "\x00".join(titles)
    if "  " in everything or "\t" in everything or "\n" in everything:
        titles = [" ".join(t.split()) if "  " in t or "\t" in t or "\n" in t else t for t in titles]
    lines = _line_numbers(data, offset)
    return tasks_from_columns(titles, status, section, depth, parent, path, lines, order)


def _disarm(text: str, offsets: list[int]) -> str:
    """Blank the ``[`` of checkboxes that GitHub does not count, keeping offsets.

    pulldown-cmark takes ``- [ ]`` at the end of a line for a checkbox with
    empty content, where cmark-gfm sees a paragraph ``[ ]``. The block
    structure then differs: a blank line closes pulldown-cmark's "empty"
    item, and a line such as ``2) x`` starts a list there but continues the
    paragraph on GitHub. With the bracket replaced by a character of the same
    byte length, both parsers see the same paragraph, and every offset stays.
    Such plans are parsed twice; they are rare and the second pass is exact.
    """
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    for offset in offsets:
        data[offset] = 0x1A  # SUB: one byte, not whitespace, not Markdown
    return data.decode("utf-8", "surrogatepass")


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
        if walker.bare_boxes:
            walker = _Walker(_disarm(text, walker.bare_boxes), source_path, markers)
            walker.run()
        counted = apply_counting_rules(
            walker.records,
            headings=walker.headings,
            legend_rows=walker.legend_rows,
            special=walker.special,
            box_sections=walker.box_sections,
            table_keys=walker.table_keys,
            path=source_path,
            line_at=_Lines(walker.data).at,
        )
        tasks = _build_tasks(walker.data, counted)
        # Free the records while collection is off, so the first collection
        # after it is back on has only the tasks to look at.
        walker.records.clear()
        counted.records.clear()
    finally:
        if gc_was_enabled:
            gc.enable()
    return Plan(
        files=(source_path,),
        tasks=tasks,
        headings=tuple(walker.headings),
        warnings=tuple(walker.warnings) + counted.warnings,
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
        self.checkboxes = dict(markers.checkboxes)
        self.extra_boxes = {
            c: s for c, s in self.checkboxes.items() if c not in _GFM_CHECKBOX_CHARS
        }
        self.extra_ascii = {ord(c): st for c, st in self.extra_boxes.items() if ord(c) < 0x80}
        self.emoji = emoji_index(markers.emoji)
        self.lines = _Lines(self.data)
        # records: (title parts, status, section, depth, parent, path, byte offset,
        # order, signal, group); see plan_rules for the signal codes.
        self.records: list[tuple] = []
        self.headings: list[Heading] = []
        self.warnings: list[str] = []
        self.section: tuple[str, ...] = ()
        self.heading_stack: list[tuple[int, str]] = []
        self.quote_depth = 0
        self.quoted_boxes = 0
        self.table: TableState | None = None
        self.bare_boxes: list[int] = []  # offsets of `[ ]` GitHub does not count
        self._heading_level = 1
        self._heading_line = 1
        self.group_count = 0  # lists and tables seen, numbered from 1
        # For the counting rules: records with a signal other than a GitHub
        # checkbox, and the sections that hold a checkbox of any kind.
        self.special: list[int] = []
        self.box_sections: set[tuple[str, ...]] = set()
        self.table_keys: dict[int, tuple[str, ...]] = {}  # header of each task table
        self.legend_rows: list[tuple[str, str, int]] = []  # (marker, meaning, byte offset)

    # -- the hot loop -------------------------------------------------------
    def run(self) -> None:  # noqa: C901, PLR0912 - one dispatch loop, kept flat for speed
        """Walk the events once. A task record's title slot is the very list
        that collects its text (``sink``), so ending a title is just
        dropping the reference; titles are joined once at the end."""
        # Per open item: index of the nearest task at or above it (-1: none),
        # above a sentinel so that items[-1] and items[-2] always exist.
        items: list[int] = [-1]
        # The list or table each task belongs to (for legends and warnings).
        groups: list[int] = [0]
        group = 0
        stacked = False  # the open item sits right after an outer marker: `1. - [x] a`
        stacked_next = False
        pending = False  # an item opened and its first content is not seen yet
        item_start = 0
        sink: list[str] | None = None  # where inline text goes (title, heading, cell)
        sink_kind = 0  # 1 item title, 2 heading, 3 table cell
        block_starts = _BLOCK_STARTS
        table_ends = _TABLE_ENDS
        records = self.records
        path = self.path
        data = self.data
        size = len(data)
        gfm_space = _GFM_SPACE
        # GitHub checkbox characters are ASCII: look them up by byte value.
        # GitHub's own boxes always count (a config may not cancel them).
        box_status = {
            ord(c): st
            for c, st in self.checkboxes.items()
            if c in _GFM_CHECKBOX_CHARS and st != CANCELLED
        }
        box_sig = {ord(c): SIG_BOX + c for c in _GFM_CHECKBOX_CHARS}
        box_section = None  # the last section a checkbox was seen in
        stacked_sig = {ord(c): SIG_STACKED + c for c in _GFM_CHECKBOX_CHARS}
        # pyromark types an event as a union of strings and TypedDicts; the
        # `in` tests below tell them apart at run time, which mypy cannot follow.
        events: Iterator[tuple[Any, Range]] = pyromark.events_with_range(
            self.text, options=_OPTIONS, merge_text=True
        )

        # `"Text" in event` also works on the few plain-string events
        # (SoftBreak, HardBreak, Rule), which are handled last.
        for event, rng in events:
            if "Text" in event:
                if sink is not None:
                    sink.append(event["Text"])
                elif pending:
                    pending = False
                    if self.quote_depth == 0:
                        sink = self._text_task(
                            event["Text"], rng["start"], items, item_start, group, stacked
                        )
                        sink_kind = 1 if sink is not None else 0
            elif "Start" in event:
                kind = event["Start"]
                if kind == "Item":
                    # A nested item always follows a List start, which ended
                    # any title, so there is no title to close here.
                    items.append(items[-1])
                    pending = True
                    item_start = rng["start"]
                    stacked = stacked_next
                    stacked_next = False
                elif kind == "Paragraph":
                    if sink_kind == 1:
                        sink = None
                        sink_kind = 0
                elif kind == "TableCell":
                    if self.table is not None and self.table.active:
                        sink = []
                        sink_kind = 3
                elif (next(iter(kind)) if kind.__class__ is dict else kind) in block_starts:
                    # A setext heading's start comes before the checkbox of
                    # the item it opens (`- [ ] title` over `  ---`).
                    if kind.__class__ is not dict or "Heading" not in kind:
                        if pending and "List" in kind:
                            stacked_next = True
                        pending = False
                    if sink_kind == 1:
                        sink = None
                        sink_kind = 0
                    if "List" not in kind:
                        sink, sink_kind = self._block_start(kind, rng, items, sink, sink_kind)
                    else:
                        self.group_count += 1
                        group = self.group_count
                        groups.append(group)
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
                        # a cell's sink is only opened inside a table
                        assert self.table is not None and sink is not None
                        self.table.cells.append("".join(sink))
                        sink = None
                        sink_kind = 0
                elif kind.__class__ is dict:
                    if "List" in kind:
                        groups.pop()
                        group = groups[-1]
                        continue
                    if sink_kind == 2:
                        self._heading_end(sink)
                        sink = None
                        sink_kind = 0
                        pending = False
                    self._block_end(kind)
                elif kind in table_ends:  # the only plain-string ends that matter
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
                    self.bare_boxes.append(rng["start"])
                    continue
                box = data[rng["start"] + 1]
                status = box_status.get(box)
                if status is None:
                    continue
                parent = items[-2]
                index = len(records)
                items[-1] = index
                if sink_kind != 2:  # else the heading's text is the title too
                    sink = []
                    sink_kind = 1
                section = self.section
                if section is not box_section:  # sections change only at headings
                    box_section = section
                    self.box_sections.add(section)
                if stacked:
                    self.special.append(index)
                records.append(
                    (
                        sink,
                        status,
                        section,
                        records[parent][3] + 1 if parent >= 0 else 0,
                        parent if parent >= 0 else None,
                        path,
                        item_start,
                        index,
                        stacked_sig[box] if stacked else box_sig[box],
                        group,
                    )
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
                self.group_count += 1
                self.table = TableState(rng["start"], items[-1], self.group_count)
        return sink, sink_kind

    def _block_end(self, end) -> None:
        kind = next(iter(end)) if end.__class__ is dict else end
        if kind == "BlockQuote":
            self.quote_depth -= 1
        elif kind in ("TableHead", "TableRow"):
            if self.table is not None:
                self._table_row_end(self.table)
        elif kind == "Table":
            self._table_end()

    # -- items --------------------------------------------------------------
    def _text_task(
        self, text: str, start: int, items: list[int], item_start: int, group: int, stacked: bool
    ) -> list | None:
        """Start a task when an item's first text is a box pyromark did not take or a marker."""
        first = text[:1]
        if first == "[":
            data = self.data
            if start + 3 < len(data) and data[start + 2] == 0x5D and data[start + 3] in _GFM_SPACE:
                # The common case, `[~] title`, straight from the bytes.
                char = data[start + 1]
                status = self.extra_ascii.get(char)
                if status is not None:
                    sig = (SIG_STACKED_EXTRA if stacked else SIG_EXTRA) + chr(char)
                    return self._new_task(status, items, item_start, text[3:], sig, group)
            return self._bracket_task(text, start, items, item_start, group, stacked)
        entries = self.emoji.get(first)
        if entries:
            for key, status in entries:
                if text.startswith(key):
                    rest = text[len(key) :].lstrip("\ufe0f")
                    if key[0] == ":" and rest[:1] not in ("", " ", "\t"):
                        return None  # ":x:y" is not the shortcode :x:
                    return self._new_task(status, items, item_start, rest, SIG_EMOJI + key, group)
        if first > "\u2000" and unicodedata.category(first) == "So":
            # An icon that is no status (🌐, 📦): recorded without a status so
            # that the rules can tell a list of icons from a list of statuses.
            return self._new_task(None, items, item_start, text, SIG_ICON + first, group)
        return None

    def _bracket_task(
        self, text: str, start: int, items: list[int], item_start: int, group: int, stacked: bool
    ) -> list | None:
        """``[c] title`` with a character GitHub does not know, or a malformed box.

        The source is read rather than the event text, which may come from
        an escape. A character no marker defines is recorded without a
        status: only the file's legend can make it a task.
        """
        raw = self.data[start : start + 16].decode("utf-8", "ignore")
        if raw[:2] == "[]":  # `- [] task`: a box to any reader
            if raw[2:3] not in (" ", "\t") or not text[2:].strip():
                return None
            return self._new_task(TODO, items, item_start, text[2:], SIG_MALFORMED + "[]", group)
        if len(raw) < 4 or raw[2] != "]":
            return None
        char, after = raw[1], raw[3]
        if char in _GFM_CHECKBOX_CHARS:
            # pyromark saw no box: no space after it (`[x]task`). GitHub agrees,
            # a person does not.
            if after in " \t\r\n\x0b\x0c" or not text[3:].strip():
                return None
            status = self.checkboxes.get(char)
            sig = SIG_MALFORMED + raw[:3]
            return self._new_task(status, items, item_start, text[3:], sig, group)
        if after not in " \t\x0b\x0c" or char in "\\[":
            return None
        sig = (SIG_STACKED_EXTRA if stacked else SIG_EXTRA) + char
        return self._new_task(self.extra_boxes.get(char), items, item_start, text[3:], sig, group)

    def _new_task(
        self, status: str | None, items: list[int], item_start: int, text: str, sig: str, group: int
    ) -> list:
        """Append a task record and return the list that collects its title."""
        records = self.records
        parent = items[-2]
        index = len(records)
        items[-1] = index
        parts = [text]
        self.special.append(index)
        if sig[0] in "bm":
            self.box_sections.add(self.section)
        records.append(
            (
                parts,
                status,
                self.section,
                records[parent][3] + 1 if parent >= 0 else 0,
                parent if parent >= 0 else None,
                self.path,
                item_start,
                index,
                sig,
                group,
            )
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
    def _table_row_end(self, table: TableState) -> None:
        cells, table.cells = table.cells, []
        if table.columns is None and table.legend is None:
            if self.quote_depth or not table.active:
                table.active = False
                return
            table.keys = tuple(header_key(c) for c in cells)
            table.columns = table_columns(cells)
            table.legend = legend_columns(cells) if table.columns is None else None
            table.active = table.columns is not None or table.legend is not None
            if table.columns is not None:
                self.table_keys[table.group] = table.keys
            return
        if not table.active:
            return
        if table.legend is not None:
            marker_col, meaning_col = table.legend
            if meaning_col < len(cells):
                self.legend_rows.append(
                    (cells[marker_col].strip(), cells[meaning_col].strip(), table.current_row)
                )
            return
        assert table.columns is not None  # an active table is a legend or has columns
        title_col, status_col = table.columns
        title = " ".join(cells[title_col].split()) if title_col < len(cells) else ""
        cell = cells[status_col] if status_col < len(cells) else ""
        if not title:
            return
        status = cell_status(cell, self.emoji, self.checkboxes)
        if status is None:
            table.unknown.append(cell.strip())
            status = TODO
        parent = table.parent
        records = self.records
        self.special.append(len(records))
        records.append(
            (
                [title],
                status,
                self.section,
                records[parent][3] + 1 if parent >= 0 else 0,
                parent if parent >= 0 else None,
                self.path,
                table.current_row,
                len(records),
                SIG_TABLE + " ".join(cell.split()),
                table.group,
            )
        )

    def _table_end(self) -> None:
        table = self.table
        if table is not None and table.unknown and REGISTER_COLUMNS.isdisjoint(table.keys):
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
