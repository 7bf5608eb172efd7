"""The one serialisation of a phase: what a snapshot stores and what pages read back."""

import pytest

from projects.core.phase_record import PhaseRecord, phase_record, phase_records_from
from projects.core.progress import PhaseProgress


def test_a_phase_round_trips_through_its_record():
    phase = PhaseProgress(
        title="Build", total=10, done=4, doing=2, blocked=1, todo=3, percentage=40.0
    )
    [back] = phase_records_from([phase_record(phase)])
    assert back == PhaseRecord("Build", 10, 4, 2, 1, 3, 40.0)


def test_json_text_from_the_database_is_read_too():
    assert phase_records_from('[{"title": "A", "total": 2, "done": 1}]')[0].percentage == 50.0


@pytest.mark.parametrize("value", [None, "not json", {"title": "A"}, 7])
def test_unreadable_values_give_no_phases(value):
    assert phase_records_from(value) == []


def test_older_rows_without_todo_or_title_get_defaults():
    [row] = phase_records_from([{"total": 5, "done": 1, "doing": 1, "blocked": 1}, "junk"])
    assert (row.title, row.todo) == ("Tasks", 2)
