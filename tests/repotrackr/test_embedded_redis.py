import redis

from repotrackr import embedded_redis


def test_an_embedded_redis_starts_answers_and_stops(tmp_path):
    url, proc = embedded_redis.start_embedded_redis(tmp_path)
    try:
        assert embedded_redis.redis_reachable(url)
    finally:
        embedded_redis.stop(proc)
    assert proc.poll() is not None
    assert not embedded_redis.redis_reachable(url, timeout=0.2)


def test_a_persistent_embedded_redis_keeps_data_across_restarts(tmp_path):
    url, proc = embedded_redis.start_embedded_redis(tmp_path, persist=True)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        redis.Redis.from_url(url).rpush("rq:queue:repotrackr", "job-1")
    finally:
        embedded_redis.stop(proc)
    url, proc = embedded_redis.start_embedded_redis(tmp_path, port=port, persist=True)
    try:
        assert redis.Redis.from_url(url).lrange("rq:queue:repotrackr", 0, -1) == [b"job-1"]
    finally:
        embedded_redis.stop(proc)


def test_redact_url_hides_the_password():
    assert embedded_redis.redact_url("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
