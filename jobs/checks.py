"""System checks for the rate-limit settings (run by ``manage.py check`` and at startup)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from jobs.ratelimit import USER_ACTIONS

# Caches whose counters live inside one process: each gunicorn worker would
# count on its own, so a user would get the budget once per worker.
_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register()
def rate_limit_settings_check(app_configs, **kwargs):
    problems = []
    limits = getattr(settings, "RATE_LIMITS", {})
    for action in USER_ACTIONS:
        budget = limits.get(action)
        valid = (
            isinstance(budget, dict)
            and isinstance(budget.get("max_attempts"), int)
            and isinstance(budget.get("window_seconds"), int)
            and budget["max_attempts"] >= 0
            and budget["window_seconds"] >= 1
        )
        if not valid:
            problems.append(
                Error(
                    f"RATE_LIMITS[{action!r}] must be "
                    '{"max_attempts": int >= 0, "window_seconds": int >= 1}.',
                    id="jobs.E001",
                )
            )
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend in _PER_PROCESS_CACHES:
        problems.append(
            Warning(
                f"Rate limits are counted in the {alias!r} cache ({backend}), which is not "
                "shared between processes: each web process counts on its own.",
                hint="Use the Redis cache backend (the default settings do).",
                id="jobs.W001",
            )
        )
    return problems
