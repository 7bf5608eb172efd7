import threading
import time
from datetime import UTC, datetime

import pytest
import time_machine

from jobs import ratelimit
from jobs.ratelimit import (
    RateLimiter,
    RateLimitUnavailableError,
    check_and_count,
    user_action_lock,
)
from tests.conftest import grant

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _seed_budgets(settings):
    settings.RATE_LIMITS = {
        "refresh": {"max_attempts": 5, "window_seconds": 300},
        "create_project": {"max_attempts": 10, "window_seconds": 3600},
    }
    settings.RATE_LIMIT_EXEMPT_STAFF = False


def test_check_does_not_count_an_attempt(owner):
    limiter = RateLimiter("refresh")
    for _ in range(10):
        decision = limiter.check(owner)
    assert decision.allowed
    assert decision.remaining == 5


def test_the_sixth_increment_in_a_window_is_refused(owner):
    limiter = RateLimiter("refresh")
    decisions = [limiter.increment(owner) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
    assert not limiter.check(owner).allowed
    assert limiter.remaining(owner) == 0


def test_retry_after_names_the_first_second_that_is_allowed_again(owner):
    limiter = RateLimiter("refresh")
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(5):
            limiter.increment(owner)
        refused = limiter.check(owner)
        assert not refused.allowed
        assert 1 <= refused.retry_after <= 300
        clock.shift(refused.retry_after - 1)
        assert not limiter.check(owner).allowed
        clock.shift(1)
        assert limiter.check(owner).allowed
        assert limiter.remaining(owner) == 5


def test_each_user_has_a_budget_of_their_own(owner, other_user):
    limiter = RateLimiter("refresh")
    for _ in range(5):
        limiter.increment(owner)
    assert not limiter.check(owner).allowed
    assert limiter.check(other_user).allowed


def test_each_action_has_a_budget_of_its_own(owner):
    for _ in range(5):
        RateLimiter("refresh").increment(owner)
    assert RateLimiter("create_project").check(owner).remaining == 10


def test_budgets_come_from_settings(owner, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "refresh": {"max_attempts": 1, "window_seconds": 60},
    }
    assert RateLimiter("refresh").increment(owner).allowed
    refused = RateLimiter("refresh").increment(owner)
    assert not refused.allowed
    assert refused.limit == 1
    assert refused.retry_after <= 61


def test_a_zero_budget_refuses_the_first_attempt(owner, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "refresh": {"max_attempts": 0, "window_seconds": 60},
    }
    assert not RateLimiter("refresh").check(owner).allowed


def test_staff_are_limited_unless_the_exemption_is_on(staff, settings):
    limiter = RateLimiter("refresh")
    for _ in range(5):
        limiter.increment(staff)
    assert not limiter.check(staff).allowed
    settings.RATE_LIMIT_EXEMPT_STAFF = True
    assert not limiter.increment(staff).allowed  # staff, but without the permission
    grant(staff, "jobs.exempt_from_rate_limits")
    decision = limiter.increment(staff)
    assert decision.allowed and decision.exempt
    assert decision.headers() == {}


def test_headers_carry_limit_remaining_and_retry_after_when_refused(owner):
    limiter = RateLimiter("refresh")
    assert limiter.increment(owner).headers() == {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
    }
    for _ in range(4):
        limiter.increment(owner)
    refused = limiter.check(owner)
    headers = refused.headers()
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["Retry-After"] == str(refused.retry_after)
    assert "at most 5 every 5 minutes" in refused.message


def test_an_unreachable_cache_raises_so_callers_fail_closed(owner, redis_down):
    with pytest.raises(RateLimitUnavailableError):
        RateLimiter("refresh").check(owner)
    with pytest.raises(RateLimitUnavailableError):
        RateLimiter("refresh").increment(owner)


def test_check_and_count_refuses_when_the_cache_is_unreachable(owner, redis_down):
    decision = check_and_count(owner, "create_project")
    assert not decision.allowed
    assert decision.unavailable
    assert "unavailable" in decision.message


def test_check_and_count_counts_and_decides(owner):
    decisions = [check_and_count(owner, "create_project") for _ in range(11)]
    assert [d.allowed for d in decisions].count(True) == 10
    assert not decisions[-1].allowed


def test_an_unknown_action_is_a_configuration_error(owner):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        RateLimiter("delete_everything")


def test_the_user_action_lock_lets_one_holder_in_at_a_time(owner):
    inside = []
    overlaps = []

    def hold():
        with user_action_lock(owner, "refresh"):
            if inside:
                overlaps.append(True)
            inside.append(1)
            time.sleep(0.02)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []


def test_a_lock_held_too_long_refuses_the_waiter(owner, monkeypatch):
    monkeypatch.setattr(ratelimit, "LOCK_WAIT_SECONDS", 0.05)
    with user_action_lock(owner, "refresh"):
        with pytest.raises(RateLimitUnavailableError):
            with user_action_lock(owner, "refresh"):
                pass
    with user_action_lock(owner, "refresh"):
        pass  # released: taken again at once


def test_the_lock_is_refused_when_the_cache_is_unreachable(owner, redis_down):
    with pytest.raises(RateLimitUnavailableError):
        with user_action_lock(owner, "refresh"):
            pass
