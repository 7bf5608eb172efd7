"""The one way in for every refresh-like request: page, API, save, webhook, admin, scheduler.

:func:`project_refresh_request` checks access, answers with the project's
active job when the request would not change it (free, no lock), charges the
budget the trigger is charged to, claims and enqueues (``jobs.services``), and
returns a :class:`RefreshRequestOutcome`. Callers only translate the outcome:
the API into a status code and headers, a page into a message.

Who pays, by trigger (a new project's first refresh is always free):

========================  ===============================================
manual (page), API, save  the requesting user's ``refresh`` budget
webhook                   the project's delivery budget, counted once per
                          delivery when it arrives (``webhooks.services``)
scheduled                 nothing
admin action              the staff member's budget, unless they hold
                          ``jobs.exempt_from_rate_limits``
========================  ===============================================
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

import redis

from jobs import services
from jobs.models import JobPriority, JobRecord, JobStatus, JobType, RefreshTrigger
from jobs.ratelimit import (
    EXEMPT_PERMISSION,
    REFRESH,
    RateLimitDecision,
    RateLimiter,
    RateLimitUnavailableError,
    user_action_lock,
)
from jobs.selectors import active_job_for_project, project_has_jobs
from projects.selectors import project_may_change

logger = logging.getLogger(__name__)

RETRY_ANY_JOB_PERMISSION = "jobs.retry_any_job"


class RequestTrigger(enum.StrEnum):
    """Who or what asks; decides the priority, the budget and the history's trigger."""

    MANUAL = "manual"
    API = "api"
    WEBHOOK = "webhook"
    SCHEDULED = "scheduled"
    ADMIN = "admin"

    @property
    def history_trigger(self) -> str:
        # History keeps the seed's four words; an admin action is a manual request.
        return RefreshTrigger.MANUAL if self is RequestTrigger.ADMIN else str(self)

    @property
    def priority(self) -> str:
        if self is RequestTrigger.WEBHOOK:
            return JobPriority.NORMAL
        if self is RequestTrigger.SCHEDULED:
            return JobPriority.LOW
        return JobPriority.HIGH


class Outcome(enum.StrEnum):
    QUEUED = "queued"  # a new job
    JOINED = "joined"  # the project's active job answers the request
    NOT_ALLOWED = "not_allowed"  # the requester may not act on this project
    RATE_LIMITED = "rate_limited"
    LIMITS_UNAVAILABLE = "limits_unavailable"  # the counters cannot be read: refused
    QUEUE_UNAVAILABLE = "queue_unavailable"
    CONFLICT = "conflict"  # e.g. a retry of a job that did not fail


@dataclass(frozen=True)
class RefreshRequestOutcome:
    """What became of one request; ``decision`` is the budget's word, when one was asked."""

    kind: Outcome
    job: JobRecord | None = None
    decision: RateLimitDecision | None = None
    moved_to_high: bool = False
    force_applied: bool = False
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.kind in (Outcome.QUEUED, Outcome.JOINED)

    @property
    def retry_after(self) -> int:
        return self.decision.retry_after if self.decision is not None else 0


def project_refresh_request(
    *,
    project,
    requested_by,
    trigger: RequestTrigger,
    force: bool = False,
    skills_only: bool = False,
    retry_of: JobRecord | None = None,
    delay_seconds: float = 0,
    first_refresh: bool = False,
) -> RefreshRequestOutcome:
    """Ask for a refresh (or a skills extraction, or a retry of ``retry_of``) of ``project``.

    1. Access: the owner, or a user holding ``projects.change_project``
       (``jobs.retry_any_job`` for a retry).
    2. The project's active job answers a request that would not change it:
       nothing is locked, written or charged.
    3. The trigger's budget is charged under the user's lock, and only if a
       job is created: over budget, the request is refused unless an active
       job can answer it.
    4. Claim and enqueue after commit (``jobs.services``); a scheduled
       request may start ``delay_seconds`` later.

    ``first_refresh`` is the creation of ``project`` asking for its first
    refresh: free, but only while the project has never had a job.
    """
    trigger = RequestTrigger(trigger)
    if requested_by is not None and not _may_request(requested_by, project, retry_of):
        return RefreshRequestOutcome(Outcome.NOT_ALLOWED)
    active = active_job_for_project(project=project)
    if active is not None and _answers_as_is(active, trigger, force, skills_only, retry_of):
        return RefreshRequestOutcome(Outcome.JOINED, active, _peek(requested_by, trigger))
    try:
        if not _charged(requested_by, trigger, project, first_refresh):
            return _claim(
                project, requested_by, trigger, force, skills_only, retry_of, delay_seconds
            )
        with user_action_lock(requested_by, REFRESH):
            limiter = RateLimiter(REFRESH)
            decision = limiter.check(requested_by)
            if not decision.allowed and active_job_for_project(project=project) is None:
                return RefreshRequestOutcome(Outcome.RATE_LIMITED, decision=decision)
            outcome = _claim(
                project, requested_by, trigger, force, skills_only, retry_of, delay_seconds
            )
            if outcome.kind == Outcome.QUEUED:
                decision = limiter.increment(requested_by)
            return _with_decision(outcome, decision)
    except RateLimitUnavailableError:
        return RefreshRequestOutcome(Outcome.LIMITS_UNAVAILABLE)


