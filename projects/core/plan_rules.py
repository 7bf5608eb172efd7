"""Count each unit of work once, as its author tracks it (docs/plan-format.md).

The parser records every candidate task of a file with a *signal* saying
what made it one; these rules then decide, for the whole file, which
candidates are tasks: legends and keys are read (and their markers
applied), cancelled items are left out, and in a document with checkboxes
other signals count only in phases without a checkbox. Summaries, lists
that repeat open items, criteria lists and registers are left out too.
Every decision that makes the count differ from GitHub's checkbox count
becomes a ``file:line`` warning.

Records are the parser's tuples: (title parts, status, section, depth,
parent, path, byte offset, order, signal, group), where ``group`` numbers
the list or table the candidate belongs to. Signals are a code letter
followed by the marker:

* ``x`` + char: a GitHub checkbox (``x `` for ``[ ]``, ``xx`` for ``[x]``);
* ``s`` + char: a checkbox after an outer list marker (``1. - [x] a``),
  which GitHub renders without a box;
* ``b`` + char: another checkbox character (``b~``, ``b-``, ``b>``);
* ``m`` + box: a malformed box a person reads as one (``m[]``, ``m[x]``);
* ``e`` + emoji or shortcode: a status-emoji item;
* ``t`` + cell: a status-table row and its status cell;
* ``i`` + emoji: an item led by an icon that is no status (never a task; it
  tells a list of icons, where a 🔄 means "sync", from a list of statuses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, filterfalse
from operator import itemgetter, not_

from projects.core.plan_model import BLOCKED, CANCELLED, DOING, DONE, TODO, Heading
from projects.core.plan_vocabulary import (
    CRITERIA_HEADING,
    LEGEND_HEADING,
    REGISTER_COLUMNS,
    REGISTER_HEADING,
    REPEAT_HEADING,
    STATUS_WORDS,
    legend_entry_status,
    normalise_title,
    phase_number,
)

SIG_BOX = "x"
SIG_STACKED = "s"
SIG_EXTRA = "b"
SIG_STACKED_EXTRA = "b"  # GitHub counts neither; both read alike here
SIG_MALFORMED = "m"
SIG_EMOJI = "e"
SIG_TABLE = "t"
SIG_ICON = "i"
_BOXES = frozenset("xsbm")
_OTHER = frozenset("et")
_NO_STATUS = frozenset({None, CANCELLED})

_TITLE, _STATUS, _SECTION, _DEPTH, _PARENT = 0, 1, 2, 3, 4
_OFFSET, _SIG, _GROUP = 6, 8, 9
_LEGEND_MAX_ENTRIES = 12
_MATCH_LIMIT = 5000  # candidates beyond this are not matched title by title
_BOX_NAMES = {DONE: "done", DOING: "doing", BLOCKED: "blocked", TODO: "todo"}


def _title(record: tuple) -> str:
    return " ".join("".join(record[_TITLE]).split())


def _quote(text: str, limit: int = 60) -> str:
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


class _Decisions:
    """Which records are left out and why, and the warnings, keyed by byte offset."""

    def __init__(self, records: list[tuple], line_at: Callable[[int], int]) -> None:
        self.records = records
        self.line_at = line_at
        self.dropped: dict[int, str] = {}
        self.reasons: list[int] = []  # dropped one by one, with a reason of their own
        self.notes: list[tuple[int, str]] = []

    def drop(self, index: int, reason: str | None) -> None:
        """Leave a record out; ``reason`` None leaves it out silently (GitHub agrees)."""
        if index not in self.dropped:
            self.dropped[index] = reason or ""
            if reason:
                self.reasons.append(index)

    def note(self, offset: int, text: str) -> None:
        self.notes.append((offset, text))

    def drop_group(self, indexes: Sequence[int], what: str) -> None:
        """Leave out several records of one list or table with one warning."""
        fresh = [i for i in indexes if i not in self.dropped]
        for i in fresh:
            self.dropped[i] = "grouped"
        if fresh:
            self.note(self.records[fresh[0]][_OFFSET], what.format(n=len(fresh)))


@dataclass(frozen=True, slots=True)
class Counted:
    """The records that are tasks, with their renumbered parents and depths, and the warnings."""

    records: list[tuple]
    parents: list[int | None]
    depths: list[int]
    warnings: tuple[str, ...]


def apply_counting_rules(
    records: list[tuple],
    *,
    headings: Sequence[Heading],
    legend_rows: Sequence[tuple[str, str, int]],
    table_keys: Mapping[int, tuple[str, ...]],
    special: list[int],
    box_sections: set[tuple[str, ...]],
    path: str,
    line_at: Callable[[int], int],
) -> Counted:
    """Decide which records are tasks (see the module docstring).

    ``special`` lists, in order, the records whose signal is not a plain
    GitHub checkbox, and ``box_sections`` the sections holding a checkbox of
    any kind; the parser collects both as it goes. Large plans are mostly
    GitHub checkboxes, so passes over all records run through ``map`` in C
    and Python loops touch only the special records.
    """
    n = len(records)
    if not n:
        return Counted(records, [], [], ())
    # The signal letter of each special record, in the order of ``special``.
    kinds = list(map(itemgetter(0), map(itemgetter(_SIG), map(records.__getitem__, special))))
    decisions = _Decisions(records, line_at)
    _apply_legends(records, decisions, legend_rows, special, headings)
    if SIG_ICON in kinds:
        _apply_icon_lists(records, decisions, special)
    # Only other signals can lack a status or be cancelled: the parser skips
    # GitHub boxes without one.
    statuses = map(itemgetter(_STATUS), map(records.__getitem__, special))
    for i in compress(special, map(_NO_STATUS.__contains__, statuses)):
        record = records[i]
        if record[_STATUS] is None:
            decisions.drop(i, None)  # `[>]` without a legend: GitHub shows no box either
        else:
            marker = _marker_text(record[_SIG])
            decisions.drop(i, f"not counted: cancelled ({marker}) {_quote(_title(record))}")
    sections = dict.fromkeys(
        box_sections.union(map(itemgetter(_SECTION), map(records.__getitem__, special)))
    )
    _apply_section_roles(records, decisions, sections, table_keys)
    other = list(
        filterfalse(
            decisions.dropped.__contains__, compress(special, map(_OTHER.__contains__, kinds))
        )
    )
    if other:
        _apply_phase_rule(records, decisions, other, sections, box_sections)
        _apply_summaries(records, decisions, other, headings)
    _note_counted(records, decisions, special, kinds)
    for index in decisions.reasons:
        decisions.note(records[index][_OFFSET], decisions.dropped[index])
    notes = sorted(decisions.notes, key=itemgetter(0))
    warnings = tuple(f"{path}:{line_at(offset)}: {text}" for offset, text in notes)
    if not decisions.dropped:
        parents = list(map(itemgetter(_PARENT), records))
        return Counted(records, parents, list(map(itemgetter(_DEPTH), records)), warnings)
    return _keep(records, decisions.dropped, warnings)


# -- legends ----------------------------------------------------------------
def _marker_text(sig: str) -> str:
    kind, marker = sig[0], sig[1:]
    if kind in "xsb":
        return f"[{marker}]"
    if kind == SIG_TABLE:
        return marker or "empty cell"
    return marker


def _marker_key(sig: str) -> tuple[str, str] | None:
    """("box", char) or ("emoji", key) for a signal a legend can define."""
    kind, marker = sig[0], sig[1:]
    if kind in "xsb":
        return "box", marker
    if kind == SIG_EMOJI:
        return "emoji", marker.replace("\ufe0f", "")
    if kind == SIG_TABLE:
        return _cell_marker(marker)
    return None


def _cell_marker(cell: str) -> tuple[str, str] | None:
    text = cell.strip().strip("`").strip()
    if len(text) == 3 and text[0] == "[" and text[2] == "]":
        return "box", text[1]
    first = text.split(" ", 1)[0].replace("\ufe0f", "") if text else ""
    if first and not first.isascii():
        return "emoji", first
    if first.startswith(":") and first.endswith(":") and len(first) > 2:
        return "emoji", first
    return None


def _group_members(records: list[tuple], group: int, first: int) -> list[int]:
    """The records of one small group, looked for just after its first record."""
    members = []
    for i in range(first, min(len(records), first + 8 * _LEGEND_MAX_ENTRIES)):
        if records[i][_GROUP] == group:
            members.append(i)
    return members


_LEGEND_PREFIXES = tuple(sorted({w.split()[0].split("-")[0] for w in STATUS_WORDS}))


def _may_be_legend(record: tuple) -> bool:
    """A cheap test before the real one: the text starts with a status word."""
    head = "".join(record[_TITLE][:2])[:40].lstrip(" *_`:-–—\t").lower()
    return head.startswith(_LEGEND_PREFIXES) and legend_entry_status(_title(record)) is not None


def _legend_groups(
    records: list[tuple], special: list[int], headings: Sequence[Heading]
) -> dict[int, list[int]]:
    """The lists and tables that are legends: markers followed by a status word.

    A group qualifies when it has at most a dozen entries, every entry reads
    "marker, status word, maybe an explanation", no marker repeats, and
    either it sits under a Legend/Key heading, or it is the file's first
    group, or its entries are bare status words ("✅ Done"). GitHub boxes
    are looked at only in the first group and under legend headings.
    """
    first_group = records[0][_GROUP]
    candidates = [0, *special]
    legend_sections = _legend_sections(records, headings)
    if legend_sections:
        candidates += [i for i, r in enumerate(records) if r[_SECTION] in legend_sections]
    candidates = sorted(set(candidates), reverse=True) if legend_sections else candidates[::-1]
    # The first record of each group: a dict keeps the last value given.
    firsts = dict(
        zip(map(itemgetter(_GROUP), map(records.__getitem__, candidates)), candidates, strict=True)
    )
    legends = {}
    for group, first in firsts.items():
        entry = records[first]
        under_heading = entry[_SECTION] in legend_sections
        if entry[_DEPTH] or not (under_heading or _may_be_legend(entry)):
            continue
        members = _group_members(records, group, first)
        if len(members) > _LEGEND_MAX_ENTRIES:
            continue
        entries = [records[i] for i in members]
        titles = [_title(r) for r in entries]
        if any(legend_entry_status(t) is None for t in titles):
            continue
        markers = [_marker_key(r[_SIG]) for r in entries]
        if None in markers or len(set(markers)) != len(markers):
            continue
        bare = all(len(t.split()) <= 2 for t in titles) and len(members) >= 2
        if under_heading or bare or (group == first_group and len(members) >= 2):
            legends[group] = members
    return legends


def _legend_sections(records: list[tuple], headings: Sequence[Heading]) -> set[tuple[str, ...]]:
    """The sections of records whose own heading reads Legend, Key, ...

    A section ends with its heading's text, so most files, whose headings
    name no legend, are settled without looking at every record.
    """
    titles = {h.text for h in headings if LEGEND_HEADING.search(h.text)}
    if not titles:
        return set()
    return {s for s in dict.fromkeys(map(itemgetter(_SECTION), records)) if s and s[-1] in titles}


def _apply_legends(
    records: list[tuple],
    decisions: _Decisions,
    legend_rows: Sequence[tuple[str, str, int]],
    special: list[int],
    headings: Sequence[Heading],
) -> None:
    """Read the file's legends, leave their entries out and apply their meanings."""
    meanings: dict[tuple[str, str], str] = {}
    for marker, meaning, _offset in legend_rows:
        key = _cell_marker(marker)
        status = legend_entry_status(meaning)
        if key is not None and status is not None:
            meanings.setdefault(key, status)
    for members in _legend_groups(records, special, headings).values():
        for i in members:
            key = _marker_key(records[i][_SIG])
            status = legend_entry_status(_title(records[i]))
            if key is not None and status is not None:
                meanings.setdefault(key, status)
        decisions.drop_group(members, "not counted: legend ({n} entries)")
    if legend_rows:
        decisions.note(legend_rows[0][2], f"read a legend table ({len(legend_rows)} entries)")
    if not meanings:
        return
    for i in special:
        record = records[i]
        if record[_SIG][0] == SIG_MALFORMED or i in decisions.dropped:
            continue  # GitHub's own boxes keep GitHub's meaning
        key = _marker_key(record[_SIG])
        status = meanings.get(key) if key is not None else None
        if status is not None and status != record[_STATUS]:
            records[i] = (record[0], status, *record[2:])


