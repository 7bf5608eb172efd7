"""docs/notifications.md's transition table says what the code does."""

from pathlib import Path

from notifications.core.events import STATUSES, transition_events

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"


def test_the_documented_table_matches_transition_events():
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    header = next(line for line in DOC.read_text().splitlines() if line.startswith("| from"))
    columns = [c.strip().strip("`") for c in header.strip("|").split("|")][1:]
    assert columns == list(STATUSES)
    assert len(rows) == len(STATUSES)
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        before = cells[0].strip("`")
        for after, cell in zip(columns, cells[1:], strict=True):
            expected = ", ".join(
                e.removeprefix("project.") for e in transition_events(before, after)
            )
            assert cell == (expected or "–"), (before, after)
