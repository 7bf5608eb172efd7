"""The job metrics in Prometheus' text exposition format (version 0.0.4).

Written by hand: a dozen gauges do not need a client library, and the
values are computed per scrape from Redis and the database anyway.
"""

from __future__ import annotations

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_QUEUE_STATES = ("queued", "started", "failed", "scheduled", "deferred", "finished")


def _label_value(value: str) -> str:
    """Escape a label value as the format requires (backslash, quote, newline)."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{key}="{_label_value(val)}"' for key, val in labels.items())
    return "{" + inner + "}"


def _number(value: float | int | bool) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return repr(float(value)) if isinstance(value, float) else str(value)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def metric(self, name: str, help_text: str, samples: list[tuple[dict, float | None]]):
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} gauge")
        for labels, value in samples:
            if value is not None:
                self.lines.append(f"{name}{_labels(labels)} {_number(value)}")


def render_prometheus(metrics: dict) -> str:
    """Render :func:`jobs.metrics.job_metrics` output as exposition text."""
    out = _Writer()
    out.metric("repotrackr_redis_up", "Whether Redis answered.", [({}, metrics["redis_connected"])])
    out.metric("repotrackr_workers", "Registered RQ workers.", [({}, metrics["worker_count"])])
    out.metric(
        "repotrackr_queue_jobs",
        "Jobs per queue and RQ registry.",
        [
            ({"queue": q["name"], "state": state}, q[state])
            for q in metrics["queues"]
            for state in _QUEUE_STATES
        ],
    )
    out.metric(
        "repotrackr_queue_latency_seconds",
        "Age of the oldest job waiting in the queue.",
        [({"queue": q["name"]}, q["latency_seconds"]) for q in metrics["queues"]],
    )
    out.metric(
        "repotrackr_queue_paused",
        "Whether workers skip the queue.",
        [({"queue": q["name"]}, q["paused"]) for q in metrics["queues"]],
    )
    hour = metrics["last_hour"]
    out.metric(
        "repotrackr_jobs_finished_last_hour",
        "Jobs that ended in the last hour, by outcome.",
        [({"status": "completed"}, hour["completed"]), ({"status": "failed"}, hour["failed"])],
    )
    last_minute = hour["per_minute"][-1] if hour["per_minute"] else {"completed": 0, "failed": 0}
    out.metric(
        "repotrackr_jobs_finished_current_minute",
        "Jobs that ended in the current minute, by outcome.",
        [
            ({"status": "completed"}, last_minute["completed"]),
            ({"status": "failed"}, last_minute["failed"]),
        ],
    )
    out.metric(
        "repotrackr_job_success_ratio",
        "Completed / (completed + failed) over the last hour.",
        [({}, hour["success_rate"])],
    )
    for key, name, help_text in (
        ("duration", "repotrackr_job_duration_seconds", "Run time of completed jobs, last day."),
        ("cpu_seconds", "repotrackr_job_cpu_seconds", "CPU time of completed jobs, last day."),
        (
            "peak_memory_bytes",
            "repotrackr_job_peak_memory_bytes",
            "Peak memory of completed jobs, last day.",
        ),
    ):
        out.metric(
            name,
            help_text,
            [
                ({"job_type": job_type, "quantile": label}, summary[f"{key}_{suffix}"])
                for job_type, summary in metrics["job_types"].items()
                for label, suffix in (("0.5", "p50"), ("0.95", "p95"))
            ],
        )
    out.metric(
        "repotrackr_job_records",
        "Job records in the database, by status.",
        [({"status": status}, n) for status, n in sorted(metrics["records"].items())],
    )
    out.metric(
        "repotrackr_job_errors_last_day",
        "The most frequent error messages of failed jobs, last day.",
        [({"message": e["message"]}, e["count"]) for e in metrics["top_errors"]],
    )
    return "\n".join(out.lines) + "\n"
