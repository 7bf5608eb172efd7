"""Numbers about queues, workers and jobs, for the API, ``/metrics`` and the admin console.

Two sources: RQ's queues and registries in Redis (what is waiting, running,
failed *now*) and our JobRecords (what happened over the last hour or day).
Registries are counted without RQ's cleanup so that reading metrics never
changes a job's state; settling abandoned jobs is reconciliation's work.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMinute
from rq import Worker
from rq.job import Job

from jobs.models import JobRecord, JobStatus, JobType
from jobs.queues import get_queue, paused_queues, queue_names
from repotrackr.redis_connection import get_redis

logger = logging.getLogger(__name__)

THROUGHPUT_MINUTES = 60
DURATION_WINDOW = timedelta(hours=24)
ERROR_WINDOW = timedelta(hours=24)
TOP_ERRORS = 10
ERROR_MESSAGE_CHARS = 200
# Durations are summarised in Python (SQLite has no percentile function);
# the most recent jobs per type are plenty for a p95.
DURATION_SAMPLE_CAP = 5000
# RQ moves a job to the front of a queue for priority; the oldest waiting
# job is then among the first few, not always the first.
LATENCY_HEAD = 10


def _oldest_wait_seconds(queue, now: datetime) -> float:
    """Age in seconds of the oldest job waiting in ``queue`` (0 when empty)."""
    ids = queue.get_job_ids(0, LATENCY_HEAD)
    if not ids:
        return 0.0
    jobs = Job.fetch_many(ids, connection=queue.connection, serializer=queue.serializer)
    times = [job.enqueued_at for job in jobs if job is not None and job.enqueued_at]
    if not times:
        return 0.0
    oldest = min(t if t.tzinfo else t.replace(tzinfo=now.tzinfo) for t in times)
    return max(0.0, (now - oldest).total_seconds())


def queue_counts(*, now: datetime) -> list[dict]:
    """Per queue: waiting, started, failed, scheduled, deferred, finished; latency; paused.

    Raises Redis errors: callers decide between 503 and "redis down" metrics.
    """
    paused = paused_queues()
    rows = []
    for name in queue_names():
        queue = get_queue(name)
        rows.append(
            {
                "name": name,
                "queued": queue.count,
                "started": queue.started_job_registry.get_job_count(cleanup=False),
                "failed": queue.failed_job_registry.get_job_count(cleanup=False),
                "scheduled": queue.scheduled_job_registry.get_job_count(cleanup=False),
                "deferred": queue.deferred_job_registry.get_job_count(cleanup=False),
                "finished": queue.finished_job_registry.get_job_count(cleanup=False),
                "paused": name in paused,
                "latency_seconds": round(_oldest_wait_seconds(queue, now), 3),
            }
        )
    return rows


def worker_list() -> list[dict]:
    """Every registered worker with its state and current job (and that job's record)."""
    workers = Worker.all(connection=get_redis())
    current_ids = [w.get_current_job_id() for w in workers]
    records = (
        {
            str(r.id): r
            for r in JobRecord.objects.filter(pk__in=[i for i in current_ids if i])
            .select_related("project")
            .only("id", "stage", "progress", "job_type", "project__name")
        }
        if any(current_ids)
        else {}
    )
    rows = []
    for worker, job_id in zip(workers, current_ids, strict=True):
        record = records.get(job_id or "")
        rows.append(
            {
                "name": worker.name,
                "state": worker.get_state(),
                "queues": worker.queue_names(),
                "pid": worker.pid,
                "hostname": worker.hostname,
                "last_heartbeat": worker.last_heartbeat,
                "successful_job_count": worker.successful_job_count,
                "failed_job_count": worker.failed_job_count,
                "current_job": None
                if not job_id
                else {
                    "job_id": job_id,
                    "job_type": record.job_type if record else None,
                    "project": record.project.name if record and record.project else None,
                    "stage": record.stage if record else "",
                    "progress": record.progress if record else None,
                },
            }
        )
    return sorted(rows, key=lambda row: row["name"])


def queue_status(*, now: datetime) -> dict:
    """What ``GET /jobs/queue-status`` answers: queues and workers. Raises Redis errors."""
    queues = queue_counts(now=now)
    workers = worker_list()
    return {"queues": queues, "workers": workers, "worker_count": len(workers)}


def throughput_per_minute(*, now: datetime, minutes: int = THROUGHPUT_MINUTES) -> list[dict]:
    """Jobs completed and failed in each of the last ``minutes`` minutes, oldest first."""
    end = now.replace(second=0, microsecond=0)
    start = end - timedelta(minutes=minutes - 1)
    buckets = {start + timedelta(minutes=i): {"completed": 0, "failed": 0} for i in range(minutes)}
    rows = (
        JobRecord.objects.filter(
            completed_at__gte=start, status__in=[JobStatus.COMPLETED, JobStatus.FAILED]
        )
        .annotate(minute=TruncMinute("completed_at"))
        .values("minute", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        bucket = buckets.get(row["minute"])
        if bucket is not None:
            bucket[row["status"]] += row["n"]
    return [{"minute": minute, **counts} for minute, counts in buckets.items()]


def _quantile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank quantile of an already sorted list (``None`` when empty)."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), math.ceil(q * len(sorted_values))))
    return sorted_values[rank - 1]


def job_type_summaries(*, now: datetime) -> dict[str, dict]:
    """Per job type over the last day: count, duration p50/p95, CPU and peak memory p50/p95."""
    since = now - DURATION_WINDOW
    summaries: dict[str, dict] = {}
    for job_type in JobType.choices:
        name = job_type[0]
        rows = list(
            JobRecord.objects.filter(
                job_type=name,
                status=JobStatus.COMPLETED,
                completed_at__gte=since,
                started_at__isnull=False,
            )
            .order_by("-completed_at")
            .values_list("started_at", "completed_at", "cpu_seconds", "peak_memory_bytes")[
                :DURATION_SAMPLE_CAP
            ]
        )
        # Both times are set: the query asks for started, completed jobs.
        durations = sorted(
            (done - start).total_seconds()
            for start, done, _, _ in rows
            if start is not None and done is not None
        )
        cpu = sorted(c for _, _, c, _ in rows if c is not None)
        memory = sorted(m for _, _, _, m in rows if m is not None)
        summaries[name] = {
            "completed": len(rows),
            "duration_p50": _quantile(durations, 0.5),
            "duration_p95": _quantile(durations, 0.95),
            "cpu_seconds_p50": _quantile(cpu, 0.5),
            "cpu_seconds_p95": _quantile(cpu, 0.95),
            "peak_memory_bytes_p50": _quantile(memory, 0.5),
            "peak_memory_bytes_p95": _quantile(memory, 0.95),
        }
    return summaries


def top_errors(*, now: datetime, limit: int = TOP_ERRORS) -> list[dict]:
    """The most frequent error messages of jobs that failed in the last day."""
    rows = (
        JobRecord.objects.filter(status=JobStatus.FAILED, completed_at__gte=now - ERROR_WINDOW)
        .exclude(error="")
        .values("error")
        .annotate(count=Count("id"))
        .order_by("-count", "error")[:limit]
    )
    return [{"message": row["error"][:ERROR_MESSAGE_CHARS], "count": row["count"]} for row in rows]


def job_metrics(*, now: datetime) -> dict:
    """Everything ``GET /jobs/metrics`` and ``/metrics`` report.

    Never raises for Redis: with Redis down, ``redis_connected`` is false and
    the queue part is empty, while the database part is still reported.
    """
    throughput = throughput_per_minute(now=now)
    completed = sum(b["completed"] for b in throughput)
    failed = sum(b["failed"] for b in throughput)
    body: dict = {
        "generated_at": now,
        "redis_connected": True,
        "queues": [],
        "paused_queues": [],
        "worker_count": 0,
        "last_hour": {
            "completed": completed,
            "failed": failed,
            "success_rate": round(completed / (completed + failed), 4)
            if completed + failed
            else None,
            "per_minute": throughput,
        },
        "job_types": job_type_summaries(now=now),
        "top_errors": top_errors(now=now),
        "records": dict(JobRecord.objects.values_list("status").annotate(n=Count("id")).order_by()),
    }
    try:
        body["queues"] = queue_counts(now=now)
        body["paused_queues"] = [q["name"] for q in body["queues"] if q["paused"]]
        body["worker_count"] = Worker.count(connection=get_redis())
    except Exception:  # noqa: BLE001 - metrics report Redis down rather than fail
        logger.warning("Metrics: Redis unreachable", exc_info=True)
        body["redis_connected"] = False
    return body
