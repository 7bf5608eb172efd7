"""The main list queries have an index path on PostgreSQL.

With the scale benchmark's quick seed (``scale_seed.QUICK``: 300 projects,
7,000 tasks, 9,000 snapshots, 3,000 jobs), each test runs the real page,
API view or selector, captures the SQL it sent, and asks PostgreSQL for the
plan of every statement on a large table under ``SET enable_seqscan = off``:
a plan that still scans a large table sequentially, or sorts all of one to
keep a page of it, has no index to use, and at 10,000 projects that scan is
what a user waits for. The SQL comes from
the code under test, never from a copy of it.

SQLite has no such planner switch: there the tests are skipped with the reason.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_seed  # noqa: E402  (beside this file)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans are checked on PostgreSQL (CI sets DATABASE_URL); this run uses "
    + connection.vendor,
)

LARGE_TABLES = (
    "projects_project",
    "projects_task",
    "projects_progresssnapshot",
    "jobs_jobrecord",
    "jobs_refreshhistory",
    "skills_skill",
)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The quick seed, made once for this module and removed after it."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        scale_seed.seed(scale_seed.QUICK)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def people(seeded, db, client):
    from django.contrib.auth import get_user_model

    from projects.models import Project

    users = get_user_model().objects
    big = Project.objects.select_related("owner").get(name=scale_seed.BIG_PROJECT_NAME)
    return {"staff": users.get(username=scale_seed.STAFF_USERNAME), "owner": big.owner, "big": big}


def plan_faults(statements: list[str]) -> dict[str, str]:
    """``{sql: why and plan}`` for each statement whose plan has no index path.

    Two faults: a sequential scan of a large table, and a sort fed by a whole
    large table read through an index without a condition (what the planner
    does for ``ORDER BY … LIMIT`` with sequential scans off and no index in
    that order: it reads everything to keep fifty rows). Aggregates, such as a
    paginator's ``COUNT(*)``, read whole tables by nature and are not faults.
    """
    bad = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            root = _json(cursor.fetchone()[0])[0]["Plan"]
            faults = [f"sequential scan of {t}" for t in _scans(root, sequential=True)]
            faults += [f"sort of all of {t}" for t in _sorted_whole_tables(root)]
            if faults:
                cursor.execute("EXPLAIN " + sql)
                text = "\n".join(row[0] for row in cursor.fetchall())
                bad[sql] = "; ".join(faults) + "\n" + text
    return bad


def _json(value):
    import json

    return json.loads(value) if isinstance(value, str) else value


def _nodes(node: dict, *, stop_at: tuple[str, ...] = ()):
    yield node
    for child in node.get("Plans", ()):
        if child["Node Type"] not in stop_at:
            yield from _nodes(child, stop_at=stop_at)


def _scans(node: dict, *, sequential: bool, stop_at: tuple[str, ...] = ()) -> list[str]:
    """Large tables the plan under ``node`` reads sequentially, or wholly through an index."""
    found = []
    for n in _nodes(node, stop_at=stop_at):
        table = n.get("Relation Name")
        if table not in LARGE_TABLES:
            continue
        if sequential and n["Node Type"] == "Seq Scan":
            found.append(table)
        whole_index_read = n["Node Type"] in ("Index Scan", "Index Only Scan") and not (
            n.get("Index Cond") or n.get("Filter")
        )
        if not sequential and whole_index_read:
            found.append(table)
    return found


def _sorted_whole_tables(root: dict) -> list[str]:
    found = []
    for node in _nodes(root):
        if node["Node Type"] == "Sort":
            found += _scans(node, sequential=False, stop_at=("Aggregate", "SubPlan"))
    return found


class SentStatements:
    """The statements sent inside ``with SentStatements() as sent:``, parameters filled in.

    An execute wrapper sees every cursor, the server-side ones of
    ``.iterator()`` included, which Django's query log leaves out.
    """

    def __enter__(self):
        self.statements: list[str] = []
        connection.execute_wrappers.append(self._record)
        return self

    def __exit__(self, *exc):
        connection.execute_wrappers.remove(self._record)

    def __iter__(self):
        return iter({"sql": s} for s in self.statements)

    def _record(self, execute, sql, params, many, context):
        from psycopg import ClientCursor

        self.statements.append(ClientCursor(connection.connection).mogrify(sql, params))
        return execute(sql, params, many, context)


def large_table_selects(captured) -> list[str]:
    selects = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    chosen = [sql for sql in selects if any(f'"{t}"' in sql for t in LARGE_TABLES)]
    assert chosen, f"no query on a large table among {selects}"
    return chosen


def statements_of_get(client, user, url: str) -> list[str]:
    client.force_login(user)
    with SentStatements() as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return large_table_selects(captured)


def assert_index_paths(statements: list[str]) -> None:
    bad = plan_faults(statements)
    assert not bad, "\n\n".join(f"{sql}\n{plan}" for sql, plan in bad.items())


@pytest.mark.parametrize("who", ["staff", "owner"])
def test_dashboard_list_uses_indexes(client, people, who):
    assert_index_paths(statements_of_get(client, people[who], reverse("projects:dashboard")))


@pytest.mark.parametrize("who", ["staff", "owner"])
def test_api_project_list_uses_indexes(client, people, who):
    assert_index_paths(statements_of_get(client, people[who], reverse("api:project-list")))


@pytest.mark.parametrize("who", ["staff", "owner"])
def test_jobs_list_uses_indexes(client, people, who):
    assert_index_paths(statements_of_get(client, people[who], reverse("jobs:list")))


def test_refresh_history_uses_indexes(client, people):
    url = reverse("api:project-refresh-history", args=[people["big"].pk])
    assert_index_paths(statements_of_get(client, people["owner"], url))


def test_latest_snapshot_of_a_project_uses_indexes(people):
    from projects.selectors import phase_list_for_project

    with SentStatements() as captured:
        phases = phase_list_for_project(project=people["big"])
    assert len(phases) == scale_seed.QUICK.big_project_phases
    assert_index_paths(large_table_selects(captured))


def test_project_page_uses_indexes(client, people):
    url = reverse("projects:detail", args=[people["big"].pk])
    assert_index_paths(statements_of_get(client, people["owner"], url))


def test_due_for_refresh_query_uses_indexes(people):
    from jobs.scheduling import projects_due

    later = timezone.now() + timedelta(days=1)  # every project is due by then
    with SentStatements() as captured:
        due = projects_due(now=later, limit=10)
    assert len(due) == 10
    assert_index_paths(large_table_selects(captured))


def test_a_missing_index_is_caught(people):
    """The check itself: a filter no index covers shows as a sequential scan."""
    from projects.models import Task

    with SentStatements() as sent:
        list(Task.objects.filter(title__endswith="real ones are").order_by()[:5])
    assert plan_faults(large_table_selects(sent))


def test_a_list_sorted_without_its_index_is_caught(people):
    """The check itself: a page of tasks by title, with their projects, reads and sorts them all.

    The join lets the planner walk an index on ``project_id`` instead of
    scanning: no sequential scan, yet every task is read to keep fifty.
    """
    from projects.models import Task

    with SentStatements() as sent:
        list(Task.objects.select_related("project").order_by("title")[:50])
    faults = plan_faults(large_table_selects(sent))
    assert faults and "sort of all of projects_task" in next(iter(faults.values()))
