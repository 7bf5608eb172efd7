"""Every page runs under the Content-Security-Policy with no violation, in a real browser.

The policy allows our own origin only and no inline script. A page whose script or style
the policy blocked would log a violation to the console; Swagger UI rendering its title
proves its split-out script ran; htmx loading a large phase proves htmx runs under it.
"""

from __future__ import annotations

import pytest

from tests.ui_data import add_history, add_plan, add_skills, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_page(page, live_server, django_user_model):
    user = django_user_model.objects.create_superuser("root", "", "pw-Secret-123")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-Secret-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.user = user
    return page


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return found


def test_the_app_pages_run_under_the_policy(admin_page, live_server):
    page = admin_page
    violations = _violations(page)
    project = make_project(page.user, "Policy check")
    add_plan(project, phases=3, tasks_per_phase=120)
    add_skills(project)
    add_history(project, user=page.user)
    for path in ("/", "/?layout=rows", f"/projects/{project.pk}/", "/jobs/", "/accounts/tokens/"):
        response = page.goto(f"{live_server.url}{path}")
        assert "default-src 'self'" in response.headers["content-security-policy"], path
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator("#phase-2 > summary").click()
    page.get_by_text("Task 2.100", exact=True).wait_for()
    assert violations == []


def test_the_admin_and_the_queue_dashboard_run_under_the_policy(admin_page, live_server):
    page = admin_page
    violations = _violations(page)
    make_project(page.user, "Queued")
    paths = ["/admin/", "/admin/projects/project/", "/admin/jobs/jobrecord/", "/admin/rq/"]
    paths += ["/admin/jobs/jobrecord/console/"]
    paths += ["/admin/rq/queues/0/", "/admin/rq/workers/0/", "/admin/rq/queues/0/finished/"]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "content-security-policy" in response.headers, path
    assert violations == []


def test_swagger_ui_renders_under_the_policy(admin_page, live_server):
    page = admin_page
    violations = _violations(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "RepoTrackr API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations == []
