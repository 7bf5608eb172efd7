import pytest
from rq import Queue, Worker

from repotrackr.redis_connection import get_redis

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_worker():
    conn = get_redis()
    worker = Worker([Queue("repotrackr", connection=conn)], connection=conn)
    worker.register_birth()
    yield worker
    worker.register_death()


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_health_is_degraded_and_503_when_no_worker_runs(client):
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert body["redis_connected"] is True
    assert body["database_connected"] is True
    assert body["worker_count"] == 0
    assert body["failing"] == ["workers"]


def test_health_is_healthy_with_a_worker_and_counts_every_queue(client, staff, running_worker):
    client.force_login(staff)
    Queue("repotrackr_low", connection=get_redis()).enqueue("builtins.print", "x")
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "healthy"
    assert body["worker_count"] == 1
    assert body["queues"] == {"repotrackr_high": 0, "repotrackr": 0, "repotrackr_low": 1}
    assert body["queue_length"] == 1


def test_queue_health_has_the_seed_shape(client, running_worker):
    body = client.get("/health/queue").json()
    assert {"status", "redis_connected", "worker_count", "queue_length"} <= set(body)


def test_staff_see_the_per_queue_figures(client, staff, running_worker):
    client.force_login(staff)
    body = client.get("/health/queue").json()
    assert body["queues"] == {"repotrackr_high": 0, "repotrackr": 0, "repotrackr_low": 0}


def test_health_says_redis_is_the_failing_part_when_it_is_down(client, redis_down):
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unhealthy"
    assert body["redis_connected"] is False
    assert body["failing"] == ["redis"]
    assert client.get("/health/queue").status_code == 503


def test_pages_that_need_no_redis_still_render_when_it_is_down(client, redis_down):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/health/live").status_code == 200
