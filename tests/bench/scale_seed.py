"""Seed a PostgreSQL database for the scale benchmark with SQL, not the ORM.

``seed(sizes)`` fills the migrated database behind Django's default
connection: users, projects with tasks, skills, one progress snapshot per
project per day, job records with their refresh history. Every bulk table is
written by ``INSERT … SELECT … FROM generate_series``, which PostgreSQL runs
without a round trip per row: the full sizes (10,000 projects, 1M tasks,
7.3M snapshots, 100k job records) take minutes, not hours.

Columns the seed does not set take their model field's default, so a column
added by a later migration does not break the seed.

The data has the shape real use leaves: every project's latest snapshot
carries the per-phase counts of its tasks, as a refresh stores them; most
jobs are scheduled refreshes that completed, some failed or were canceled, a
few are still queued; snapshots are daily, as retention thins them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

TASK_CYCLE = ("done", "done", "doing", "todo", "blocked")  # 40 % done, one blocked in five
SKILL_NAMES = (
    "Python Django PostgreSQL Redis Docker GitHub Actions React TypeScript Go Rust Java Spring "
    "Kotlin Ruby Rails Node.js Express Vue Angular MySQL SQLite MongoDB Kubernetes Terraform "
    "AWS GCP Azure pytest Jest Webpack Vite Poetry npm Cargo Maven Gradle GitLab CI Ansible "
    "Nginx Celery"
).split(" ")
SKILL_CATEGORIES = ("language", "framework", "database", "tool", "infrastructure", "ci_cd")
ERRORS = (
    "The repository could not be reached (connection timed out).",
    "Branch 'release' was not found in the repository.",
    "The configured plan path 'docs/roadmap.md' does not exist.",
    "Authentication failed: the access token was refused.",
)


@dataclass(frozen=True)
class SeedSizes:
    users: int  # owners; the projects are spread evenly over them
    projects: int
    tasks_per_project: int
    phases_per_project: int
    big_project_tasks: int  # one more project with a large plan
    big_project_phases: int
    snapshot_days: int  # one snapshot per project per day, the latest today
    job_records: int  # each with one refresh history row
    queued_jobs: int  # of those, still waiting (one per project at most)
    skills_per_project: int

    def describe(self) -> str:
        return " ".join(f"{k}={v}" for k, v in asdict(self).items())


FULL = SeedSizes(
    users=100,
    projects=10_000,
    tasks_per_project=100,
    phases_per_project=4,
    big_project_tasks=5_000,
    big_project_phases=50,
    snapshot_days=730,
    job_records=100_000,
    queued_jobs=50,
    skills_per_project=8,
)
QUICK = SeedSizes(
    users=5,
    projects=300,
    tasks_per_project=20,
    phases_per_project=4,
    big_project_tasks=1_000,
    big_project_phases=10,
    snapshot_days=30,
    job_records=3_000,
    queued_jobs=10,
    skills_per_project=5,
)

STAFF_USERNAME = "bench-staff"
OWNER_PREFIX = "bench-owner-"
BIG_PROJECT_NAME = "Big plan"


def seed(sizes: SeedSizes) -> dict[str, float]:
    """Fill the (migrated, empty) default database; returns seconds per table."""
    import time

    from django.db import connection, transaction

    timings: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for name, step in (
            ("users", _users),
            ("projects", _projects),
            ("tasks", _tasks),
            ("skills", _skills),
            ("snapshots", _snapshots),
            ("job_records", _jobs),
            ("refresh_history", _history),
        ):
            started = time.perf_counter()
            step(cursor, sizes)
            timings[name] = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_projects")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Sets the visibility map (index-only scans) and the planner's statistics.
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_analyze"] = time.perf_counter() - started
    return timings


# -- helpers -----------------------------------------------------------------------------


def _insert(cursor, model, values: dict[str, str], source: str) -> None:
    """``INSERT INTO <model's table> SELECT <values> FROM <source>``, without parameters.

    ``values`` maps column names to SQL expressions; every other concrete
    column gets the field's default as a literal. No parameters are passed, so
    ``%`` in an expression is SQL's modulo, not a placeholder.
    """
    from django.db import connection
    from psycopg import sql

    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            exprs.append(values[field.column])
        else:
            default = field.get_default() if field.has_default() or not field.null else None
            prepared = field.get_db_prep_save(default, connection)
            exprs.append(sql.Literal(prepared).as_string(connection.connection))
    unknown = set(values) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    cursor.execute(
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM {source}"
    )


def _json_literal(value) -> str:
    """A jsonb literal; dollar quotes leave the JSON text as it is."""
    text = json.dumps(value)
    assert "$j$" not in text
    return f"$j${text}$j$::jsonb"


def _phases_json(total: int, phases: int) -> str:
    """Per-phase counts of ``total`` tasks cut into ``phases`` phases, as a refresh stores them."""
    per = total // phases
    rows = []
    for k in range(phases):
        statuses = [TASK_CYCLE[j % 5] for j in range(k * per, (k + 1) * per)]
        counts = {s: statuses.count(s) for s in ("done", "doing", "blocked", "todo")}
        rows.append(
            {
                "title": f"Phase {k + 1}",
                "total": per,
                **counts,
                "percentage": round(100 * counts["done"] / per, 1),
            }
        )
    return _json_literal(rows)


# -- tables ----------------------------------------------------------------------------


def _users(cursor, sizes: SeedSizes) -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    users = [
        user_model(username=STAFF_USERNAME, is_staff=True, is_superuser=True, password="!")
    ] + [user_model(username=f"{OWNER_PREFIX}{i:03}", password="!") for i in range(sizes.users)]
    user_model.objects.bulk_create(users)


def _projects(cursor, sizes: SeedSizes) -> None:
    from projects.models import Project

    # n = 0 is the big plan; 1..projects are ordinary ones. bench_projects maps n to the id.
    cursor.execute(
        f"""
        CREATE TEMP TABLE bench_projects AS
        SELECT g AS n, gen_random_uuid() AS id,
               (SELECT array_agg(id ORDER BY username) FROM auth_user
                 WHERE username LIKE '{OWNER_PREFIX}%')[1 + g % {sizes.users}] AS owner_id
        FROM generate_series(0, {sizes.projects}) g
        """
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_projects (n)")
    per_task = sizes.tasks_per_project
    done = sum(1 for j in range(per_task) if TASK_CYCLE[j % 5] == "done")
    big = sizes.big_project_tasks
    big_done = sum(1 for j in range(big) if TASK_CYCLE[j % 5] == "done")

    def count(status: str, n: int) -> int:
        return sum(1 for j in range(n) if TASK_CYCLE[j % 5] == status)

    _insert(
        cursor,
        Project,
        {
            "id": "p.id",
            "owner_id": "p.owner_id",
            "name": f"CASE WHEN p.n = 0 THEN '{BIG_PROJECT_NAME}' "
            "ELSE 'Project ' || lpad(p.n::text, 5, '0') END",
            "repo_url": "'https://github.com/acme/p' || p.n",
            "status": "(ARRAY['green','yellow','red','complete'])[1 + p.n % 4]",
            "total_tasks": f"CASE WHEN p.n = 0 THEN {big} ELSE {per_task} END",
            "done_tasks": f"CASE WHEN p.n = 0 THEN {big_done} ELSE {done} END",
            "doing_tasks": f"CASE WHEN p.n = 0 THEN {count('doing', big)} "
            f"ELSE {count('doing', per_task)} END",
            "blocked_tasks": f"CASE WHEN p.n = 0 THEN {count('blocked', big)} "
            f"ELSE {count('blocked', per_task)} END",
            "todo_tasks": f"CASE WHEN p.n = 0 THEN {count('todo', big)} "
            f"ELSE {count('todo', per_task)} END",
            "percentage": f"CASE WHEN p.n = 0 THEN {round(100 * big_done / big, 1)} "
            f"ELSE {round(100 * done / per_task, 1)} END",
            "plan_files": """'["docs/plan.md"]'::jsonb""",
            "last_commit_sha": "md5(p.n::text) || substr(md5(p.id::text), 1, 8)",
            "last_commit_at": "now() - (p.n % 20) * interval '1 day'",
            # Spread over the last six hours, as a steady scheduled pass leaves them.
            "last_refreshed_at": "now() - (p.n % 360) * interval '1 minute'",
            "refresh_fingerprint": "md5(p.id::text)",
            "archived": "p.n % 50 = 49",
            "created_at": f"now() - interval '{sizes.snapshot_days} days'",
            "updated_at": "now() - (p.n % 360) * interval '1 minute'",
        },
        "bench_projects p",
    )


def _tasks(cursor, sizes: SeedSizes) -> None:
    from projects.models import Task

    cycle = "ARRAY[" + ",".join(f"'{s}'" for s in TASK_CYCLE) + "]"
    ordinary_per_phase = sizes.tasks_per_project // sizes.phases_per_project
    big_per_phase = sizes.big_project_tasks // sizes.big_project_phases
    for where, count, per_phase in (
        ("p.n > 0", sizes.tasks_per_project, ordinary_per_phase),
        ("p.n = 0", sizes.big_project_tasks, big_per_phase),
    ):
        _insert(
            cursor,
            Task,
            {
                "id": "gen_random_uuid()",
                "project_id": "p.id",
                "title": "'Task ' || j || ' of the plan, with a title as long as real ones are'",
                "status": f"({cycle})[1 + j % 5]",
                "section_path": f"jsonb_build_array('Plan', 'Phase ' || (j / {per_phase} + 1))",
                "phase": f"'Phase ' || (j / {per_phase} + 1)",
                "phase_index": f"j / {per_phase}",
                "depth": "j % 3",
                "file_path": "'docs/plan.md'",
                "line": "j + 3",
                "order": "j",
            },
            f"bench_projects p CROSS JOIN generate_series(0, {count - 1}) j WHERE {where}",
        )


def _skills(cursor, sizes: SeedSizes) -> None:
    from skills.models import Skill

    names = "ARRAY[" + ",".join("'" + n + "'" for n in SKILL_NAMES) + "]"
    categories = "ARRAY[" + ",".join(f"'{c}'" for c in SKILL_CATEGORIES) + "]"
    # (3n + k) mod len(names) is distinct for k < len(names): one row per skill per project.
    _insert(
        cursor,
        Skill,
        {
            "id": "gen_random_uuid()",
            "project_id": "p.id",
            "name": f"({names})[1 + (3 * p.n + k) % {len(SKILL_NAMES)}]",
            "category": f"({categories})[1 + (3 * p.n + k) % {len(SKILL_CATEGORIES)}]",
            "confidence": "0.5 + (k % 5) / 10.0",
            "evidence": """jsonb_build_array(jsonb_build_object('file', 'pyproject.toml',
                           'line', k + 1, 'detail', 'dependency'))""",
        },
        f"bench_projects p CROSS JOIN generate_series(0, {sizes.skills_per_project - 1}) k",
    )


def _snapshots(cursor, sizes: SeedSizes) -> None:
    from projects.models import ProgressSnapshot

    ordinary = _phases_json(sizes.tasks_per_project, sizes.phases_per_project)
    big = _phases_json(sizes.big_project_tasks, sizes.big_project_phases)
    # Day d ago the plan was a little less done; today matches the project's counts.
    days = sizes.snapshot_days
    _insert(
        cursor,
        ProgressSnapshot,
        {
            "id": "gen_random_uuid()",
            "project_id": "p.id",
            "created_at": "now() - d * interval '1 day' - (p.n % 360) * interval '1 minute'",
            "commit_sha": "md5(p.n::text || '-' || d)",
            "total": "pr.total_tasks",
            "done": f"pr.done_tasks * ({days} - d) / {days}",
            "doing": "pr.doing_tasks",
            "blocked": "pr.blocked_tasks",
            "todo": f"pr.total_tasks - pr.done_tasks * ({days} - d) / {days} "
            "- pr.doing_tasks - pr.blocked_tasks",
            "percentage": f"round((pr.percentage * ({days} - d) / {days})::numeric, 1)",
            "status": "pr.status",
            "phases": f"CASE WHEN p.n = 0 THEN {big} ELSE {ordinary} END",
        },
        "bench_projects p JOIN projects_project pr ON pr.id = p.id "
        f"CROSS JOIN generate_series(0, {days - 1}) d",
    )


def _jobs(cursor, sizes: SeedSizes) -> None:
    from jobs.models import JobRecord

    result = _json_literal(
        {
            "status": "success",
            "tasks_count": sizes.tasks_per_project,
            "progress_percentage": 40.0,
            "skills_count": sizes.skills_per_project,
            "commit_sha": "0123456789abcdef0123456789abcdef01234567",
            "unchanged": False,
        }
    )
    errors = "ARRAY[" + ",".join("'" + e.replace("'", "''") + "'" for e in ERRORS) + "]"
    # Job i belongs to project 1 + i mod projects; the first `queued_jobs` are still waiting
    # (distinct projects, as "one active job per project" requires), the rest finished over
    # the last 30 days: 1 in 12 failed, 1 in 50 canceled. 1 in 10 is a skills extraction.
    queued = sizes.queued_jobs
    status = (
        f"CASE WHEN i < {queued} THEN 'queued' WHEN i % 12 = 5 THEN 'failed' "
        "WHEN i % 50 = 7 THEN 'canceled' ELSE 'completed' END"
    )
    created = f"now() - (i * interval '30 days' / {sizes.job_records})"
    _insert(
        cursor,
        JobRecord,
        {
            "id": "gen_random_uuid()",
            "job_type": "CASE WHEN i % 10 = 3 THEN 'extract_skills' ELSE 'refresh' END",
            "queue": "CASE WHEN i % 7 = 0 THEN 'repotrackr_high' ELSE 'repotrackr_low' END",
            "priority": "CASE WHEN i % 7 = 0 THEN 'high' ELSE 'low' END",
            "project_id": "p.id",
            "requested_by_id": "CASE WHEN i % 7 = 0 THEN p.owner_id END",
            "status": f"({status})",
            "progress": f"CASE WHEN ({status}) = 'completed' THEN 1.0 ELSE 0.0 END",
            "stage": f"CASE WHEN ({status}) = 'completed' THEN 'done' ELSE '' END",
            "created_at": created,
            "started_at": f"CASE WHEN i >= {queued} THEN {created} + interval '1 second' END",
            "completed_at": f"CASE WHEN i >= {queued} THEN {created} + interval '4 seconds' END",
            "attempts": f"CASE WHEN i >= {queued} THEN 1 ELSE 0 END",
            "result": f"CASE WHEN ({status}) = 'completed' THEN {result} END",
            "error": f"CASE WHEN ({status}) = 'failed' THEN ({errors})[1 + i % 4] ELSE '' END",
            "cpu_seconds": f"CASE WHEN i >= {queued} THEN 0.4 + (i % 10) / 10.0 END",
            "peak_memory_bytes": f"CASE WHEN i >= {queued} THEN 60000000 + (i % 10) * 1000000 END",
        },
        f"generate_series(0, {sizes.job_records - 1}) i "
        f"JOIN bench_projects p ON p.n = 1 + i % {sizes.projects}",
    )


def _history(cursor, sizes: SeedSizes) -> None:
    from jobs.models import RefreshHistory

    _insert(
        cursor,
        RefreshHistory,
        {
            "id": "gen_random_uuid()",
            "project_id": "j.project_id",
            "user_id": "j.requested_by_id",
            "job_id": "j.id",
            "trigger": "CASE WHEN j.requested_by_id IS NULL THEN 'scheduled' ELSE 'manual' END",
            "status": "j.status",
            "created_at": "j.created_at",
            "completed_at": "j.completed_at",
            "duration_seconds": "extract(epoch FROM j.completed_at - j.started_at)",
            "result": "j.result",
            "error": "j.error",
        },
        "jobs_jobrecord j WHERE j.job_type = 'refresh'",
    )
