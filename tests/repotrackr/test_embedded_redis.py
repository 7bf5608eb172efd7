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


def test_an_embedded_redis_in_its_own_session_is_out_of_reach_of_the_terminals_ctrl_c(
    tmp_path,
):
    import os

    url, proc = embedded_redis.start_embedded_redis(tmp_path, own_session=True)
    try:
        assert os.getsid(proc.pid) == proc.pid != os.getsid(0)
    finally:
        embedded_redis.stop(proc)


def test_make_runs_redis_keeps_its_port_across_runs(tmp_path):
    from repotrackr import devserver

    url, proc = devserver.start_dev_redis(tmp_path)
    embedded_redis.stop(proc)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    assert devserver.remembered_redis_port(tmp_path) == port
    again, proc = devserver.start_dev_redis(tmp_path)
    try:
        assert again == url
    finally:
        embedded_redis.stop(proc)


def test_a_first_run_uses_the_default_port(tmp_path):
    from repotrackr import devserver

    assert devserver.remembered_redis_port(tmp_path) == devserver.DEFAULT_REDIS_PORT
