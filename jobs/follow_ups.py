"""The refresh that follows a job a push arrived too late for.

A push whose head differs from the one the running refresh resolved marks
that job (``tracker.job_mark_follow_up``); when it settles, completed or
failed, the project is refreshed once more so the push is read now rather
than at the next scheduled refresh. A job put back for a retry is not
followed: its next attempt reads the head again.
"""

from __future__ import annotations

import logging

from jobs.refresh_requests import RequestTrigger, project_refresh_request
from projects.models import Project

logger = logging.getLogger(__name__)


def refresh_follow_up_request(*, project_id) -> None:
    """Request the webhook refresh a marked job owes its project; never raises.

    It is free for everyone: the delivery that asked for it was counted
    against the project's delivery budget when it arrived, and a webhook
    refresh charges no user.
    """
    project = Project.objects.filter(pk=project_id, archived=False).first()
    if project is None:
        return
    try:
        answer = project_refresh_request(
            project=project, requested_by=None, trigger=RequestTrigger.WEBHOOK
        )
    except Exception:  # noqa: BLE001 - the settled job must not fail for its follow-up
        logger.exception("Follow-up refresh of project %s not requested", project_id)
        return
    if not answer.accepted:
        logger.warning(
            "Follow-up refresh of project %s not queued: %s",
            project_id,
            answer.detail or answer.kind,
        )
