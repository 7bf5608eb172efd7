"""``make chaos DURATION=600``: the production layout under random faults, then its invariants.

1. Start a private PostgreSQL and Redis, migrate, start gunicorn, three
   workers and the scheduler (the Procfile's commands, on 127.0.0.1).
2. Build the projects' repositories (``--projects``, 500 by default) and
   the git host that can hang; mount a small tmpfs as the clone directory
   when the machine allows it. Warm up: the scheduler gives every new
   project its first refresh before traffic and faults begin.
3. For ``--duration`` seconds: commits with signed webhook pushes, manual
   API refreshes and scheduled refreshes at steady rates, and faults at
   random (every kind at least once); duplicates are sampled every second.
4. Settle: traffic and faults stop, every project becomes due, the
   scheduler refreshes them all; wait until no job is active.
5. Check the invariants and print the report in the benchmark form;
   exit 1 if any line misses its target.

``--quick`` is the CI mode: 60 projects, 60 seconds of faults. Every
process started is stopped on exit, on Ctrl-C and on failure.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from tests.chaos import faults as faults_module  # noqa: E402
from tests.chaos.githost import GitDaemon, HangingRelay, Repo  # noqa: E402
from tests.chaos.stack import HOST, Stack, wait_for  # noqa: E402

MONITORING_INTERVAL = 5
# RQ counts a running job abandoned once its heartbeat is this late.
HEARTBEAT_TIMEOUT = MONITORING_INTERVAL + 60
SETTLE_LIMIT = 150.0
ENQUEUE_P99_TARGET_MS = 2000.0
GIT_HOST_SHARE = 0.1


def settings_env(clone_dir: Path) -> dict[str, str]:
    """The run's settings: production defaults, with timings shortened so faults settle in minutes."""
    return {
        "DJANGO_SETTINGS_MODULE": "repotrackr.settings",
        "SECRET_KEY": "chaos-run-only-secret-key-0000000000000000000000000000",
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "STATIC_MANIFEST": "false",
        "REPOTRACKR_ALLOW_LOCAL_REPOS": "true",
        "REPOTRACKR_CLONE_DIR": str(clone_dir),
        "JOB_TIMEOUT_SECONDS": "60",
        "REPOTRACKR_LS_REMOTE_TIMEOUT": "5",
        "REPOTRACKR_CLONE_TIMEOUT": "20",
        "JOB_RETRY_INTERVALS": "2,5,10",
        "JOB_RECONCILE_INTERVAL": "5",
        "JOB_RECONCILE_GRACE": "15",
        "JOB_MONITORING_INTERVAL": str(MONITORING_INTERVAL),
        "RQ_SCHEDULER_INTERVAL": "2",
        "SCHEDULED_REFRESH_EVERY": "10",
        "SCHEDULED_REFRESH_MAX_PER_PASS": "1000",
        "RATE_LIMIT_EXEMPT_STAFF": "true",
        "WEBHOOK_RATE_LIMIT": "1000/60",
        "RQ_LOG_LEVEL": "WARNING",
    }


def mount_small_fs(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0777", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def line(name: str, value: float, op: str, bound: float, *, digits: int = 0) -> tuple[str, bool]:
    met = {"<=": value <= bound, ">=": value >= bound, "==": value == bound}[op]
    shown = f"{value:.{digits}f}"
    return f"{name}: {shown} (target {op} {bound:g}) {'ok' if met else 'MISS'}", met


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(q * len(ordered) + 0.999999) - 1))]


