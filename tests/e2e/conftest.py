"""Browser fixtures: Debian's Chromium driven by Playwright against the live test server.

Without Chromium the browser tests skip with a printed reason, except in CI
(``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _chromium_missing_reason() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Browser tests must run in CI: {reason}")
        print(f"\nSkipping browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's
    # ORM refuses to run under one unless told that this is deliberate. Set for
    # this module's tests only, so later tests and their subprocesses never see it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def logged_in_page(page, live_server, make_user):
    """A page logged in as a fresh user, through the real login form."""
    user = make_user("viewer", password="pw-Secret-123")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "pw-Secret-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.user = user
    return page


@pytest.fixture
def serious_violations():
    """A function giving axe-core's serious and critical violations on a page."""
    return _serious_violations


def _serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


PLAN = """# Plan

## Phase 1: Foundation

- [x] Set up the repository
- [x] Write the parser
  - [ ] Handle nested tasks

## Phase 2: Launch

- [ ] Deploy
- [x] Write the docs
"""


@pytest.fixture
def plan_repo(tmp_path) -> str:
    """A bare git repository, with a plan and a Python manifest, to add as a project."""
    import subprocess

    work, bare = tmp_path / "work", tmp_path / "remote.git"
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "plan.md").write_text(PLAN)
    (work / "requirements.txt").write_text("django==5.2\n")
    (work / "app.py").write_text("print('hello')\n" * 40)
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "plan"]):
        subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work), str(bare)],
        env=env,
        check=True,
        capture_output=True,
    )
    return str(bare)


@pytest.fixture
def pipeline_settings(settings, tmp_path):
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    settings.RATE_LIMITS = {
        "refresh": {"max_attempts": 1, "window_seconds": 300},
        "create_project": {"max_attempts": 10, "window_seconds": 3600},
    }
    settings.RATE_LIMIT_EXEMPT_STAFF = False
    return settings
