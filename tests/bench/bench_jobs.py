"""Job throughput against bare RQ, and worker scaling on real refreshes.

Run: python tests/bench/bench_jobs.py [--jobs 200] [--repos 16] [--runs 5]

Uses REDIS_URL when set (a database of its own is emptied: /15), else an
embedded redis-server; a throwaway SQLite database; forking workers
(RepoTrackr's worker class) in burst mode. Prints the raw medians, then:
- jobs_throughput_ratio: no-op pipeline jobs through our enqueue and
  tracking (JobRecord + RefreshHistory written, claimed, enqueued after
  commit, started, staged, completed) drained by one worker ÷ bare RQ
  no-op jobs enqueued and drained by the same kind of worker (≥ 0.5);
  medians of ``--runs`` runs, the two sides alternating;
- jobs_worker_scaling: real refreshes (clone, parse, skills, store) of
  small local repositories with two workers ÷ with one (≥ 1.4).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# Job functions must be importable by name (RQ refuses ``__main__``).
sys.path.insert(0, str(Path(__file__).resolve().parent))


def line(name: str, value: float, op: str, bound: float) -> str:
    met = value <= bound if op == "<=" else value >= bound
    return f"{name}: {value:.3f} (target {op} {bound}) {'ok' if met else 'MISS'}"


# -- job functions (module-level so forked work-horses find them) -------------------


def bare_noop() -> None:
    return None


def noop_refresh(job_id: str) -> dict:
    """Our job function's tracking around a pipeline that does no work."""
    from jobs import pipeline, tasks

    def runner(record, *, report, now, token):
        report(pipeline.RESOLVING, 0.05)
        result = {
            "status": "success",
            "tasks_count": 0,
            "progress_percentage": 0.0,
            "skills_count": 0,
            "commit_sha": "",
            "unchanged": True,
        }
        return pipeline._finish(record, result, lambda: None)

    return tasks._run(job_id, runner)


# -- setup -------------------------------------------------------------------------------


def setup_environment(tmp: Path) -> subprocess.Popen | None:
    proc = None
    if not os.environ.get("REDIS_URL"):
        from repotrackr import embedded_redis

        url, proc = embedded_redis.start_embedded_redis(tmp / "redis")
        os.environ["REDIS_URL"] = url.rsplit("/", 1)[0] + "/15"
    else:
        os.environ["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/15"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="repotrackr.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-0000000000000000000000"),
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        REPOTRACKR_ALLOW_LOCAL_REPOS="true",
        REPOTRACKR_CLONE_DIR=str(tmp / "clones"),
        LOG_LEVEL="WARNING",
        RQ_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return proc


