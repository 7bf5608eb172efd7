"""The production layout on this machine, owned by the chaos run: every process it starts.

PostgreSQL and Redis are private instances (own data directory, own
loopback port), so the run can restart them, and wipe Redis, without
touching anything else on the machine. gunicorn, the workers and the
scheduler run the Procfile's commands bound to 127.0.0.1. A supervisor
restarts an application process that exits, as a process manager would,
and counts it. ``Stack.close`` stops everything it started, whatever
happened before.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from repotrackr.embedded_redis import redis_reachable, redis_server_binary

HOST = "127.0.0.1"
BASE_DIR = Path(__file__).resolve().parents[2]
WORKER_QUEUES = ("repotrackr_high", "repotrackr", "repotrackr_low")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _stop(proc: subprocess.Popen | None, *, grace: float = 10) -> None:
    """SIGTERM the process group, then SIGKILL what is left after ``grace`` seconds."""
    if proc is None:
        return
    if proc.poll() is None:
        _signal_group(proc, signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    _signal_group(proc, signal.SIGKILL)  # children left behind (work-horses, git)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


class RedisServer:
    """A redis-server on its own port and directory, restartable with or without its data."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Persistence on (append-only file, fsync every second): a clean
        # restart keeps the data; losing it is what ``kill_and_wipe`` does.
        self.proc = subprocess.Popen(
            [
                redis_server_binary(),
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--dir",
                str(self.data_dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--databases",
                "16",
                "--logfile",
                str(self.data_dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_for(lambda: redis_reachable(self.url, timeout=0.2), timeout=20):
            raise RuntimeError(f"redis-server did not start; see {self.data_dir / 'redis.log'}")

    def stop_keeping_data(self) -> None:
        _stop(self.proc)  # SIGTERM: Redis writes its append-only file before exiting
        self.proc = None

    def kill_and_wipe(self) -> None:
        """A crash of a Redis without persistence: the process dies, its data is gone."""
        if self.proc is not None:
            _signal_group(self.proc, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None
        for child in self.data_dir.iterdir():
            if child.name != "redis.log":
                shutil.rmtree(child) if child.is_dir() else child.unlink()

    def close(self) -> None:
        _stop(self.proc)
        self.proc = None


class PostgresServer:
    """A private PostgreSQL cluster (initdb) on its own port, run as the ``postgres`` user."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.bin = self._bin_dir()
        self.started = False

    @staticmethod
    def _bin_dir() -> Path:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            raise RuntimeError("No PostgreSQL server binaries (initdb) on this machine")
        return versions[-1].parent

    def _as_owner(self, *argv: str) -> None:
        # PostgreSQL refuses to run as root; the cluster belongs to "postgres".
        runner = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        done = subprocess.run([*runner, *argv], capture_output=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.decode(errors='replace')[-500:]}")

    def url(self, database: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._as_owner(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"
        )
        self._ctl("start")
        self.started = True

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses={HOST} -k {self.root} -c fsync=off"
        self._as_owner(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-m",
            "fast",
            action,
        )

    def restart(self) -> None:
        self._ctl("restart")

    def create_database(self, name: str) -> None:
        self._as_owner(
            str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", name
        )

    def close(self) -> None:
        if self.started:
            try:
                self._ctl("stop")
            except subprocess.CalledProcessError:
                pass
            self.started = False


@dataclass
class AppProcess:
    """One Procfile process (gunicorn, a worker, the scheduler) with its log."""

    name: str
    argv: list[str]
    log: Path
    proc: subprocess.Popen | None = None
    restarts: int = 0
    crashes: int = 0
    expected_exit: bool = False

    def start(self, env: dict[str, str]) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: signals reach its work-horse too
            )
        self.expected_exit = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    def children(self) -> list[int]:
        """Pids of its direct children (a worker's work-horse)."""
        if self.pid is None:
            return []
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except (OSError, ValueError):
            return []

    def close(self) -> None:
        self.expected_exit = True
        _stop(self.proc)


@dataclass
class Stack:
    """Every process of the run, started in order and stopped in reverse."""

    root: Path
    settings_env: dict[str, str]
    workers: int = 3
    postgres: PostgresServer | None = None
    redis: RedisServer | None = None
    apps: list[AppProcess] = field(default_factory=list)
    web_port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    _supervising: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start_data_services(self) -> None:
        self.postgres = PostgresServer(self.root / "postgres")
        self.postgres.start()
        self.postgres.create_database("repotrackr_chaos")
        self.redis = RedisServer(self.root / "redis")
        self.redis.start()
        self.env = {
            **os.environ,
            **self.settings_env,
            "DATABASE_URL": self.postgres.url("repotrackr_chaos"),
            "REDIS_URL": self.redis.url,
            "PYTHONUNBUFFERED": "1",
        }

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
        )

    def start_apps(self) -> None:
        self.web_port = free_port()
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        python = sys.executable
        self.apps = [
            AppProcess(
                "web",
                [
                    str(Path(python).parent / "gunicorn"),
                    "repotrackr.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"{HOST}:{self.web_port}",
                    "--timeout",
                    "60",
                ],
                logs / "web.log",
            ),
            *[
                AppProcess(
                    f"worker-{n}",
                    [python, "manage.py", "rqworker", *WORKER_QUEUES, "--with-scheduler"],
                    logs / f"worker-{n}.log",
                )
                for n in range(1, self.workers + 1)
            ],
            AppProcess("scheduler", [python, "manage.py", "rqscheduler"], logs / "scheduler.log"),
        ]
        for app in self.apps:
            app.start(self.env)
        threading.Thread(target=self._supervise, name="supervisor", daemon=True).start()

    def worker_processes(self) -> list[AppProcess]:
        return [a for a in self.apps if a.name.startswith("worker-")]

    def app(self, name: str) -> AppProcess:
        return next(a for a in self.apps if a.name == name)

    def _supervise(self) -> None:
        """Restart an exited application process after a second, as a process manager would."""
        while not self._supervising.wait(1.0):
            with self._lock:
                for app in self.apps:
                    if app.proc is not None and app.proc.poll() is not None:
                        if not app.expected_exit:
                            app.crashes += 1
                        app.restarts += 1
                        app.start(self.env)

    def expect_exit(self, app: AppProcess) -> None:
        """The next exit of ``app`` is one the run caused (not a crash)."""
        app.expected_exit = True

    def close(self) -> None:
        self._supervising.set()
        with self._lock:
            for app in reversed(self.apps):
                app.close()
        if self.redis is not None:
            self.redis.close()
        if self.postgres is not None:
            self.postgres.close()
