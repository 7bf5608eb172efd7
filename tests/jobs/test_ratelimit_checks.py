from jobs.checks import rate_limit_settings_check
from jobs.ratelimit import USER_ACTIONS


def _ids(problems):
    return [p.id for p in problems]


def test_the_default_settings_pass_the_rate_limit_checks():
    assert rate_limit_settings_check(None) == []


def test_a_missing_or_malformed_budget_is_an_error(settings):
    settings.RATE_LIMITS = {"refresh": {"max_attempts": 5, "window_seconds": 0}}
    # One error per per-user budget: "refresh" malformed, every other one missing.
    assert _ids(rate_limit_settings_check(None)) == ["jobs.E001"] * len(USER_ACTIONS)


def test_a_per_process_cache_is_a_warning(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert _ids(rate_limit_settings_check(None)) == ["jobs.W001"]