def _apply_icon_lists(records: list[tuple], decisions: _Decisions, special: list[int]) -> None:
    """Status emoji in a list led mostly by other icons are decoration, not statuses."""
    icons: Counter[int] = Counter()
    emoji: dict[int, list[int]] = {}
    for i in special:
        kind, group = records[i][_SIG][0], records[i][_GROUP]
        if kind == SIG_ICON:
            icons[group] += 1
        elif kind == SIG_EMOJI:
            emoji.setdefault(group, []).append(i)
    for group, members in emoji.items():
        if icons[group] >= len(members):
            decisions.drop_group(
                members, "not counted: {n} status emoji in a list led by other icons (decoration)"
            )


# -- sections that are not work --------------------------------------------
def _apply_section_roles(
    records: list[tuple],
    decisions: _Decisions,
    sections: Mapping[tuple[str, ...], None],
    table_keys: Mapping[int, tuple[str, ...]],
) -> None:
    """Registers, criteria lists and lists that repeat open items."""
    titles = {t for s in sections for t in s}
    register_titles = {t for t in titles if REGISTER_HEADING.search(t)}
    criteria_titles = {t for t in titles if CRITERIA_HEADING.search(t)}
    repeat_titles = {t for t in titles if REPEAT_HEADING.search(t)}
    register = {s for s in sections if not register_titles.isdisjoint(s)}
    criteria = {s for s in sections if s and s[-1] in criteria_titles}
    repeat = {s for s in sections if not repeat_titles.isdisjoint(s)}
    register_tables = {g for g, keys in table_keys.items() if REGISTER_COLUMNS.intersection(keys)}
    if not (register or criteria or repeat or register_tables):
        return
    by_group: dict[tuple[str, int], list[int]] = {}
    repeats: list[int] = []
    in_role = register | criteria | repeat
    n = len(records)
    chosen = set(compress(range(n), map(in_role.__contains__, map(itemgetter(_SECTION), records))))
    chosen.update(
        compress(range(n), map(register_tables.__contains__, map(itemgetter(_GROUP), records)))
    )
    for i in sorted(chosen):
        record = records[i]
        if i in decisions.dropped:
            continue
        kind, section, group = record[_SIG][0], record[_SECTION], record[_GROUP]
        if kind in _OTHER and (section in register or group in register_tables):
            by_group.setdefault(("register", group), []).append(i)
        elif kind == SIG_EMOJI and section in criteria:
            by_group.setdefault(("criteria", group), []).append(i)
        elif section in repeat:
            repeats.append(i)
    for (role, _group), members in by_group.items():
        what = "register" if role == "register" else "criteria list, not work items"
        decisions.drop_group(members, f"not counted: {{n}} item(s) of a {what}")
    if repeats:
        _apply_repeats(records, decisions, repeats, repeat)


