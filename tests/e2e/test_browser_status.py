"""Every status reads well in a real browser: contrast in both themes, the legend, no-plan help."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jobs.models import JobRecord, JobStatus, JobType
from projects.models import Project, ProjectStatus
from projects.starter_plan import starter_plan_text
from tests.ui_data import add_plan, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SEARCHED = ["docs/plan.md", "plan.md", "planning/", "a Plan, Roadmap or TODO section in the README"]


def _one_project_per_status(user) -> dict[str, Project]:
    projects = {}
    for value, label in ProjectStatus.choices:
        project = make_project(user, f"{label} project")
        if value != ProjectStatus.NO_PLAN:
            add_plan(project, phases=2, tasks_per_phase=3)
        Project.objects.filter(pk=project.pk).update(status=value, plan_searched=SEARCHED)
        projects[value] = project
    JobRecord.objects.create(
        project=projects[ProjectStatus.GREEN],
        job_type=JobType.REFRESH,
        status=JobStatus.FAILED,
        error="the host could not be reached",
    )
    return projects


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_status_badge_and_the_legend_pass_axe_in_both_themes(
    logged_in_page, live_server, serious_violations, theme
):
    page = logged_in_page
    page.emulate_media(color_scheme=theme)
    projects = _one_project_per_status(page.user)
    found = {}
    for path in ("/", "/?layout=rows", f"/projects/{projects[ProjectStatus.STALE].pk}/"):
        page.goto(f"{live_server.url}{path}")
        found[path] = serious_violations(page)
    page.goto(f"{live_server.url}/")
    legend = page.get_by_role("region", name="What the statuses mean")
    expect(legend).to_contain_text("Stale")
    expect(legend).to_contain_text("No plan")
    expect(page.get_by_text("Latest refresh failed").first).to_be_visible()
    assert found == {path: [] for path in found}


def test_the_starter_plan_is_copied_with_one_click(logged_in_page, live_server, serious_violations):
    page = logged_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    project = make_project(page.user, "Planless")
    Project.objects.filter(pk=project.pk).update(
        status=ProjectStatus.NO_PLAN, plan_searched=SEARCHED
    )
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_role("heading", name="No plan found")).to_be_visible()
    expect(page.get_by_role("link", name="Set the plan path")).to_be_visible()

    page.get_by_role("button", name="Copy the starter plan").click()

    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == starter_plan_text()
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
