"""Attack: reach a developer's ``make run`` from the network.

``make run`` turns on sign-up and local repository paths. Bound to every interface, anyone
on the network could sign up and make the server read git repositories on the machine. The
development web process binds 127.0.0.1 unless ``HOST`` is set, and a non-loopback ``HOST``
prints a loud warning. The production Procfile line is left as it is.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from repotrackr import devserver

BASE_DIR = Path(__file__).resolve().parents[2]
PROCFILE = (BASE_DIR / "Procfile").read_text()


def _web_line(procfile: str) -> str:
    return next(line for line in procfile.splitlines() if line.startswith("web:"))


def test_the_development_web_process_binds_loopback_by_default():
    assert "--bind 127.0.0.1:$PORT" in _web_line(devserver.dev_procfile(PROCFILE, host="127.0.0.1"))


def test_the_production_procfile_line_is_unchanged():
    assert _web_line(PROCFILE).endswith("--bind 0.0.0.0:$PORT")


def test_the_other_processes_are_the_production_ones():
    dev = devserver.dev_procfile(PROCFILE, host="127.0.0.1").splitlines()
    assert [line for line in dev if not line.startswith("web:")] == [
        line for line in PROCFILE.splitlines() if line and not line.startswith("web:")
    ]


def test_an_ipv6_host_is_bracketed():
    assert "--bind [::1]:$PORT" in devserver.web_command("::1")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "myhost.example"])
def test_a_network_host_with_local_repositories_prints_a_warning_naming_allowed_hosts(host):
    warning = devserver.exposure_warning(
        host=host, allow_local_repos=True, allowed_hosts="localhost,127.0.0.1"
    )
    assert warning is not None
    assert f"HOST={host}" in warning
    assert "ALLOWED_HOSTS (localhost,127.0.0.1)" in warning


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.5"])
def test_a_loopback_host_prints_no_warning(host):
    assert devserver.exposure_warning(host=host, allow_local_repos=True, allowed_hosts="") is None


def test_a_network_host_without_local_repositories_prints_no_warning():
    assert (
        devserver.exposure_warning(host="0.0.0.0", allow_local_repos=False, allowed_hosts="")
        is None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_development_web_command_listens_on_loopback_only(tmp_path):
    port = _free_port()
    command = devserver.web_command("127.0.0.1").replace("$PORT", str(port)).split()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="repotrackr.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    server = subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        listening: set[str] = set()
        deadline = time.monotonic() + 30
        while not listening and time.monotonic() < deadline:
            listening = {
                conn.laddr.ip
                for conn in psutil.Process(server.pid).net_connections(kind="inet")
                if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
            }
            time.sleep(0.2)
        assert listening == {"127.0.0.1"}
    finally:
        server.terminate()
        server.wait(timeout=30)
