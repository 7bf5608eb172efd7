"""Which events a project's change sends: the transition table, as a function.

Statuses are DESIGN's vocabulary: ``complete``, ``stale``, ``no_plan``,
``unknown``, ``archived``, ``green``, ``yellow``, ``red``. The rules, in order:

1. the same status before and after: nothing;
2. ``unknown`` or ``archived`` on either side: nothing (a first result, or
   something the user did themselves);
3. into ``complete``: ``project.completed`` only (yellow → complete is one event);
4. into ``stale``: ``project.stale`` only;
5. any other change (between colours, to or from ``no_plan``, out of
   ``stale`` or ``complete``): ``project.status_changed``.

Failures are counted separately (``failure_events``).
"""

from __future__ import annotations

from dataclasses import dataclass

STATUS_CHANGED = "project.status_changed"
STALE = "project.stale"
COMPLETED = "project.completed"
REFRESH_FAILING = "project.refresh_failing"
RECOVERED = "project.recovered"
PROJECT_EVENTS = (STATUS_CHANGED, STALE, COMPLETED, REFRESH_FAILING, RECOVERED)
# Not a project event: email channels subscribe to the weekly summary with it.
WEEKLY_DIGEST = "digest.weekly"
ALL_EVENTS = (*PROJECT_EVENTS, WEEKLY_DIGEST)
TEST = "channel.test"

STATUSES = ("complete", "stale", "no_plan", "unknown", "archived", "green", "yellow", "red")
_SILENT = frozenset({"unknown", "archived"})


def transition_events(before: str, after: str) -> tuple[str, ...]:
    """The events sent when a project's status goes from ``before`` to ``after``."""
    if before == after or before in _SILENT or after in _SILENT:
        return ()
    if after == "complete":
        return (COMPLETED,)
    if after == "stale":
        return (STALE,)
    return (STATUS_CHANGED,)


@dataclass(frozen=True)
class FailureOutcome:
    streak: int
    events: tuple[str, ...]


def failure_events(*, streak: int, failed: bool, threshold: int) -> FailureOutcome:
    """Count failed refreshes in a row and say what to send.

    ``project.refresh_failing`` once, when the streak reaches ``threshold``
    (a later spell reaches it again and is reported again);
    ``project.recovered`` on the first success after a reported spell.
    """
    if failed:
        new = streak + 1
        return FailureOutcome(new, (REFRESH_FAILING,) if new == threshold else ())
    return FailureOutcome(0, (RECOVERED,) if streak >= threshold else ())
