import pytest

from notifications.core.events import (
    COMPLETED,
    RECOVERED,
    REFRESH_FAILING,
    STALE,
    STATUS_CHANGED,
    failure_events,
    transition_events,
)


@pytest.mark.parametrize(
    ("before", "after", "events"),
    [
        ("green", "yellow", (STATUS_CHANGED,)),
        ("red", "green", (STATUS_CHANGED,)),
        ("yellow", "complete", (COMPLETED,)),
        ("green", "stale", (STALE,)),
        ("stale", "green", (STATUS_CHANGED,)),
        ("green", "no_plan", (STATUS_CHANGED,)),
        ("no_plan", "complete", (COMPLETED,)),
        ("complete", "yellow", (STATUS_CHANGED,)),
        ("unknown", "green", ()),
        ("unknown", "complete", ()),
        ("green", "archived", ()),
        ("archived", "red", ()),
        ("green", "green", ()),
    ],
)
def test_transition_table(before, after, events):
    assert transition_events(before, after) == events


def test_failing_is_sent_once_when_the_streak_reaches_the_threshold():
    streak, sent = 0, []
    for _ in range(5):
        outcome = failure_events(streak=streak, failed=True, threshold=3)
        streak, sent = outcome.streak, sent + list(outcome.events)
    assert streak == 5 and sent == [REFRESH_FAILING]


def test_recovered_only_after_a_reported_spell():
    assert failure_events(streak=3, failed=False, threshold=3).events == (RECOVERED,)
    assert failure_events(streak=2, failed=False, threshold=3).events == ()
    assert failure_events(streak=2, failed=False, threshold=3).streak == 0
