"""The words people use for status, and the headings that say what a section is.

Shared by the table reader and the counting rules (docs/plan-format.md,
"Status vocabulary"). Everything here is case-insensitive.
"""

from __future__ import annotations

import re
import unicodedata

from projects.core.plan_model import BLOCKED, CANCELLED, DOING, DONE, TODO

STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "done complete completed implemented shipped merged finished released deployed "
            "delivered resolved fixed live yes true closed"
        ).split(),
        DONE,
    ),
    **dict.fromkeys(
        (
            "in progress|in-progress|wip|doing|started|ongoing|active|partial|partially done|"
            "in review|review|testing|in development|under way|underway|work in progress"
        ).split("|"),
        DOING,
    ),
    **dict.fromkeys("blocked|on hold|on-hold|stuck|waiting".split("|"), BLOCKED),
    **dict.fromkeys(
        (
            "todo|to do|to-do|planned|not started|pending|open|backlog|next|later|proposed|"
            "no|false|not done|upcoming|future|idea|question|deferred|postponed|scheduled"
        ).split("|"),
        TODO,
    ),
    **dict.fromkeys(
        (
            "cancelled|canceled|dropped|won't do|wont do|won’t do|wontfix|won't fix|"
            "abandoned|rejected|obsolete|not planned|skipped"
        ).split("|"),
        CANCELLED,
    ),
}

_WORD_ALTERNATION = "|".join(
    re.escape(w) for w in sorted(STATUS_WORDS, key=len, reverse=True) if len(w) > 2
)
# A legend entry's text: a status word, then nothing or a separator and an
# explanation ("Complete - implemented and deployed", "In progress (WIP)").
_LEGEND_TEXT = re.compile(
    rf"^\**(?P<word>{_WORD_ALTERNATION})\**\s*(?:$|[-–—:;=(/|,.]|\*\*)", re.IGNORECASE
)


def word_status(text: str) -> str | None:
    """The status a cell or legend word names (``"Done"`` → done), or ``None``."""
    return STATUS_WORDS.get(" ".join(text.split()).lower())


def legend_entry_status(title: str) -> str | None:
    """The status a legend entry's text names, when the text reads like one."""
    match = _LEGEND_TEXT.match(title)
    if match is None:
        return None
    return STATUS_WORDS.get(" ".join(match.group("word").split()).lower())


def _heading_pattern(words: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{words})\b", re.IGNORECASE)


LEGEND_HEADING = _heading_pattern(r"legend|key|symbols|status key|markers|icons")
REPEAT_HEADING = _heading_pattern(
    r"quick wins?|next actions?|next steps?|up next|immediate (?:actions|next steps|priorities)|"
    r"blocking|blockers|priorities|current focus|focus|action items"
)
CRITERIA_HEADING = _heading_pattern(
    r"criteria|definition of done|success metrics|acceptance|goals achieved"
)
REGISTER_HEADING = _heading_pattern(
    r"risks?|risk log|risk register|issue log|known issues|decisions?|decision log|"
    r"inventory|register|stack|technologies|dependencies|glossary|"
    r"changelog|change log"
)
REGISTER_COLUMNS = frozenset(
    {
        "risk",
        "risks",
        "likelihood",
        "probability",
        "impact",
        "mitigation",
        "severity",
        "decision",
        "rationale",
        "alternatives",
        "alternative",
        "choice",
        "consequences",
        "version",
        "license",
    }
)
SCOPE_COLUMNS = frozenset(
    {"included", "in scope", "scope", "supported", "available", "support", "compatible"}
)
LEGEND_COLUMNS = frozenset(
    {"symbol", "marker", "icon", "emoji", "legend", "key", "sign", "indicator", "glyph"}
)

_NUMBERED = re.compile(
    r"\b(phase|milestone|sprint|stage|step|part|iteration|epic|week|release|m|p)\s*[-#]?\s*"
    r"(\d+(?:\.\d+)*)\b",
    re.IGNORECASE,
)
_KIND_ALIASES = {"m": "milestone", "p": "phase"}


def phase_number(title: str) -> tuple[str, str] | None:
    """``("phase", "3")`` for "Phase 3: Import", ``("milestone", "2")`` for "M2"."""
    match = _NUMBERED.search(title)
    if match is None:
        return None
    kind = match.group(1).lower()
    return _KIND_ALIASES.get(kind, kind), match.group(2)


_STATUS_TAIL = re.compile(rf"\s*[-–—:(\[]*\s*(?:{_WORD_ALTERNATION})\s*[)\]]*\s*$", re.IGNORECASE)


def normalise_title(title: str) -> str:
    """A title reduced to its words, to match one item against another.

    Lower case, without emoji, punctuation, a leading "Phase 3:" or "3." and
    a trailing status word, so "Phase 1: Setup ✅ (done)" and "Setup" match.
    """
    text = _NUMBERED.sub(" ", title, count=1) if _NUMBERED.match(title.strip()) else title
    kept = []
    for char in text.lower():
        category = unicodedata.category(char)
        kept.append(char if category[0] in "LN" else " ")
    words = "".join(kept).split()
    while words and words[0].isdigit():
        words.pop(0)
    text = " ".join(words)
    return _STATUS_TAIL.sub("", text).strip() if len(words) > 1 else text
