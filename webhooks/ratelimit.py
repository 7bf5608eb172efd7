"""The per-project delivery budget (``settings.WEBHOOK_RATE_LIMIT``), counted in Redis.

Keyed on the project, not on the sender: every delivery of a forge comes
from a handful of addresses. Counting goes through django-ratelimit's
``get_usage`` like the per-user budgets in ``jobs.ratelimit``; an
unreachable cache raises :class:`WebhookRateLimitUnavailableError` so the
endpoint fails closed (503).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

DELIVERIES = "webhook"
# Refused (unsigned) deliveries get a budget of their own, so that someone
# who knows the URL but not the secret cannot use up the forge's budget;
# past it they are still refused, only no longer written to the log.
REFUSED_LOG = "webhook_refused"


class WebhookRateLimitUnavailableError(Exception):
    """The cache holding the counters could not be reached."""


@dataclass(frozen=True)
class WebhookBudget:
    """One counted delivery: allowed or not, and seconds until the window ends."""

    allowed: bool
    limit: int
    window_seconds: int
    retry_after: int


def webhook_budget_count(*, project_id, action: str = DELIVERIES) -> WebhookBudget:
    """Count one delivery for ``project_id`` and decide whether it fits the budget.

    Raises ``WebhookRateLimitUnavailableError`` when the cache is unreachable
    or the library cannot read its counter.
    """
    limit = int(settings.WEBHOOK_RATE_LIMIT["max_attempts"])
    window = int(settings.WEBHOOK_RATE_LIMIT["window_seconds"])
    try:
        usage = get_usage(
            None,
            group=f"repotrackr.{action}",
            key=lambda _group, _request: str(project_id),
            rate=(limit, window),
            increment=True,
        )
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail closed
        logger.warning("Webhook rate limit cache unreachable", exc_info=True)
        raise WebhookRateLimitUnavailableError(str(exc)) from exc
    if usage is None:  # RATELIMIT_ENABLE = False
        return WebhookBudget(True, limit, window, 0)
    if usage["time_left"] == -1 and usage["limit"] == 0:
        raise WebhookRateLimitUnavailableError("the webhook rate limit counter could not be read")
    allowed = int(usage["count"]) <= limit
    retry_after = 0 if allowed else max(0, int(usage["time_left"])) + 1
    return WebhookBudget(allowed, limit, window, retry_after)
