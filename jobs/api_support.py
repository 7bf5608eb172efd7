"""DRF glue shared by the job API and other rate-limited API views.

Maps the jobs domain's exceptions to the JSON error format (429, 503, 409)
and puts the ``X-RateLimit-*`` / ``Retry-After`` headers on the response,
whatever its status.
"""

from __future__ import annotations

import redis
from rest_framework import exceptions, status

from jobs.ratelimit import RateLimitDecision
from jobs.services import JobStateError, QueueUnavailableError
from repotrackr.api_errors import Conflict, ServiceUnavailable

RATE_LIMIT_UNAVAILABLE = (
    "Rate limiting is unavailable right now (the cache cannot be reached), so the "
    "request is refused and nothing was queued. Try again shortly."
)


class RateLimited(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many requests."
    default_code = "rate_limited"

    def __init__(self, decision: RateLimitDecision):
        super().__init__(decision.message)
        self.error_details = {
            "retry_after": decision.retry_after,
            "limit": decision.limit,
            "window_seconds": decision.window_seconds,
        }


class JobApiMixin:
    """For APIViews: domain errors become API errors; rate-limit headers are added.

    A view sets ``self.rate_limit_decision`` once it has one (a refresh
    request's outcome carries it).
    """

    rate_limit_decision: RateLimitDecision | None = None

    def use_decision(self, decision: RateLimitDecision) -> None:
        """Remember ``decision`` for the headers and raise if it refuses."""
        self.rate_limit_decision = decision
        if decision.unavailable:
            raise ServiceUnavailable(RATE_LIMIT_UNAVAILABLE)
        if not decision.allowed:
            raise RateLimited(decision)

    def handle_exception(self, exc):
        if isinstance(exc, QueueUnavailableError):
            exc = ServiceUnavailable(
                str(exc) or "The job queue is unavailable; nothing was queued."
            )
        elif isinstance(exc, JobStateError):
            exc = Conflict(str(exc))
        elif isinstance(exc, redis.exceptions.RedisError):
            exc = ServiceUnavailable("Redis cannot be reached right now; try again shortly.")
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.rate_limit_decision is not None:
            for name, value in self.rate_limit_decision.headers().items():
                response[name] = value
        return response
