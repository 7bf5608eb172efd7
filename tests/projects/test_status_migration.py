"""The stored statuses move to the one vocabulary, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("projects", "0002_status_settings_and_phase_index")]
AFTER = [("projects", "0003_project_status_vocabulary")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_rows(transactional_db, owner):
    apps = _migrate(BEFORE)
    Project = apps.get_model("projects", "Project")
    Snapshot = apps.get_model("projects", "ProgressSnapshot")
    now = timezone.now()

    def project(name, **fields):
        return Project.objects.create(owner_id=owner.pk, name=name, repo_url="/r", **fields)

    rows = {
        "stale": project(
            "stale", status="red", is_stale=True, last_refreshed_at=now, total_tasks=4
        ),
        "red": project("red", status="red", last_refreshed_at=now, total_tasks=4),
        "empty": project("empty", status="unknown", last_refreshed_at=now),
        "new": project("new", status="unknown"),
        "archived": project("archived", status="archived", last_refreshed_at=now),
    }
    Snapshot.objects.create(project=rows["empty"], status="unknown", total=0)
    Snapshot.objects.create(project=rows["red"], status="red", total=4)
    yield {name: row.pk for name, row in rows.items()}
    # Leave the schema whole for the next test on this database: every app at its latest.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _statuses(apps, ids):
    Project = apps.get_model("projects", "Project")
    return {name: Project.objects.get(pk=pk).status for name, pk in ids.items()}


def test_stored_statuses_move_to_the_new_words_and_back(old_rows):
    apps = _migrate(AFTER)
    assert _statuses(apps, old_rows) == {
        "stale": "stale",
        "red": "red",
        "empty": "no_plan",
        "new": "unknown",
        "archived": "archived",
    }
    Snapshot = apps.get_model("projects", "ProgressSnapshot")
    assert sorted(Snapshot.objects.values_list("status", flat=True)) == ["no_plan", "red"]

    apps = _migrate(BEFORE)
    assert _statuses(apps, old_rows)["stale"] == "red"
    assert _statuses(apps, old_rows)["empty"] == "unknown"
    Project = apps.get_model("projects", "Project")
    assert Project.objects.get(pk=old_rows["stale"]).is_stale is True
