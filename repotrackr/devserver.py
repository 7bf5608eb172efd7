"""``make run``: everything a fresh clone needs to serve RepoTrackr locally.

1. a secret key generated once into ``var/`` (unless SECRET_KEY is set);
2. Redis: ``REDIS_URL`` if reachable, else an embedded redis-server;
3. migrate and collect static files;
4. a local admin account with a generated password, printed once;
5. web + worker + scheduler from the Procfile under honcho, until Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from repotrackr import embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("REPOTRACKR_VAR_DIR", BASE_DIR / "var"))


def _ensure_secret_key() -> None:
    if os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
        return
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    os.environ["SECRET_KEY_FILE"] = str(key_file)


def _ensure_redis():
    url = os.environ.get("REDIS_URL")
    if url and embedded_redis.redis_reachable(url):
        print(f"Using Redis at {embedded_redis.redact_url(url)}")
        return None
    if url:
        print(
            f"REDIS_URL {embedded_redis.redact_url(url)} is unreachable; starting an embedded Redis."
        )
    url, proc = embedded_redis.start_embedded_redis(VAR_DIR / "redis", port=6380, persist=True)
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


def main() -> int:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "repotrackr.settings")
    os.environ.setdefault("REPOTRACKR_ALLOW_LOCAL_REPOS", "true")
    os.environ.setdefault("REPOTRACKR_ALLOW_LOCAL_NOTIFY", "true")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    os.environ.setdefault("SIGNUP_ENABLED", "true")
    os.environ.setdefault("PORT", "8000")
    _ensure_secret_key()
    redis_proc = _ensure_redis()
    try:
        _manage("migrate", "--noinput")
        _manage("collectstatic", "--noinput", "-v", "0")
        _ensure_admin()
        print(f"RepoTrackr: http://127.0.0.1:{os.environ['PORT']}/  (Ctrl-C stops everything)")
        # Procfile commands (gunicorn, python) must come from this virtualenv.
        os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        workers = os.environ.get("WORKERS", "1")
        honcho = [
            sys.executable,
            "-m",
            "honcho",
            "start",
            "-f",
            str(BASE_DIR / "Procfile"),
            "-c",
            f"worker={workers}",
        ]
        return subprocess.call(honcho, cwd=BASE_DIR)
    except KeyboardInterrupt:
        return 0
    finally:
        embedded_redis.stop(redis_proc)


if __name__ == "__main__":
    sys.exit(main())