def _may_request(user, project, retry_of) -> bool:
    if retry_of is not None and user.has_perm(RETRY_ANY_JOB_PERMISSION):
        return True
    return project_may_change(user=user, project=project)


def _answers_as_is(job: JobRecord, trigger, force: bool, skills_only: bool, retry_of) -> bool:
    """Whether the active ``job`` is the whole answer, so that nothing needs the lock.

    A running job has already decided whether to short-circuit. A manual
    request moves a waiting job to the high queue and passes on its force:
    the claim step does that. A retry is refused while a job is active.
    """
    if retry_of is not None:
        return False
    if skills_only or job.status == JobStatus.PROCESSING:
        return True
    if trigger in (RequestTrigger.WEBHOOK, RequestTrigger.SCHEDULED):
        return True
    force_settled = not force or job.force or job.job_type != JobType.REFRESH
    return job.priority == JobPriority.HIGH and force_settled


def _charged(user, trigger: RequestTrigger, project, first_refresh: bool) -> bool:
    """Whether the request is charged to ``user``'s refresh budget (see the module's table)."""
    if user is None or trigger in (RequestTrigger.WEBHOOK, RequestTrigger.SCHEDULED):
        return False
    if trigger is RequestTrigger.ADMIN and user.has_perm(EXEMPT_PERMISSION):
        return False
    return not (first_refresh and not project_has_jobs(project=project))


def _peek(user, trigger: RequestTrigger) -> RateLimitDecision | None:
    """The budget as it stands, for the API's headers; ``None`` when it cannot be read."""
    if user is None or trigger in (RequestTrigger.WEBHOOK, RequestTrigger.SCHEDULED):
        return None
    try:
        return RateLimiter(REFRESH).check(user)
    except RateLimitUnavailableError:
        return None


def _with_decision(outcome: RefreshRequestOutcome, decision) -> RefreshRequestOutcome:
    return RefreshRequestOutcome(
        outcome.kind,
        outcome.job,
        decision,
        outcome.moved_to_high,
        outcome.force_applied,
        outcome.detail,
    )


def _claim(project, user, trigger, force, skills_only, retry_of, delay_seconds):
    """Claim the project and enqueue after commit; the writer's errors become outcomes."""
    try:
        if retry_of is not None:
            job = services.job_retry(job=retry_of, user=user, trigger=trigger.history_trigger)
            return RefreshRequestOutcome(Outcome.QUEUED, job)
        if trigger is RequestTrigger.SCHEDULED:
            job = services.refresh_schedule(project=project, delay_seconds=delay_seconds)
            return RefreshRequestOutcome(Outcome.QUEUED if job else Outcome.JOINED, job)
        result = services.refresh_request(
            project=project,
            user=user,
            trigger=None if skills_only else trigger.history_trigger,
            force=force,
            priority=trigger.priority,
            job_type=JobType.EXTRACT_SKILLS if skills_only else JobType.REFRESH,
        )
    except services.JobStateError as exc:
        return RefreshRequestOutcome(Outcome.CONFLICT, detail=str(exc))
    except (services.QueueUnavailableError, redis.exceptions.RedisError) as exc:
        logger.warning("Refresh of %s not queued: %s", project.pk, exc.__class__.__name__)
        return RefreshRequestOutcome(Outcome.QUEUE_UNAVAILABLE, detail=str(exc))
    kind = Outcome.QUEUED if result.created else Outcome.JOINED
    return RefreshRequestOutcome(
        kind, result.job, moved_to_high=result.moved_to_high, force_applied=result.force_applied
    )
