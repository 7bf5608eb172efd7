"""The refresh budget in front of every user-triggered pipeline job (API and web).

A request answered with the project's already queued or running job does
not count against the budget, so the count can only be taken once the
outcome is known. The steps run under a per-user lock, which makes
"check, start, count if created" exact however many requests arrive at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from jobs.models import JobPriority, JobRecord, JobStatus, JobType
from jobs.ratelimit import (
    REFRESH,
    RateLimitDecision,
    RateLimiter,
    RateLimitExceededError,
    is_exempt,
    user_action_lock,
)
from jobs.selectors import active_job_for_project, active_job_for_user_project
from jobs.services import RefreshRequestResult, refresh_request

T = TypeVar("T")


def answer_with_active_job(
    *, user, project_id, answer_as_is: Callable[[JobRecord], T | None], action: str = REFRESH
) -> tuple[T, RateLimitDecision] | None:
    """The fast path: answer with the project's active job if the request would not change it.

    ``answer_as_is(job)`` returns the answer when the request leaves ``job``
    as it is (else ``None``: the service must act, e.g. move it to the high
    queue). No lock, no write, nothing counted; under a flood of requests
    for one project this is the common case. ``None`` when there is no such
    job or the user may not see the project.
    """
    active = active_job_for_user_project(user=user, project_id=project_id)
    answer = answer_as_is(active) if active is not None else None
    if answer is None:
        return None
    return answer, RateLimiter(action).check(user)


def pipeline_request_limited(
    *, user, project, start: Callable[[], tuple[T, bool]], action: str = REFRESH
) -> tuple[T, RateLimitDecision]:
    """Run ``start`` (which returns ``(value, created)``) within ``user``'s budget.

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


def refresh_answer_as_is(force: bool) -> Callable[[JobRecord], RefreshRequestResult | None]:
    """For :func:`answer_with_active_job`: the jobs a refresh request leaves untouched.

    As ``refresh_request`` decides: a running job (it has already decided
    whether to short-circuit), or a waiting one already on the high queue
    whose force needs no change. Anything else goes through the service,
    which moves it to the high queue or applies the force.
    """

    def answer(job: JobRecord) -> RefreshRequestResult | None:
        if job.status == JobStatus.PROCESSING:
            return RefreshRequestResult(job, False, False, False)
        force_settled = not force or job.force or job.job_type != JobType.REFRESH
        if job.priority == JobPriority.HIGH and force_settled:
            return RefreshRequestResult(job, False, False, False)
        return None

    return answer


def refresh_request_limited(
    *, user, project, trigger: str, force: bool = False, fast_path: bool = True
) -> tuple[RefreshRequestResult, RateLimitDecision]:
    """A user's refresh request (API or web form) within the refresh budget.

    The project must already be one the user may see. Returns the service's
    result (``created`` says 202 or 200) and the decision for the headers or
    the page; raises ``RateLimitExceededError``, ``RateLimitUnavailableError``
    (503, fail closed) or ``QueueUnavailableError`` (503).
    """
    if fast_path:
        fast = answer_with_active_job(
            user=user, project_id=project.id, answer_as_is=refresh_answer_as_is(force)
        )
        if fast is not None:
            return fast

    def start():
        result = refresh_request(project=project, user=user, trigger=trigger, force=force)
        return result, result.created

    return pipeline_request_limited(user=user, project=project, start=start)