def make_repos(root: Path, count: int) -> list[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.org",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.org",
        "HOME": str(root),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    urls = []
    for n in range(count):
        work = root / f"work{n}"
        (work / "docs").mkdir(parents=True)
        plan = "# Plan\n\n" + "".join(
            f"## Phase {p}\n\n"
            + "".join(f"- [{'x' if t % 2 else ' '}] task {p}.{t}\n" for t in range(20))
            for p in range(5)
        )
        (work / "docs" / "plan.md").write_text(plan)
        (work / "requirements.txt").write_text("django==5.2\nredis>=5\n")
        (work / "pkg").mkdir()
        for f in range(30):
            (work / "pkg" / f"mod{f}.py").write_text("def f(x):\n    return x * 2\n" * 30)
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
            subprocess.run(["git", *args], cwd=work, env=env, check=True)
        bare = root / f"remote{n}.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], env=env, check=True)
        urls.append(str(bare))
    return urls


def drain(workers: int) -> float:
    """Drain our queues with ``workers`` forked burst workers; seconds taken."""
    from django.db import connections

    from jobs.queues import get_queue, queue_names
    from jobs.worker import RepoTrackrWorker
    from repotrackr.redis_connection import get_redis

    connections.close_all()
    started = time.perf_counter()
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                conn = get_redis()
                conn.connection_pool.reset()
                worker = RepoTrackrWorker(
                    [get_queue(n, connection=conn) for n in queue_names()], connection=conn
                )
                worker.work(burst=True, logging_level="WARNING")
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--repos", type=int, default=16)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="repotrackr-bench-jobs-") as tmp_name:
        tmp = Path(tmp_name)
        proc = setup_environment(tmp)
        try:
            run(options, tmp)
        finally:
            if proc is not None:
                from repotrackr import embedded_redis

                embedded_redis.stop(proc)


def run(options, tmp: Path) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from jobs import services
    from jobs.models import JobRecord, JobStatus, JobType
    from jobs.queues import get_queue
    from projects.services import project_create
    from repotrackr.redis_connection import get_redis

    conn = get_redis()
    conn.flushdb()
    user = get_user_model().objects.create_user("bench", password="bench-pw-123")
    noop_projects = [
        project_create(owner=user, name=f"noop {i}", repo_url=f"/nonexistent/{i}")
        for i in range(options.jobs)
    ]

    def bare() -> float:
        queue = get_queue("repotrackr_high")
        started = time.perf_counter()
        for _ in range(options.jobs):
            queue.enqueue("bench_jobs.bare_noop", result_ttl=60)
        return time.perf_counter() - started + drain(1)

    def ours() -> float:
        services.JOB_FUNCTIONS[JobType.REFRESH] = "bench_jobs.noop_refresh"
        started = time.perf_counter()
        for project in noop_projects:
            with transaction.atomic():
                services.refresh_request(project=project, user=user, trigger="api")
        elapsed = time.perf_counter() - started + drain(1)
        done = JobRecord.objects.filter(status=JobStatus.COMPLETED).count()
        JobRecord.objects.all().delete()
        assert done == options.jobs, f"only {done} of {options.jobs} jobs completed"
        return elapsed

    # Runs alternate between the two sides so both meet the same machine load.
    bare_all, ours_all = [], []
    for _ in range(options.runs):
        bare_all.append(bare())
        ours_all.append(ours())
    bare_t, ours_t = statistics.median(bare_all), statistics.median(ours_all)
    services.JOB_FUNCTIONS[JobType.REFRESH] = "jobs.tasks.process_project"

    urls = make_repos(tmp / "repos", options.repos)
    real_projects = [
        project_create(owner=user, name=f"real {i}", repo_url=url) for i, url in enumerate(urls)
    ]

    def real(workers: int) -> Callable[[], float]:
        def action() -> float:
            for project in real_projects:
                with transaction.atomic():
                    services.refresh_request(project=project, user=user, trigger="api", force=True)
            elapsed = drain(workers)
            done = JobRecord.objects.filter(
                project__in=real_projects, status=JobStatus.COMPLETED
            ).count()
            JobRecord.objects.filter(project__in=real_projects).delete()
            assert done == options.repos, f"only {done} of {options.repos} refreshes completed"
            return elapsed

        return action

    one_all, two_all = [], []
    for _ in range(options.runs):
        one_all.append(real(1)())
        two_all.append(real(2)())
    one_t, two_t = statistics.median(one_all), statistics.median(two_all)
    per_s = lambda n, t: n / t  # noqa: E731
    print(
        f"bare RQ no-op: {options.jobs} jobs, median {bare_t:.3f}s "
        f"({per_s(options.jobs, bare_t):.1f}/s) runs {[round(t, 3) for t in bare_all]}"
    )
    print(
        f"tracked no-op pipeline: {options.jobs} jobs, median {ours_t:.3f}s "
        f"({per_s(options.jobs, ours_t):.1f}/s) runs {[round(t, 3) for t in ours_all]}"
    )
    print(
        f"real refreshes, 1 worker: {options.repos} jobs, median {one_t:.3f}s "
        f"runs {[round(t, 3) for t in one_all]}"
    )
    print(
        f"real refreshes, 2 workers: {options.repos} jobs, median {two_t:.3f}s "
        f"runs {[round(t, 3) for t in two_all]}"
    )
    print(line("jobs_throughput_ratio", bare_t / ours_t, ">=", 0.5))
    print(line("jobs_worker_scaling", one_t / two_t, ">=", 1.4))
    conn.flushdb()


if __name__ == "__main__":
    main()
