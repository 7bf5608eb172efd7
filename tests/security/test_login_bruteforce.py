"""Attack: guess passwords on the site's and the admin's login forms.

Before the fix 60 wrong passwords in 48 s were all answered normally.
"""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SITE = "/accounts/login/"
ADMIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _login_budgets(settings):
    settings.LOGIN_RATE_LIMIT = {"max_attempts": 3, "window_seconds": 300}
    settings.LOGIN_RATE_LIMIT_PER_USERNAME = {"max_attempts": 6, "window_seconds": 3600}
    settings.TRUSTED_PROXIES = []


@pytest.fixture
def victim(make_user):
    return make_user("victim", is_staff=True, password="right-Horse-42")


def _try(client, url, password, *, address="203.0.113.7", username="victim", **headers):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


@pytest.mark.parametrize("url", [SITE, ADMIN])
def test_guessing_is_refused_with_429_and_retry_after_once_the_budget_is_spent(client, victim, url):
    codes = [_try(client, url, f"guess{i}").status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = _try(client, url, "guess-again")
    assert int(refused["Retry-After"]) >= 1
    assert "Too many failed sign-in attempts" in refused.content.decode()


def test_a_locked_out_attempt_is_refused_even_with_the_right_password(client, victim):
    for i in range(3):
        _try(client, SITE, f"guess{i}")
    response = _try(client, SITE, "right-Horse-42")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_owner_signs_in_from_another_address_while_a_stranger_is_locked_out(client, victim):
    for i in range(4):
        _try(client, SITE, f"guess{i}", address="198.51.100.9")
    response = _try(client, SITE, "right-Horse-42", address="203.0.113.7")
    assert response.status_code == 302
    assert response.url == reverse("projects:dashboard")


def test_the_looser_per_username_budget_stops_a_spread_out_attack(client, victim):
    codes = [
        _try(client, SITE, f"guess{i}", address=f"198.51.100.{i}").status_code for i in range(8)
    ]
    assert codes == [200] * 6 + [429] * 2


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(client, victim, settings):
    # Rotating the header from one connection does not buy new budgets.
    codes = [
        _try(client, SITE, f"g{i}", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(client, victim, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(3):
        _try(client, SITE, f"g{i}", address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    locked = _try(client, SITE, "g", address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = _try(client, SITE, "g", address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert (locked.status_code, other.status_code) == (429, 200)


def test_every_lockout_is_logged(client, victim, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.login_throttle"):
        for i in range(4):
            _try(client, SITE, f"guess{i}")
    text = caplog.text
    assert "Login lockout" in text and "victim|203.0.113.7" in text
    assert "Login refused while locked out" in text


def test_successful_sign_ins_are_not_counted(client, victim):
    for _ in range(5):
        assert _try(client, SITE, "right-Horse-42").status_code == 302
        client.logout()


def test_the_cache_down_refuses_sign_in_rather_than_allowing_unlimited_guesses(
    client, victim, redis_down
):
    assert _try(client, SITE, "guess").status_code == 429
