"""Brute-force protection for the site's and the admin's login forms.

Failed sign-ins are counted through the one rate limiter (``jobs.ratelimit``)
under two budgets: per (username, client address), ``LOGIN_RATE_LIMIT``, and
a looser one per username from anywhere, ``LOGIN_RATE_LIMIT_PER_USERNAME``,
so that one stranger locks out only their own attempts on ``admin`` while a
spread-out attack still stops. A locked-out attempt is refused before the
password is checked (429, ``Retry-After``) and every lockout is logged.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import render

from jobs.ratelimit import (
    LOGIN,
    LOGIN_USERNAME,
    RateLimitDecision,
    RateLimiter,
    RateLimitUnavailableError,
)

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The client's address: the connection's, or X-Forwarded-For's when a trusted proxy sent it.

    With ``TRUSTED_PROXIES`` empty (the default) the header is ignored: anyone
    can write it. Behind trusted proxies, the rightmost address in the header
    that is not itself a trusted proxy is the client.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not _trusted(address):
            return address
    return remote


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def _keys(request) -> tuple[str, str] | None:
    username = request.POST.get("username", "").strip().lower()[:150]
    if not username:
        return None
    return f"{username}|{client_address(request)}", username


def _lockout(keys: tuple[str, str]) -> RateLimitDecision | None:
    """The refusing decision when either budget is spent, else ``None``."""
    for action, key in zip((LOGIN, LOGIN_USERNAME), keys, strict=True):
        decision = RateLimiter(action).check(key)
        if not decision.allowed:
            return decision
    return None


def _count_failure(keys: tuple[str, str]) -> None:
    for action, key in zip((LOGIN, LOGIN_USERNAME), keys, strict=True):
        decision = RateLimiter(action).increment(key)
        if decision.limit is not None and decision.remaining == 0:
            logger.warning("Login lockout: %s budget spent for %r", action, key)


def throttle_login(view):
    """Wrap a login view: refuse locked-out attempts, count the failed ones.

    A failed attempt is a POST the view answers with its form again (200);
    a success redirects. With the counters unreachable the attempt is
    refused (fail closed), as every limited action is.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        keys = _keys(request) if request.method == "POST" else None
        if keys is None:
            return view(request, *args, **kwargs)
        try:
            locked = _lockout(keys)
        except RateLimitUnavailableError:
            locked = RateLimitDecision(LOGIN, False, None, None, unavailable=True)
        if locked is not None:
            logger.warning("Login refused while locked out: %r (%s)", keys[0], locked.action)
            return _refused(request, locked)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            try:
                _count_failure(keys)
            except RateLimitUnavailableError:
                logger.warning("Failed login not counted: the rate limit cache is unreachable")
        return response

    return guarded


def _refused(request, decision: RateLimitDecision):
    if decision.unavailable:
        message = "Sign-in is paused for a moment (attempts cannot be counted). Try again shortly."
    else:
        message = decision.message
    response = render(
        request, "registration/login_throttled.html", {"message": message}, status=429
    )
    response["Retry-After"] = str(decision.retry_after or 60)
    return response
