"""Every rate-limited action, its budget and its key, counted in the shared Redis cache.

Each limited action is named once here (:data:`ACTIONS`), with the setting
that holds its budget (``attempts/seconds``) and what it is counted per: a
user, a project, a login name or a login name with a client address.
Counting goes through django-ratelimit's ``get_usage`` (fixed windows whose
edges are jittered per key), called with the key computed here: its view
decorator would run before DRF authenticates and put every token user in
one anonymous bucket.

Two edges of the library are handled here rather than left to it: it
answers 403 when over the limit (callers answer 429 from a
:class:`RateLimitDecision`), and with Django's Redis cache down it raises the
client's connection error (we raise :class:`RateLimitUnavailableError`, so
callers fail closed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

# The permission that lifts a user's own budgets (see ``user_is_exempt``).
EXEMPT_PERMISSION = "jobs.exempt_from_rate_limits"


@dataclass(frozen=True)
class Action:
    """One limited action: its name, how people call it, and where its budget is set."""

    name: str
    words: str
    budget: Callable[[], dict]


def _rate_limits(name: str) -> Callable[[], dict]:
    return lambda: settings.RATE_LIMITS[name]


REFRESH = "refresh"
CREATE_PROJECT = "create_project"
WEBHOOK_DELIVERY = "webhook"
# Refused (unsigned) deliveries get a budget of their own, so that someone
# who knows the URL but not the secret cannot use up the forge's budget;
# past it they are still refused, only no longer written to the log.
WEBHOOK_REFUSED_LOG = "webhook_refused"
LOGIN = "login"  # failed logins per (username, client address)
LOGIN_USERNAME = "login_username"  # failed logins per username, from anywhere
NOTIFY_TEST = "notify_test"  # test notifications and verification emails

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(REFRESH, "refresh requests", _rate_limits(REFRESH)),
        Action(CREATE_PROJECT, "new projects", _rate_limits(CREATE_PROJECT)),
        Action(NOTIFY_TEST, "test or verification messages", _rate_limits(NOTIFY_TEST)),
        Action(WEBHOOK_DELIVERY, "webhook deliveries", lambda: settings.WEBHOOK_RATE_LIMIT),
        Action(WEBHOOK_REFUSED_LOG, "refused deliveries", lambda: settings.WEBHOOK_RATE_LIMIT),
        Action(LOGIN, "failed sign-in attempts", lambda: settings.LOGIN_RATE_LIMIT),
        Action(
            LOGIN_USERNAME,
            "failed sign-in attempts for this account",
            lambda: settings.LOGIN_RATE_LIMIT_PER_USERNAME,
        ),
    )
}
# The per-user budgets kept in ``settings.RATE_LIMITS`` (checked at startup).
USER_ACTIONS = (REFRESH, CREATE_PROJECT, NOTIFY_TEST)


class RateLimitUnavailableError(Exception):
    """The one error of the limiter: the cache that holds the counters could not be reached.

    A spent budget is not an error: it is a :class:`RateLimitDecision` that
    refuses, which callers translate (429 and ``Retry-After``, or a sentence).
    """


@dataclass(frozen=True)
class RateLimitDecision:
    """What the limiter says about one key (a user, a project...) and one action, right now.

    ``limit``/``remaining`` are ``None`` for an exempt user; ``retry_after`` is
    the number of seconds until the current window ends (only meaningful when
    refused). ``unavailable`` means the counters could not be read: refused.
    """

    action: str
    allowed: bool
    limit: int | None
    remaining: int | None
    retry_after: int = 0
    window_seconds: int = 0
    exempt: bool = False
    unavailable: bool = False

    @property
    def message(self) -> str:
        if self.unavailable:
            return "Rate limiting is unavailable right now, so this is refused; try again shortly."
        if self.allowed:
            return "Allowed."
        words = ACTIONS[self.action].words if self.action in ACTIONS else self.action
        return (
            f"Too many {words}: at most {self.limit} every {duration_words(self.window_seconds)}. "
            f"Try again in {duration_words(self.retry_after)}."
        )

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-*`` headers, plus ``Retry-After`` when refused."""
        if self.exempt or self.unavailable or self.limit is None:
            return {}
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def duration_words(seconds: int) -> str:
    """``"4 minutes 5 seconds"``: a human reading of a wait."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second"))
        if n
    ]
    return " ".join(parts) or "0 seconds"


def budget_for(action: str) -> tuple[int, int]:
    """``(max_attempts, window_seconds)`` of an action, from its setting."""
    try:
        budget = ACTIONS[action].budget()
    except KeyError:
        raise ImproperlyConfigured(f"No rate limit budget is set for {action!r}") from None
    return int(budget["max_attempts"]), int(budget["window_seconds"])


def user_is_exempt(user) -> bool:
    """Whether ``user``'s own budgets are lifted: ``RATE_LIMIT_EXEMPT_STAFF`` and the permission.

    Being staff is not enough: the exemption is the ``jobs.exempt_from_rate_limits``
    permission (superusers hold every permission).
    """
    return bool(
        getattr(settings, "RATE_LIMIT_EXEMPT_STAFF", False)
        and getattr(user, "is_authenticated", False)
        and user.has_perm(EXEMPT_PERMISSION)
    )


def _key(subject) -> str:
    """The counter key: a model instance counts per primary key, anything else as text."""
    return str(subject.pk) if hasattr(subject, "pk") else str(subject)


def _is_user(subject) -> bool:
    return hasattr(subject, "has_perm")


class RateLimiter:
    """The seed's three operations for one action: check, increment, remaining.

    The subject is what the action is counted per: a user, a project, or a
    text key (a login name, a name and an address). A user whose budgets are
    lifted (:func:`user_is_exempt`) is always allowed.
    """

    def __init__(self, action: str):
        if action not in ACTIONS:
            raise ImproperlyConfigured(f"Unknown rate-limited action {action!r}")
        self.action = action

    def check(self, subject) -> RateLimitDecision:
        """Whether one more attempt would be allowed, without counting it."""
        return self._decide(subject, increment=False)

    def increment(self, subject) -> RateLimitDecision:
        """Count one attempt and say whether it fits the budget (atomic)."""
        return self._decide(subject, increment=True)

    def remaining(self, subject) -> int | None:
        """Attempts left in the current window (``None``: exempt)."""
        return self.check(subject).remaining

    def _decide(self, subject, *, increment: bool) -> RateLimitDecision:
        limit, window = budget_for(self.action)
        if _is_user(subject) and user_is_exempt(subject):
            return RateLimitDecision(self.action, True, None, None, exempt=True)
        usage = self._usage(_key(subject), limit, window, increment=increment)
        if usage is None:  # RATELIMIT_ENABLE = False
            return RateLimitDecision(self.action, True, None, None, exempt=True)
        count = int(usage["count"])
        allowed = count <= limit if increment else count < limit
        return RateLimitDecision(
            action=self.action,
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - count),
            # The library's window keeps its key through the second it ends at
            # (time_left == 0), so the first allowed second is one later.
            retry_after=0 if allowed else max(0, int(usage["time_left"])) + 1,
            window_seconds=window,
        )

    def _usage(self, key: str, limit: int, window: int, *, increment: bool) -> dict | None:
        try:
            usage = get_usage(
                None,  # keyed on what the action counts per, never on the request
                group=f"repotrackr.{self.action}",
                key=lambda _group, _request: key,
                rate=(limit, window),
                increment=increment,
            )
        except ImproperlyConfigured:
            raise
        except Exception as exc:  # noqa: BLE001 - any cache failure: fail closed
            logger.warning("Rate limit cache unreachable for %s", self.action, exc_info=True)
            raise RateLimitUnavailableError(str(exc)) from exc
        # The library reports a failed read or increment as a refusal with
        # time_left -1; to us that is "cannot tell", which is also a refusal.
        if usage is not None and usage["time_left"] == -1 and usage["limit"] == 0:
            raise RateLimitUnavailableError("the rate limit counter could not be read")
        return usage


def check_and_count(subject, action: str) -> RateLimitDecision:
    """Count one attempt at ``action`` by ``subject`` and decide, for web forms and the API.

    Never raises for an unreachable cache: the decision then says
    ``unavailable`` and refuses (fail closed). Refused attempts are counted
    too, which cannot lengthen a fixed window.
    """
    try:
        return RateLimiter(action).increment(subject)
    except RateLimitUnavailableError:
        return RateLimitDecision(action, False, None, None, unavailable=True)


LOCK_TTL_SECONDS = 30
LOCK_WAIT_SECONDS = 20
_LOCK_POLL_SECONDS = 0.005


def _cache_redis():
    """The redis-py client behind the rate-limit cache, so the lock lives beside the counters.

    Django's RedisCache has no public accessor for it; ``_cache.get_client`` is
    the one it uses itself.
    """
    return caches[settings.RATELIMIT_USE_CACHE]._cache.get_client(None, write=True)


@contextmanager
def user_action_lock(user, action: str) -> Iterator[None]:
    """Serialise one user's attempts at one action (across processes).

    Check-then-count is only exact when one attempt at a time runs per
    user: "a request answered with an existing job is not counted" means the
    count can only be taken after the outcome is known. The lock lives in the
    same cache as the counters and expires by itself if its holder dies.
    Raises :class:`RateLimitUnavailableError` if the cache is unreachable or
    the lock stays busy for ``LOCK_WAIT_SECONDS``.
    """
    lock = _cache_redis().lock(
        f"repotrackr:rl-lock:{action}:{user.pk}",
        timeout=LOCK_TTL_SECONDS,
        sleep=_LOCK_POLL_SECONDS,
        blocking_timeout=LOCK_WAIT_SECONDS,
    )
    try:
        acquired = lock.acquire()
    except Exception as exc:  # noqa: BLE001
        logger.warning("Rate limit lock unreachable", exc_info=True)
        raise RateLimitUnavailableError(str(exc)) from exc
    if not acquired:
        raise RateLimitUnavailableError("too many requests in flight for this user")
    try:
        yield
    finally:
        try:
            # redis-py releases atomically, and only a lock still holding our token.
            lock.release()
        except Exception:  # noqa: BLE001 - expired or unreachable: the TTL releases it
            logger.warning("Could not release rate limit lock for %s", action, exc_info=True)
