"""``manage.py plan`` and the project page give the same status for the same repository.

Each case is a real git repository whose commit dates are set, read by a real
refresh job and by the command at the same frozen moment (time-machine, not
the wall clock), with the same site settings.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from projects.models import Project

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
RECENT = (NOW - timedelta(days=2)).isoformat()
OLD = (NOW - timedelta(days=40)).isoformat()

HALF_DONE = "## A\n\n- [x] one\n- [x] two\n\n## B\n\n- [ ] three\n- [ ] four\n"
MOSTLY_DONE = "## A\n\n- [x] one\n- [x] two\n- [x] three\n\n## B\n\n- [ ] four\n"
ALL_DONE = "## A\n\n- [x] one\n\n## B\n\n- [x] two\n"
BADGE = re.compile(
    r'class="badge status status-([a-z_]+)"><span class="status-dot"[^>]*></span>([^<]+)<'
)


def _page_status(client, project) -> tuple[str, str]:
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    header = html.split('id="plan-title"')[0]
    found = BADGE.findall(header)
    assert len(found) == 1, found
    return found[0]


def _cli_status(target: str) -> tuple[str, str]:
    out = StringIO()
    call_command("plan", target, "--json", stdout=out)
    report = json.loads(out.getvalue())
    text = StringIO()
    call_command("plan", target, "--no-tasks", stdout=text)
    assert f"Status: {report['status_label']} ({report['status']})" in text.getvalue()
    return report["status"], report["status_label"]


@pytest.mark.parametrize(
    ("plan", "config", "committed", "expected"),
    [
        (MOSTLY_DONE, None, RECENT, ("green", "On track")),
        (HALF_DONE, None, RECENT, ("yellow", "At risk")),
        (MOSTLY_DONE, None, OLD, ("stale", "Stale")),
        (ALL_DONE, None, OLD, ("complete", "Complete")),
        (MOSTLY_DONE, "stale_after_days: 60\n", OLD, ("green", "On track")),
        (HALF_DONE, "thresholds: {green: 50}\n", RECENT, ("green", "On track")),
        (None, None, OLD, ("no_plan", "No plan")),
        ("# Plan\n\nLater.\n", None, RECENT, ("no_plan", "No plan")),
    ],
)
def test_the_command_and_the_page_show_the_same_status(
    owner_client,
    make_repo,
    make_project,
    request_refresh,
    drain,
    plan,
    config,
    committed,
    expected,
):
    repo = make_repo(plan=plan, date=committed)
    if config is not None:
        repo.write("repotrackr.yml", config).commit("thresholds", date=committed)
    project = make_project(repo.url)

    with time_machine.travel(NOW, tick=False):
        request_refresh(project)
        drain()
        on_page = _page_status(owner_client, project)
        from_cli = _cli_status(repo.url)

    assert on_page == from_cli == expected


@pytest.mark.parametrize(
    ("plan", "expected"), [(MOSTLY_DONE, ("stale", "Stale")), (None, ("no_plan", "No plan"))]
)
def test_a_local_checkout_is_judged_by_its_last_commit_as_the_page_judges_its_remote(
    owner_client, make_repo, make_project, request_refresh, drain, plan, expected
):
    repo = make_repo(plan=plan, date=OLD)
    project = make_project(repo.url)
    with time_machine.travel(NOW, tick=False):
        request_refresh(project)
        drain()
        assert _page_status(owner_client, project) == _cli_status(str(repo.work)) == expected


def test_a_project_gone_stale_since_its_last_commit_is_stale_in_both(
    owner_client, make_repo, make_project, request_refresh, drain
):
    repo = make_repo(plan=MOSTLY_DONE, date=RECENT)
    project = make_project(repo.url)
    with time_machine.travel(NOW, tick=False):
        request_refresh(project)
        drain()
        assert _page_status(owner_client, project) == _cli_status(repo.url) == ("green", "On track")

    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        request_refresh(project)  # the scheduled refresh: nothing new, status judged again
        drain()
        assert Project.objects.get(pk=project.pk).refresh_fingerprint
        assert _page_status(owner_client, project) == _cli_status(repo.url) == ("stale", "Stale")
