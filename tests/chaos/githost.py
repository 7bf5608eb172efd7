"""The run's git hosts: bare repositories on disk, and a git:// host that can hang.

Most projects are read by path. Some are served by ``git daemon`` through
a small TCP relay on 127.0.0.1; while the relay "hangs" it accepts
connections and never answers, like a forge that stopped responding.
Repositories are written with ``git fast-import`` (one process per commit)
so hundreds of them are built and changed quickly.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

from tests.chaos.stack import HOST, _stop, free_port, wait_for

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_TERMINAL_PROMPT": "0",
}
TASKS_PER_PLAN = 12


def plan_text(version: int) -> str:
    """The plan at ``version``: the first ``version % 13`` of 12 tasks are done."""
    done = expected_done(version)
    lines = ["# Plan", "", "## Phase 1: Build", ""]
    for n in range(TASKS_PER_PLAN):
        if n == TASKS_PER_PLAN // 2:
            lines += ["", "## Phase 2: Ship", ""]
        lines.append(f"- [{'x' if n < done else ' '}] Task {n + 1} of version {version}")
    return "\n".join(lines) + "\n"


def expected_done(version: int) -> int:
    return version % (TASKS_PER_PLAN + 1)


class Repo:
    """One bare repository whose plan the run changes; remembers its head and plan version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = 0
        self.head = ""
        self.versions: dict[str, int] = {}
        self.lock = threading.Lock()

    def create(self) -> None:
        subprocess.run(
            ["git", "init", "-q", "--bare", "-b", "main", str(self.path)],
            check=True,
            env=GIT_ENV,
        )
        self.commit()

    def commit(self) -> str:
        """Append a commit that moves the plan to its next version; returns the new head."""
        with self.lock:
            version = self.version + 1
            text = plan_text(version).encode()
            message = f"plan version {version}".encode()
            stamp = int(time.time())
            parent = f"from {self.head}\n" if self.head else ""
            stream = (
                b"commit refs/heads/main\n"
                + b"mark :1\n"
                + f"committer Chaos <chaos@example.invalid> {stamp} +0000\n".encode()
                + f"data {len(message)}\n".encode()
                + message
                + b"\n"
                + parent.encode()
                + b"M 100644 inline PLAN.md\n"
                + f"data {len(text)}\n".encode()
                + text
                + b"\n"
                + b"get-mark :1\n"
            )
            done = subprocess.run(
                ["git", "fast-import", "--quiet", "--done"],
                input=stream + b"done\n",
                cwd=self.path,
                env=GIT_ENV,
                check=True,
                capture_output=True,
            )
            self.head = done.stdout.decode().strip().splitlines()[-1]
            self.version = version
            self.versions[self.head] = version
            return self.head


class HangingRelay:
    """A TCP relay to ``git daemon``; ``hang()`` makes new connections wait forever.

    While hanging, connections are accepted and held open with no answer
    (they are closed when the hang ends), which is what a stuck host does
    to ``git ls-remote``: only its timeout ends the wait.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.hanging = threading.Event()
        self.closed = threading.Event()
        self.held: list[socket.socket] = []
        self.server = socket.create_server((HOST, self.port))
        self.server.settimeout(0.5)
        threading.Thread(target=self._accept, name="git-relay", daemon=True).start()

    def hang(self) -> None:
        self.hanging.set()

    def answer(self) -> None:
        self.hanging.clear()
        held, self.held = self.held, []
        for conn in held:
            conn.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.hanging.is_set():
                self.held.append(conn)
                continue
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection((HOST, self.target_port), timeout=10)
        except OSError:
            client.close()
            return

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while chunk := src.recv(65536):
                    dst.sendall(chunk)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
        pump(client, upstream)

    def close(self) -> None:
        self.closed.set()
        self.answer()
        self.server.close()


class GitDaemon:
    """``git daemon`` serving every repository under ``base`` read-only on loopback."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "git",
                "daemon",
                "--reuseaddr",
                "--export-all",
                f"--base-path={self.base}",
                f"--listen={HOST}",
                f"--port={self.port}",
                str(self.base),
            ],
            env=GIT_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

        def listening() -> bool:
            try:
                socket.create_connection((HOST, self.port), timeout=0.2).close()
                return True
            except OSError:
                return False

        if not wait_for(listening, timeout=10):
            raise RuntimeError("git daemon did not start")

    def close(self) -> None:
        _stop(self.proc, grace=2)
