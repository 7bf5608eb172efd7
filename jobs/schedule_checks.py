"""System checks for the job schedule settings: contradictions fail loudly at startup."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def job_schedule_settings_check(app_configs, **kwargs):
    problems = []
    if settings.RQ_SCHEDULER_INTERVAL > settings.JOB_RECONCILE_INTERVAL:
        problems.append(
            Warning(
                "RQ_SCHEDULER_INTERVAL is longer than JOB_RECONCILE_INTERVAL: reconciliation "
                "will run only once per scheduler interval.",
                id="jobs.W101",
            )
        )
    if settings.JOB_RECONCILE_INTERVAL > 20:
        problems.append(
            Warning(
                "JOB_RECONCILE_INTERVAL above 20 s delays settling jobs whose worker died.",
                id="jobs.W102",
            )
        )
    if settings.CLONE_SWEEP_AFTER_SECONDS <= settings.REPOTRACKR_CLONE_TIMEOUT:
        problems.append(
            Error(
                "CLONE_SWEEP_AFTER_SECONDS must exceed REPOTRACKR_CLONE_TIMEOUT, or the sweep "
                "could remove a clone that is still being written.",
                id="jobs.E101",
            )
        )
    if not settings.JOB_RETRY_INTERVALS:
        problems.append(
            Warning(
                "JOB_RETRY_INTERVALS is empty: transient failures are never retried.",
                id="jobs.W103",
            )
        )
    return problems
