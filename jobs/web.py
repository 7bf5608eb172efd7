"""A refresh request's outcome in words, for the pages (the API answers with status codes).

A page must never show a stack trace because Redis is down: every outcome
of ``jobs.refresh_requests`` has a sentence here.
"""

from __future__ import annotations

from jobs.queues import NO_WORKER_NOTE, workers_running
from jobs.refresh_requests import Outcome, RefreshRequestOutcome

QUEUE_DOWN = (
    "The job queue cannot be reached right now, so no refresh was started. Try again in a minute."
)
LIMITS_DOWN = (
    "Refreshes are paused for a moment (rate limiting cannot be checked). Try again shortly."
)


def refresh_outcome_message(outcome: RefreshRequestOutcome, *, after_save: bool = False) -> str:
    """What the Refresh button, or a save that needs a refresh, tells the user."""
    kind = outcome.kind
    if kind == Outcome.QUEUED:
        return _with_worker_note("A refresh has started." if after_save else "Refresh queued.")
    if kind == Outcome.JOINED:
        return "A refresh of this project is already under way."
    if kind == Outcome.RATE_LIMITED and after_save:
        return (
            f"Refresh not started, retry in {outcome.retry_after} s "
            "(the refresh budget is used up)."
        )
    if kind == Outcome.RATE_LIMITED:
        assert outcome.decision is not None  # a rate limit refusal carries its decision
        return outcome.decision.message
    if kind == Outcome.LIMITS_UNAVAILABLE:
        return LIMITS_DOWN
    if kind == Outcome.QUEUE_UNAVAILABLE and after_save:
        return (
            "The project is saved, but its first refresh could not be started because the job "
            "queue is unreachable. Use Refresh on its page in a minute."
        )
    if kind == Outcome.QUEUE_UNAVAILABLE:
        return QUEUE_DOWN
    if kind == Outcome.NOT_ALLOWED:
        return "Only the project's owner may refresh it."
    return f"No refresh was started: {outcome.detail}."


def _with_worker_note(message: str) -> str:
    return message if workers_running() else f"{message} {NO_WORKER_NOTE}"
