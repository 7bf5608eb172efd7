"""Shared setup of the attack catalogue: budgets small enough to spend, a project to aim at."""

import pytest

from jobs.models import JobRecord


@pytest.fixture(autouse=True)
def _small_budgets(settings):
    settings.RATE_LIMITS = {
        "refresh": {"max_attempts": 3, "window_seconds": 300},
        "create_project": {"max_attempts": 10, "window_seconds": 3600},
    }
    settings.RATE_LIMIT_EXEMPT_STAFF = False


@pytest.fixture
def make_project(owner, tmp_path):
    from projects.services import project_create

    counter = {"n": 0}

    def make(name: str | None = None, *, user=None):
        counter["n"] += 1
        path = tmp_path / f"repo{counter['n']}"
        path.mkdir()
        return project_create(
            owner=user or owner, name=name or f"project {counter['n']}", repo_url=str(path)
        )

    return make


@pytest.fixture
def finish_jobs():
    """Settle every active job, so the next request has to start a new one."""

    def finish():
        JobRecord.objects.filter(status__in=["queued", "processing"]).update(status="completed")

    return finish