def _apply_repeats(
    records: list[tuple], decisions: _Decisions, repeats: list[int], repeat_sections: set
) -> None:
    """Items under "Next actions"-like headings that repeat a task listed elsewhere."""
    elsewhere: dict[str, int] = {}
    for i, record in enumerate(records[: _MATCH_LIMIT * 4]):
        if record[_SECTION] not in repeat_sections and i not in decisions.dropped:
            elsewhere.setdefault(normalise_title(_title(record)), i)
    elsewhere.pop("", None)
    for i in repeats:
        original = elsewhere.get(normalise_title(_title(records[i])))
        if original is not None:
            decisions.drop(
                i,
                "not counted: repeats an item listed at line "
                f"{decisions.line_at(records[original][_OFFSET])}",
            )


# -- other signals in a document with checkboxes ------------------------------
def _phase_level(sections: Sequence[tuple[str, ...]]) -> int:
    """Index into a section path of the phase headings: the shallowest level with two."""
    depth = max(map(len, sections), default=0)
    for k in range(depth):
        if len({s[: k + 1] for s in sections if len(s) > k}) >= 2:
            return k
    return max(depth - 1, 0)


def _apply_phase_rule(
    records: list[tuple],
    decisions: _Decisions,
    other: list[int],
    sections: Mapping[tuple[str, ...], None],
    boxed_sections: set[tuple[str, ...]],
) -> None:
    """Emoji items and table rows count only in phases that have no checkbox."""
    if not boxed_sections:
        return
    level = _phase_level(list(sections))

    def phase(section: tuple[str, ...]) -> tuple[str, ...]:
        return section[: level + 1]

    boxed_phases = {phase(s) for s in boxed_sections}
    live = list(filterfalse(decisions.dropped.__contains__, other))
    section_of = list(map(itemgetter(_SECTION), map(records.__getitem__, live)))
    phase_of = {s: phase(s) for s in set(section_of)}
    boxed = {s for s, p in phase_of.items() if not s or p in boxed_phases}
    doomed = list(compress(live, map(boxed.__contains__, section_of)))
    if not doomed:
        return
    # One warning per phase: a big plan would otherwise list every list.
    doomed_phases = list(
        map(phase_of.__getitem__, map(itemgetter(_SECTION), map(records.__getitem__, doomed)))
    )
    counts = Counter(doomed_phases)
    first = dict(zip(reversed(doomed_phases), reversed(doomed), strict=True))
    decisions.dropped.update(dict.fromkeys(doomed, "grouped"))
    for phase_key, count in counts.items():
        where = f" ({phase_key[-1]})" if phase_key else " before the first heading"
        decisions.note(
            records[first[phase_key]][_OFFSET],
            f"not counted: {count} status-emoji item(s) or status-table row(s){where}: "
            "the phase uses checkboxes",
        )


