"""``make run``: everything a fresh clone needs to serve RepoTrackr locally.

1. a secret key generated once into ``var/`` (unless SECRET_KEY is set);
2. Redis: ``REDIS_URL`` if reachable, else an embedded redis-server on a port kept in
   ``var/redis/port``, in a process session of its own;
3. migrate and collect static files;
4. a local admin account with a generated password, printed once;
5. web + worker + scheduler under honcho, until Ctrl-C. The web process binds
   127.0.0.1 unless ``HOST`` says otherwise: ``make run`` turns on sign-up and local
   repository paths, which must not be reachable from the network;
6. on Ctrl-C the workers finish (or requeue) their jobs first and Redis stops last.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from repotrackr import embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("REPOTRACKR_VAR_DIR", BASE_DIR / "var"))
DEFAULT_REDIS_PORT = 6380
SHUTDOWN_GRACE_SECONDS = 30


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is reachable from this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def web_command(host: str) -> str:
    """The development web process: the production server, bound to ``host``."""
    bind = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"gunicorn repotrackr.wsgi --workers 2 --bind {bind}:$PORT"


def dev_procfile(procfile: str, *, host: str) -> str:
    """The Procfile with its web line replaced by the development one."""
    lines = []
    for line in procfile.splitlines():
        name = line.split(":", 1)[0].strip()
        lines.append(f"web: {web_command(host)}" if name == "web" else line)
    return "\n".join(lines) + "\n"


def exposure_warning(*, host: str, allow_local_repos: bool, allowed_hosts: str) -> str | None:
    """A loud warning when the development server is reachable from the network."""
    if is_loopback(host) or not allow_local_repos:
        return None
    bar = "!" * 72
    return (
        f"{bar}\n"
        f"WARNING: HOST={host} makes this server reachable from the network while local\n"
        "repository paths (REPOTRACKR_ALLOW_LOCAL_REPOS) and sign-up are on: anyone who\n"
        "can reach it may sign up and make it read git repositories on this machine.\n"
        "Unset HOST to bind 127.0.0.1, or set REPOTRACKR_ALLOW_LOCAL_REPOS=false and\n"
        "SIGNUP_ENABLED=false. Requests are served only for ALLOWED_HOSTS "
        f"({allowed_hosts or 'unset'}).\n"
        f"{bar}"
    )


def _ensure_secret_key() -> None:
    if os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
        return
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    os.environ["SECRET_KEY_FILE"] = str(key_file)


def remembered_redis_port(data_dir: Path) -> int:
    """The embedded Redis's port from an earlier run, or the default for a first run."""
    try:
        return int((data_dir / "port").read_text().strip())
    except (OSError, ValueError):
        return DEFAULT_REDIS_PORT


def start_dev_redis(data_dir: Path) -> tuple[str, subprocess.Popen]:
    """The embedded Redis on the port of the last run (kept in ``data_dir/port``)."""
    url, proc = embedded_redis.start_embedded_redis(
        data_dir, port=remembered_redis_port(data_dir), persist=True, own_session=True
    )
    port = url.rsplit(":", 1)[1].split("/", 1)[0]
    (data_dir / "port").write_text(f"{port}\n")
    return url, proc


def _ensure_redis():
    url = os.environ.get("REDIS_URL")
    if url and embedded_redis.redis_reachable(url):
        print(f"Using Redis at {embedded_redis.redact_url(url)}")
        return None
    if url:
        print(
            f"REDIS_URL {embedded_redis.redact_url(url)} is unreachable; starting an embedded Redis."
        )
    url, proc = start_dev_redis(VAR_DIR / "redis")
    os.environ["REDIS_URL"] = url
    print(f"Started embedded Redis at {url}")
    return proc


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True)


def _ensure_admin() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser("admin", "", password)
    print("\n" + "=" * 60)
    print("Created a local admin account (shown once, keep it):")
    print("  username: admin")
    print(f"  password: {password}")
    print("=" * 60 + "\n")


def _run_processes(host: str) -> int:
    """honcho until it exits; a Ctrl-C lets it stop its processes gracefully first."""
    procfile = VAR_DIR / "Procfile.dev"
    procfile.write_text(dev_procfile((BASE_DIR / "Procfile").read_text(), host=host))
    workers = os.environ.get("WORKERS", "1")
    honcho = subprocess.Popen(
        [sys.executable, "-m", "honcho", "start", "-f", str(procfile), "-d", str(BASE_DIR)]
        + ["-c", f"worker={workers}"],
        cwd=BASE_DIR,
    )
    while True:
        try:
            return honcho.wait()
        except KeyboardInterrupt:
            # The terminal sent SIGINT to honcho too: it stops web, workers (warm
            # shutdown: the current job finishes or is requeued) and scheduler.
            try:
                return honcho.wait(timeout=SHUTDOWN_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                honcho.send_signal(signal.SIGTERM)
            except KeyboardInterrupt:
                continue


def main() -> int:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "repotrackr.settings")
    os.environ.setdefault("REPOTRACKR_ALLOW_LOCAL_REPOS", "true")
    os.environ.setdefault("REPOTRACKR_ALLOW_LOCAL_NOTIFY", "true")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    os.environ.setdefault("SIGNUP_ENABLED", "true")
    os.environ.setdefault("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    _ensure_secret_key()
    redis_proc = _ensure_redis()
    try:
        _manage("migrate", "--noinput")
        _manage("collectstatic", "--noinput", "-v", "0")
        _ensure_admin()
        warning = exposure_warning(
            host=host,
            allow_local_repos=os.environ["REPOTRACKR_ALLOW_LOCAL_REPOS"].lower() == "true",
            allowed_hosts=os.environ.get("ALLOWED_HOSTS", ""),
        )
        if warning:
            print(warning, file=sys.stderr)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        print(f"RepoTrackr: http://{shown}:{os.environ['PORT']}/  (Ctrl-C stops everything)")
        # Procfile commands (gunicorn, python) must come from this virtualenv.
        os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        return _run_processes(host)
    except KeyboardInterrupt:
        return 0
    finally:
        embedded_redis.stop(redis_proc)


if __name__ == "__main__":
    sys.exit(main())
