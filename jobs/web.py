"""The refresh request as the web pages make it: every outcome becomes a message for people.

The API maps the same outcomes to status codes (``jobs.api_support``); a page
needs words instead, and must never show a stack trace because Redis is down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis

from jobs.models import RefreshTrigger
from jobs.queues import NO_WORKER_NOTE, workers_running
from jobs.ratelimit import RateLimitExceededError, RateLimitUnavailableError
from jobs.refresh_gate import pipeline_request_limited
from jobs.services import JobStateError, QueueUnavailableError, refresh_request

logger = logging.getLogger(__name__)

QUEUE_DOWN = (
    "The job queue cannot be reached right now, so no refresh was started. Try again in a minute."
)
LIMITS_DOWN = (
    "Refreshes are paused for a moment (rate limiting cannot be checked). Try again shortly."
)


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    ok: bool
    message: str
    retry_after: int = 0  # seconds until the next refresh is allowed, when rate-limited
    job_id: str = ""


def refresh_from_web(*, user, project, force: bool = False) -> RefreshOutcome:
    """Request a manual refresh within the user's budget and say what happened."""

    def start():
        result = refresh_request(
            project=project, user=user, trigger=RefreshTrigger.MANUAL, force=force
        )
        return result, result.created

    try:
        result, _ = pipeline_request_limited(user=user, project=project, start=start)
    except RateLimitExceededError as exc:
        return RefreshOutcome(False, exc.decision.message, retry_after=exc.decision.retry_after)
    except RateLimitUnavailableError:
        return RefreshOutcome(False, LIMITS_DOWN)
    except QueueUnavailableError:
        return RefreshOutcome(False, QUEUE_DOWN)
    except JobStateError as exc:
        return RefreshOutcome(False, f"No refresh was started: {exc}.")
    except redis.exceptions.RedisError:
        logger.warning("Redis error while requesting a refresh of %s", project.pk, exc_info=True)
        return RefreshOutcome(False, QUEUE_DOWN)
    if result.created:
        return RefreshOutcome(True, _with_worker_note("Refresh queued."))
    return RefreshOutcome(True, "A refresh of this project is already under way.")


def refresh_after_save(*, user, project, trigger: str = RefreshTrigger.MANUAL) -> RefreshOutcome:
    """Start a refresh after a project was created or its repository settings changed.

    Not counted against the refresh budget: the save itself was the user's
    action (and creation has a budget of its own).
    """
    try:
        result = refresh_request(project=project, user=user, trigger=trigger, force=True)
    except (QueueUnavailableError, redis.exceptions.RedisError):
        logger.warning("Could not start the first refresh of %s", project.pk, exc_info=True)
        return RefreshOutcome(
            False,
            "The project is saved, but its first refresh could not be started because the job "
            "queue is unreachable. Use Refresh on its page in a minute.",
        )
    except JobStateError as exc:
        return RefreshOutcome(
            False, f"The project is saved; its first refresh did not start: {exc}."
        )
    return RefreshOutcome(
        True, _with_worker_note("A refresh has started."), job_id=str(result.job.id)
    )


def _with_worker_note(message: str) -> str:
    return message if workers_running() else f"{message} {NO_WORKER_NOTE}"