# -- summaries ----------------------------------------------------------------
def _apply_summaries(
    records: list[tuple],
    decisions: _Decisions,
    other: list[int],
    headings: Sequence[Heading],
) -> None:
    """Rows and status items that name a phase or an item itemised elsewhere."""
    candidates = [i for i in other if i not in decisions.dropped][:_MATCH_LIMIT]
    if not candidates:
        return
    with_tasks = {
        t for i, r in enumerate(records) if i not in decisions.dropped for t in r[_SECTION]
    }
    by_number: dict[tuple[str, str], str] = {}
    by_title: dict[str, str] = {}
    for heading in headings:
        if heading.text not in with_tasks:
            continue
        number = phase_number(heading.text)
        if number is not None:
            by_number.setdefault(number, heading.text)
            by_number.setdefault(("", number[1]), heading.text)
        by_title.setdefault(normalise_title(heading.text), heading.text)
    by_title.pop("", None)
    items: dict[str, int] | None = None
    for i in candidates:
        record = records[i]
        title = _title(record)
        own = set(record[_SECTION])
        name = _named_heading(title, record, by_number, by_title)
        if name is not None and name not in own:
            decisions.drop(i, f"not counted: summary of {name}")
            continue
        if record[_SIG][0] != SIG_TABLE:
            continue
        if items is None:
            items = _item_titles(records, decisions)
        original = items.get(normalise_title(title))
        if original is not None and records[original][_GROUP] != record[_GROUP]:
            decisions.drop(i, f"not counted: summary of {_quote(_title(records[original]))}")


