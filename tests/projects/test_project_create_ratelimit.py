"""POST /api/v1/projects spends the create_project budget (10 per hour per user)."""

import pytest

from jobs.ratelimit import RateLimiter, check_and_count
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seed_budgets(settings):
    settings.RATE_LIMITS = {
        "refresh": {"max_attempts": 5, "window_seconds": 300},
        "create_project": {"max_attempts": 10, "window_seconds": 3600},
    }
    settings.RATE_LIMIT_EXEMPT_STAFF = False


def _create(client, tmp_path, name):
    return client.post("/api/v1/projects", {"name": name, "repo_url": str(tmp_path)}, format="json")


def test_an_eleventh_project_within_the_hour_is_a_429_with_retry_after(owner_api, tmp_path):
    for i in range(10):
        response = _create(owner_api, tmp_path, f"P{i}")
        assert response.status_code == 201
        assert response["X-RateLimit-Remaining"] == str(9 - i)
    refused = _create(owner_api, tmp_path, "P10")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 3601
    assert refused["X-RateLimit-Limit"] == "10"
    assert Project.objects.count() == 10


def test_invalid_input_does_not_spend_an_attempt(owner_api, owner, tmp_path):
    response = owner_api.post("/api/v1/projects", {"name": ""}, format="json")
    assert response.status_code == 400
    assert RateLimiter("create_project").remaining(owner) == 10


def test_the_web_form_and_the_api_share_one_budget(owner_api, owner, tmp_path):
    for _ in range(10):
        assert check_and_count(owner, "create_project").allowed
    assert _create(owner_api, tmp_path, "Late").status_code == 429


def test_with_the_cache_down_project_creation_is_refused_with_a_503(
    owner_api, tmp_path, redis_down
):
    response = _create(owner_api, tmp_path, "Down")
    assert response.status_code == 503
    assert "Rate limiting is unavailable" in response.json()["error"]["message"]
    assert not Project.objects.exists()
