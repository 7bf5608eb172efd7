"""The refresh budget in front of every user-triggered pipeline job (API and web).

A request answered with the project's already queued or running job does
not count against the budget, so the count can only be taken once the
outcome is known. The steps run under a per-user lock, which makes
"check, start, count if created" exact however many requests arrive at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from jobs.models import JobRecord
from jobs.ratelimit import (
    REFRESH,
    RateLimitDecision,
    RateLimiter,
    RateLimitExceededError,
    is_exempt,
    user_action_lock,
)
from jobs.selectors import active_job_for_project

T = TypeVar("T")


def pipeline_request_limited(
    *,
    user,
    project,
    start: Callable[[], tuple[T, bool]],
    action: str = REFRESH,
    answer_as_is: Callable[[JobRecord], T | None] | None = None,
) -> tuple[T, RateLimitDecision]:
    """Run ``start`` (which returns ``(value, created)``) within ``user``'s budget.

    0. Fast path: if the project has an active job that ``answer_as_is``
       accepts (it returns the answer, meaning the request would change
       nothing about that job), answer with it: no lock, no write, no count.
       Under a flood of requests for one project this is the common case.
    1. Exempt staff skip the budget (and the lock).
    2. Under the user's lock, check the budget without counting.
    3. Over budget: refuse (``RateLimitExceededError``) unless the project has
       an active job, which ``start`` will then answer with.
    4. Run ``start``; count one attempt only if it created a job.

    ``RateLimitUnavailableError`` (cache down) and the service's own errors
    (``QueueUnavailableError``, ``JobStateError``) propagate; none of them counts.
    Edge: if the active job of step 3 finishes in the instant before ``start``
    claims the project, ``start`` creates a job over budget; it is counted.
    """
    limiter = RateLimiter(action)
    if answer_as_is is not None:
        active = active_job_for_project(project=project)
        answer = answer_as_is(active) if active is not None else None
        if answer is not None:
            return answer, limiter.check(user)
    if is_exempt(user):
        value, _ = start()
        return value, limiter.check(user)
    with user_action_lock(user, action):
        decision = limiter.check(user)
        if not decision.allowed and active_job_for_project(project=project) is None:
            raise RateLimitExceededError(decision)
        value, created = start()
        if created:
            decision = limiter.increment(user)
        return value, decision