def _named_heading(
    title: str,
    record: tuple,
    by_number: dict[tuple[str, str], str],
    by_title: dict[str, str],
) -> str | None:
    number = phase_number(title)
    if number is not None and title.lower().find(number[1]) <= 16:
        found = by_number.get(number)
        if found is not None:
            return found
    if title.replace(".", "").isdigit() and record[_SIG][0] == SIG_TABLE:
        return by_number.get(("", title.rstrip(".")))
    return by_title.get(normalise_title(title))


def _item_titles(records: list[tuple], decisions: _Decisions) -> dict[str, int]:
    titles: dict[str, int] = {}
    for i, record in enumerate(records[: _MATCH_LIMIT * 4]):
        if record[_SIG][0] != SIG_TABLE and i not in decisions.dropped:
            titles.setdefault(normalise_title(_title(record)), i)
    titles.pop("", None)
    return titles


# -- what GitHub does not count ----------------------------------------------
def _note_counted(
    records: list[tuple], decisions: _Decisions, special: list[int], kinds: list[str]
) -> None:
    """Warn about each kept task GitHub shows no checkbox for (``kinds`` parallels ``special``)."""
    groups: dict[int, list[int]] = {}
    live_mask = list(map(not_, map(decisions.dropped.__contains__, special)))
    live = list(compress(special, live_mask))
    live_kinds = list(compress(kinds, live_mask))
    extra = list(compress(live, map(SIG_EXTRA.__eq__, live_kinds)))
    for i in compress(live, map(SIG_EXTRA.__ne__, live_kinds)):
        record = records[i]
        kind = record[_SIG][0]
        if kind in _OTHER:
            groups.setdefault(record[_GROUP], []).append(i)
        elif kind == SIG_MALFORMED:
            box = record[_SIG][1:]
            decisions.note(
                record[_OFFSET],
                f"counted: malformed checkbox {box} read as {_BOX_NAMES[record[_STATUS]]} "
                f"(GitHub shows no checkbox)",
            )
        elif kind == SIG_STACKED:
            decisions.note(
                record[_OFFSET],
                "counted: checkbox after an outer list marker (GitHub shows no checkbox)",
            )
    for members in groups.values():
        what = (
            "rows of a status table"
            if records[members[0]][_SIG][0] == SIG_TABLE
            else "status-emoji items"
        )
        decisions.note(
            records[members[0]][_OFFSET],
            f"counted: {len(members)} {what} (GitHub counts only checkboxes)",
        )
    if extra:
        sigs = set(map(itemgetter(_SIG), map(records.__getitem__, extra)))
        marks = ", ".join(f"[{sig[1:]}]" for sig in sorted(sigs))
        decisions.note(
            records[extra[0]][_OFFSET],
            f"counted: {len(extra)} item(s) with the boxes {marks} "
            "(GitHub shows a checkbox only for [ ] and [x])",
        )


# -- dropping -------------------------------------------------------------------
def _keep(records: list[tuple], dropped: Mapping[int, str], warnings: tuple[str, ...]) -> Counted:
    """The records not dropped, with parents, depths and order renumbered.

    A dropped task's descendants follow it, deeper than it, so each one's
    subtree is found by a short scan and moved one level up.
    """
    parents = list(map(itemgetter(_PARENT), records))
    depths = list(map(itemgetter(_DEPTH), records))
    for d in sorted(set(dropped).intersection(parents)):
        level = depths[d]
        j = d + 1
        while j < len(records) and depths[j] > level:
            depths[j] -= 1
            if parents[j] == d:
                parents[j] = parents[d]
            j += 1
    # A byte mask (1: kept) makes every filter run in C; a dict lookup per
    # record would not.
    mask = bytearray(b"\x01") * len(records)
    for index in dropped:
        mask[index] = 0
    kept_indexes = list(compress(range(len(records)), mask))
    new_index = dict(zip(kept_indexes, range(len(kept_indexes)), strict=True))
    new_parents = list(map(new_index.get, compress(parents, mask)))
    return Counted(
        list(compress(records, mask)), new_parents, list(compress(depths, mask)), warnings
    )
