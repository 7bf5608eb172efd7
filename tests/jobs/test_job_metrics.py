"""Job metrics from real records and real queues, and their Prometheus text."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from jobs import metrics, tracker
from jobs.models import JobStatus
from jobs.prometheus import render_prometheus
from jobs.queues import get_queue, queue_pause
from projects.services import project_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 30, 40, tzinfo=UTC)


@pytest.fixture
def project(owner, tmp_path):
    return project_create(owner=owner, name="Alpha", repo_url=str(tmp_path))


@pytest.fixture
def finish(project, owner):
    """Record a job of ``job_type`` that ran ``seconds`` and ended ``ago`` before NOW."""

    def make(status, *, ago=timedelta(minutes=1), seconds=10.0, job_type="refresh", error=""):
        job = tracker.job_create(
            job_type=job_type,
            project=project,
            requested_by=owner,
            priority="high",
            queue="repotrackr_high",
        )
        end = NOW - ago
        tracker.job_start(job.id, now=end - timedelta(seconds=seconds))
        tracker.job_update_status(
            job.id,
            status=status,
            now=end,
            error=error,
            result={"status": "success"} if status == JobStatus.COMPLETED else None,
        )
        return job

    return make


def test_quantiles_use_the_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert metrics._quantile(values, 0.5) == 10.0
    assert metrics._quantile(values, 0.95) == 19.0
    assert metrics._quantile([3.0], 0.95) == 3.0
    assert metrics._quantile([], 0.5) is None


def test_throughput_counts_each_minute_of_the_last_hour_and_nothing_older(finish):
    finish(JobStatus.COMPLETED, ago=timedelta(seconds=5))
    finish(JobStatus.FAILED, ago=timedelta(seconds=20))
    finish(JobStatus.COMPLETED, ago=timedelta(minutes=10))
    finish(JobStatus.COMPLETED, ago=timedelta(minutes=61))
    buckets = metrics.throughput_per_minute(now=NOW)
    assert len(buckets) == 60
    assert buckets[-1]["minute"] == datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
    assert (buckets[-1]["completed"], buckets[-1]["failed"]) == (1, 1)
    assert buckets[-11]["completed"] == 1
    assert sum(b["completed"] + b["failed"] for b in buckets) == 3


def test_success_rate_and_durations_per_job_type(finish):
    for seconds in (1, 2, 3, 4, 100):
        finish(JobStatus.COMPLETED, seconds=seconds)
    finish(JobStatus.FAILED)
    finish(JobStatus.COMPLETED, job_type="extract_skills", seconds=7)
    body = metrics.job_metrics(now=NOW)
    assert body["last_hour"]["completed"] == 6
    assert body["last_hour"]["success_rate"] == round(6 / 7, 4)
    refresh = body["job_types"]["refresh"]
    assert (refresh["completed"], refresh["duration_p50"], refresh["duration_p95"]) == (
        5,
        3.0,
        100.0,
    )
    assert body["job_types"]["extract_skills"]["duration_p50"] == 7.0


def test_no_finished_jobs_means_no_success_rate_rather_than_zero():
    assert metrics.job_metrics(now=NOW)["last_hour"]["success_rate"] is None


def test_top_errors_are_the_most_frequent_messages_of_the_last_day(finish):
    for _ in range(3):
        finish(JobStatus.FAILED, error="repository not found")
    finish(JobStatus.FAILED, error="plan not found")
    finish(JobStatus.FAILED, error="ancient failure", ago=timedelta(days=2))
    assert metrics.top_errors(now=NOW) == [
        {"message": "repository not found", "count": 3},
        {"message": "plan not found", "count": 1},
    ]


def test_queue_latency_is_the_age_of_the_oldest_waiting_job():
    queue = get_queue("repotrackr_low")
    with time_machine.travel(NOW, tick=False) as clock:
        queue.enqueue("builtins.print", "old")
        clock.shift(30)
        queue.enqueue("builtins.print", "new")
        clock.shift(15)
        rows = {row["name"]: row for row in metrics.queue_counts(now=datetime.now(UTC))}
    assert rows["repotrackr_low"]["latency_seconds"] == 45.0
    assert rows["repotrackr_low"]["queued"] == 2
    assert rows["repotrackr_high"]["latency_seconds"] == 0.0


def test_a_paused_queue_is_reported_paused():
    queue_pause("repotrackr_low")
    body = metrics.job_metrics(now=NOW)
    assert body["paused_queues"] == ["repotrackr_low"]
    assert 'repotrackr_queue_paused{queue="repotrackr_low"} 1' in render_prometheus(body)


def test_prometheus_text_escapes_label_values(finish):
    finish(JobStatus.FAILED, error='bad "quote" \\ and\nnewline')
    text = render_prometheus(metrics.job_metrics(now=NOW))
    assert 'message="bad \\"quote\\" \\\\ and\\nnewline"} 1' in text
    for line in text.splitlines():
        assert line.startswith("# ") or len(line.rsplit(" ", 1)) == 2


def test_prometheus_text_leaves_out_a_success_ratio_nobody_can_compute():
    text = render_prometheus(metrics.job_metrics(now=NOW))
    assert "# TYPE repotrackr_job_success_ratio gauge" in text
    assert "\nrepotrackr_job_success_ratio " not in text