class Run:
    def __init__(self, args) -> None:
        self.args = args
        self.root = Path(tempfile.mkdtemp(prefix="repotrackr-chaos-"))
        self.root.chmod(0o755)  # PostgreSQL runs as its own user below it
        self.clone_dir = self.root / "clones"
        self.small_fs = False
        self.stack: Stack | None = None
        self.daemon: GitDaemon | None = None
        self.relay: HangingRelay | None = None
        self.traffic = None
        self.injector = None
        self.sampler = None

    # -- setup ---------------------------------------------------------------------

    def start(self) -> None:
        self.small_fs = mount_small_fs(self.clone_dir)
        if not self.small_fs:
            print("[setup] mounting a 4 MB tmpfs was refused: clone_dir_full is skipped")
        self.stack = Stack(self.root, settings_env(self.clone_dir))
        self.stack.start_data_services()
        os.environ.update(self.stack.env)
        import django

        django.setup()
        self.stack.migrate()
        self.stack.start_apps()
        print(f"[setup] web at http://{HOST}:{self.stack.web_port}, logs in {self.root}/logs")

    def build_projects(self):
        from django.contrib.auth import get_user_model

        from accounts.services import api_token_create
        from projects.services import project_create
        from tests.chaos.workload import TrackedProject
        from webhooks.services import webhook_endpoint_get_or_create

        repos_dir = self.root / "repos"
        repos_dir.mkdir()
        self.daemon = GitDaemon(repos_dir)
        self.daemon.start()
        self.relay = HangingRelay(self.daemon.port)
        user = get_user_model().objects.create_user(
            "chaos", password=None, is_staff=True, email="chaos@example.invalid"
        )
        _, token = api_token_create(user=user, name="chaos run")
        rng = random.Random(self.args.seed)
        total = self.args.projects + self.args.canaries
        tracked = []
        for n in range(total):
            repo = Repo(repos_dir / f"p{n}.git")
            repo.create()
            via_host = rng.random() < GIT_HOST_SHARE
            url = f"git://{HOST}:{self.relay.port}/p{n}.git" if via_host else str(repo.path)
            project = project_create(owner=user, name=f"chaos {n}", repo_url=url)
            _, secret = webhook_endpoint_get_or_create(project=project)
            tracked.append(TrackedProject(str(project.pk), repo, secret, url))
        print(f"[setup] {total} projects ({self.args.canaries} canaries) on local repositories")
        return token, tracked[: self.args.projects], tracked[self.args.projects :]

    # -- settling ------------------------------------------------------------------

    def settle_check(self, canaries):
        from tests.chaos.invariants import final_statuses

        # Round and round: under many faults a check may need more canaries than there are,
        # and a canary whose refresh failed can serve again once the fault is gone.
        pool = itertools.cycle(canaries) if canaries else iter(())

        def check(event, before: set[str]):
            deadline = time.monotonic() + SETTLE_LIMIT
            canary_job = None
            while time.monotonic() < deadline and not self.injector.stop.is_set():
                if canary_job is None:
                    project = next(pool, None)
                    if project is None:
                        return None
                    sent = self.traffic.refresh(project, kind="canary", force=True)
                    if sent.status in (200, 202) and sent.job_id:
                        canary_job = sent.job_id
                    else:
                        time.sleep(1)
                        continue
                statuses = final_statuses(before | {canary_job})
                canary = statuses.get(canary_job)
                if canary == "failed" or canary == "canceled":
                    canary_job = None  # try again with a fresh canary
                elif canary == "completed" and all(
                    statuses.get(j) not in ("queued", "processing") for j in before
                ):
                    return time.monotonic()
                time.sleep(0.5)
            return None

        return check

    def warm_up(self, projects) -> None:
        """Let the scheduler give every new project its first refresh before any fault.

        New projects are due at once; without this the run would begin with
        a backlog of first refreshes, and settle times would measure it.
        """
        from projects.models import ProgressSnapshot
        from tests.chaos.invariants import active_job_ids, with_db

        started = time.monotonic()
        ids = [p.id for p in projects]

        def all_refreshed() -> bool:
            done = with_db(
                lambda: (
                    ProgressSnapshot.objects.filter(project_id__in=ids)
                    .values("project_id")
                    .distinct()
                    .count()
                )
            )
            return done >= len(ids) and not active_job_ids()

        ready = wait_for(all_refreshed, timeout=self.args.settle_timeout, step=2)
        state = "done" if ready else "NOT done"
        print(
            f"[warm-up] first refreshes {state} in {time.monotonic() - started:.0f} s", flush=True
        )

    def settle(self, projects) -> float:
        """Stop traffic and faults; make every project due; wait until no job is active."""
        from jobs.models import RefreshHistory
        from projects.models import Project
        from tests.chaos.invariants import active_job_ids, with_db
        from tests.chaos.workload import age_projects_in_db

        started = time.monotonic()
        ids = [p.id for p in projects]
        # Idle first, so that every job running from here on started after
        # the last commit: whatever it stores is the final head.
        wait_for(lambda: not active_job_ids(), timeout=self.args.settle_timeout / 2, step=2)
        with_db(lambda: age_projects_in_db(ids))
        mark = time.time()
        from django.utils import timezone

        since = timezone.now()

        def everything_refreshed_and_idle() -> bool:
            def refreshed() -> int:
                tried = set(
                    RefreshHistory.objects.filter(
                        project_id__in=ids, created_at__gte=since
                    ).values_list("project_id", flat=True)
                )
                # A job already running when the projects were made due
                # counts too: it started after every commit of the run.
                tried |= set(
                    Project.objects.filter(pk__in=ids, last_refreshed_at__gte=since).values_list(
                        "pk", flat=True
                    )
                )
                return len(tried)

            return with_db(refreshed) >= len(ids) and not active_job_ids()

        done = wait_for(everything_refreshed_and_idle, timeout=self.args.settle_timeout, step=2)
        print(
            f"[settle] {'idle' if done else 'NOT idle'} after {time.monotonic() - started:.0f} s "
            f"(final pass from {time.strftime('%H:%M:%S', time.localtime(mark))})",
            flush=True,
        )
        # One more reconciliation interval, so that anything it would change has changed.
        time.sleep(6)
        return time.monotonic() - started

    # -- the run ---------------------------------------------------------------------

    def execute(self) -> int:
        from tests.chaos.faults import Injector
        from tests.chaos.invariants import DuplicateSampler, active_job_ids, with_db
        from tests.chaos.workload import Traffic, age_projects_in_db, start_streams

        self.start()
        token, projects, canaries = self.build_projects()
        self.traffic = Traffic(self.stack.web_port, token, projects, self.args.seed)
        rng = random.Random(self.args.seed)
        self.injector = Injector(
            stack=self.stack,
            relay=self.relay,
            clone_dir=self.clone_dir,
            clone_dir_is_small_fs=self.small_fs,
            rng=rng,
            heartbeat_timeout=HEARTBEAT_TIMEOUT + 5,
            settle_check=self.settle_check(canaries),
            active_job_ids=active_job_ids,
        )
        self.warm_up(projects + canaries)
        self.sampler = DuplicateSampler()
        self.sampler.start()
        rates = {
            "commits": self.args.rate * 0.45,
            "manual": self.args.rate * 0.3,
            "scheduled": self.args.rate * 0.25,
        }
        streams = start_streams(
            self.traffic,
            rates=rates,
            age_projects=lambda ids: with_db(lambda: age_projects_in_db(ids)),
        )
        run_started = time.monotonic()
        print(f"[run] traffic and faults for {self.args.duration:.0f} s", flush=True)
        self.injector.run(until=run_started + self.args.duration, gap=self.args.gap)
        self.traffic.stop.set()
        for stream in streams:
            stream.join(timeout=35)
        self.injector.wait_for_all(timeout=HEARTBEAT_TIMEOUT + SETTLE_LIMIT)
        fault_phase = time.monotonic() - run_started
        print(f"[run] fault phase over after {fault_phase:.0f} s; settling", flush=True)
        self.settle(projects + canaries)
        self.sampler.stop.set()
        return self.report(projects + canaries, fault_phase)

    def report(self, projects, fault_phase: float) -> int:
        from jobs.models import JobRecord
        from tests.chaos import invariants

        verdict = invariants.Verdict()
        invariants.check_settled_records(verdict)
        invariants.check_requests(verdict, self.traffic.sent)
        invariants.check_history(verdict)
        invariants.check_snapshots(verdict, projects)
        invariants.check_metrics(verdict, self.traffic)
        processed = invariants.with_db(
            lambda: JobRecord.objects.filter(status__in=["completed", "failed", "canceled"]).count()
        )
        events = self.injector.events
        settle = [e.settle_seconds for e in events]
        unsettled = sum(1 for s in settle if s is None)
        slowest = max((s for s in settle if s is not None), default=0.0)
        windows = [(e.began, e.settled or e.lifted + SETTLE_LIMIT) for e in events]
        during = [
            s.seconds * 1000
            for s in self.traffic.sent
            if s.kind != "canary" and s.status and any(a <= s.started <= b for a, b in windows)
        ]
        answered = [s for s in self.traffic.sent if s.kind != "canary"]
        unanswered = sum(1 for s in answered if s.status == 0)
        min_faults = 3 if not self.args.quick else 1
        lines = [
            line("chaos_jobs_processed", processed, ">=", self.args.projects),
            line("chaos_requests_sent", len(answered), ">=", 1),
            line("chaos_requests_unanswered", unanswered, "==", 0),
            line("chaos_commits_appended", self.traffic.commits, ">=", 1),
            line("chaos_duplicate_samples_taken", self.sampler.samples, ">=", 10),
        ]
        for kind in faults_module.KINDS:
            if self.injector.skipped[kind]:
                print(f"chaos_faults_{kind}: skipped (the machine refused a small filesystem)")
                continue
            lines.append(line(f"chaos_faults_{kind}", self.injector.counts[kind], ">=", min_faults))
        lines += [
            line("chaos_lost", verdict.lost, "==", 0),
            line("chaos_stuck", verdict.stuck, "==", 0),
            line("chaos_still_active_after_settle", verdict.still_active, "==", 0),
            line("chaos_duplicates", self.sampler.duplicates + verdict.two_active_records, "==", 0),
            line("chaos_snapshots_behind_head", verdict.behind_head, "==", 0),
            line("chaos_history_incomplete", verdict.history_incomplete, "==", 0),
            line("chaos_metrics_mismatch", verdict.metrics_mismatch, "==", 0),
            line("chaos_faults_unsettled", unsettled, "==", 0),
            line("chaos_fault_settle_max_s", slowest, "<=", 120, digits=1),
            line(
                "chaos_enqueue_p99_during_faults_ms",
                percentile(during, 0.99),
                "<=",
                ENQUEUE_P99_TARGET_MS,
                digits=0,
            ),
            line("chaos_process_crashes", sum(a.crashes for a in self.stack.apps), "==", 0),
        ]
        print(f"--- chaos report: {fault_phase:.0f} s of faults, {len(events)} faults ---")
        for text, _ in lines:
            print(text)
        statuses = {}
        for s in answered:
            statuses[s.status] = statuses.get(s.status, 0) + 1
        print(f"answers: {dict(sorted(statuses.items()))}")
        absorbed = invariants.pushes_absorbed(self.traffic.sent, projects)
        print(
            f"pushes answered with a refresh that had already read an older head: {absorbed}"
            " (and no refresh following it; their commits wait for the next refresh)"
        )
        crashed = {a.name: a.crashes for a in self.stack.apps if a.crashes}
        if crashed:
            print(f"processes restarted by the supervisor after a crash: {crashed}")
        for note in verdict.notes + self.sampler.examples[:5]:
            print(f"  {note}")
        return 0 if all(met for _, met in lines) else 1

    def close(self) -> None:
        for part in (self.traffic, self.injector, self.sampler):
            if part is not None:
                part.stop.set()
        if self.stack is not None:
            self.stack.close()
        for part in (self.relay, self.daemon):
            if part is not None:
                part.close()
        if self.small_fs:
            subprocess.run(["umount", "-l", str(self.clone_dir)], check=False)
        if self.args.keep:
            print(f"[cleanup] kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def seconds(text: str) -> float:
    """``600``, ``600s``, ``10m`` or ``1h`` as seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    if text and text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


def parse(argv: list[str]):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=seconds, default=None, help="time under faults: 600, 600s, 10m"
    )
    parser.add_argument("--projects", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="the CI mode (about 2 minutes)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the run's directory and logs")
    args = parser.parse_args(argv)
    args.duration = args.duration or (60.0 if args.quick else 600.0)
    args.projects = args.projects or (60 if args.quick else 500)
    args.seed = args.seed if args.seed is not None else int(time.time())
    args.rate = 2.0 if args.quick else 3.0  # requests and commits per second, all streams
    args.gap = (2.0, 5.0) if args.quick else (5.0, 15.0)
    args.canaries = 40 if args.quick else 120
    args.settle_timeout = 120.0 if args.quick else 600.0
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    print(f"[chaos] seed {args.seed}; {args.projects} projects; {args.duration:.0f} s", flush=True)
    run = Run(args)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        return run.execute()
    except KeyboardInterrupt:
        print("[chaos] interrupted; stopping everything", flush=True)
        return 130
    finally:
        run.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
