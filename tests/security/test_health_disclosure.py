"""Attack: learn how the service is built, and why it fails, from its health checks.

Anonymous callers get the seed's shape (status, connectivity, worker count, total
queue length) without per-queue figures or error text; ``HEALTH_STATUS_ONLY`` narrows
that to the status alone. Staff see everything.
"""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/health/", "/health/queue"])
def test_an_anonymous_caller_gets_no_per_queue_figures(client, path):
    body = client.get(path).json()
    assert "queues" not in body
    assert {"status", "redis_connected", "worker_count", "queue_length"} <= set(body)


@pytest.mark.parametrize("path", ["/health/", "/health/queue"])
def test_an_anonymous_caller_gets_no_error_text(client, redis_down, path):
    response = client.get(path)
    assert response.status_code == 503
    assert "error" not in response.json()
    assert response.json()["status"] == "unhealthy"


@pytest.mark.parametrize("path", ["/health/", "/health/queue"])
def test_the_setting_narrows_the_answer_to_the_status(client, settings, path):
    settings.HEALTH_STATUS_ONLY = True
    response = client.get(path)
    assert response.json() == {"status": "degraded"}
    assert response.status_code == 503


def test_staff_see_the_error_text(client, staff, redis_down):
    client.force_login(staff)
    assert client.get("/health/queue").json()["error"].startswith("Redis unreachable")
