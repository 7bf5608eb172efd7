"""A new user's first visit in a real browser, at phone and desktop widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from projects.models import Project
from tests.ui_data import add_history, add_plan, add_skills, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_new_user_signs_up_adds_a_project_filters_and_deletes(
    page, live_server, tmp_path, settings, artifacts, signup_enabled
):
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "newcomer")
    page.fill("#id_password1", "a-Long-pass-4321")
    page.fill("#id_password2", "a-Long-pass-4321")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Welcome: add your first project")).to_be_visible()

    page.get_by_role("link", name="Add your first project").click()
    page.fill("#id_repo_url", str(tmp_path))
    page.fill("#id_name", "Side project")
    page.get_by_role("button", name="Add project").click()
    page.wait_for_url(re.compile(r"/projects/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", name="Side project")).to_be_visible()

    # The refresh pipeline would fill these in; here the models do.
    project = Project.objects.get(name="Side project")
    add_plan(project, phases=3, tasks_per_phase=4)
    add_skills(project)
    add_history(project, user=project.owner)
    page.reload()
    expect(page.locator("#phase-2 .phase-title")).to_have_text("Phase 2: step 2")
    expect(page.get_by_text("Task 3.4")).to_be_visible()
    expect(page.get_by_role("heading", name="Database")).to_be_visible()
    page.screenshot(path=artifacts / "project-desktop.png", full_page=True)

    page.goto(f"{live_server.url}/")
    page.select_option("select[name=status]", "green")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No project matches these filters")).to_be_visible()
    page.select_option("select[name=status]", project.status)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="Side project")).to_be_visible()
    page.screenshot(path=artifacts / "dashboard-desktop.png", full_page=True)

    page.get_by_role("link", name="Side project").click()
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete project").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Welcome: add your first project")).to_be_visible()
    assert not Project.objects.filter(name="Side project").exists()


def test_pages_are_readable_on_a_phone(logged_in_page, live_server, artifacts):
    page = logged_in_page
    project = make_project(page.user, "Phone check")
    add_plan(project, phases=2, tasks_per_phase=3)
    add_skills(project)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    page.screenshot(path=artifacts / "dashboard-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.screenshot(path=artifacts / "project-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_large_plan_loads_a_phase_when_it_is_opened(logged_in_page, live_server):
    page = logged_in_page
    project = make_project(page.user, "Big plan")
    add_plan(project, phases=4, tasks_per_phase=100)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    assert page.get_by_text("Task 2.50", exact=True).count() == 0
    page.locator("#phase-2 > summary").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Task 2.50", exact=True).wait_for()
    assert page.locator("#phase-2 .task").count() == 100


def test_theme_choice_is_remembered(logged_in_page, live_server):
    page = logged_in_page
    page.get_by_role("button", name=re.compile("Change theme")).click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"


def test_the_first_tab_reaches_the_skip_link(logged_in_page):
    page = logged_in_page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_main_pages_have_no_serious_accessibility_violations(
    logged_in_page, live_server, serious_violations, theme
):
    page = logged_in_page
    page.emulate_media(color_scheme=theme)
    project = make_project(page.user, "Accessible")
    add_plan(project, phases=2, tasks_per_phase=3)
    add_skills(project)
    add_history(project, user=page.user)
    found = {}
    for path in (
        "/",
        f"/projects/{project.pk}/",
        "/projects/add/",
        f"/projects/{project.pk}/delete/",
    ):
        page.goto(f"{live_server.url}{path}")
        found[path] = serious_violations(page)
    page.goto(f"{live_server.url}/?layout=rows")
    found["rows"] = serious_violations(page)
    assert found == {path: [] for path in found}


def test_queue_console_has_no_serious_accessibility_violations(
    logged_in_page, live_server, serious_violations
):
    page = logged_in_page
    page.user.is_staff = True
    page.user.is_superuser = True
    page.user.save(update_fields=["is_staff", "is_superuser"])
    page.goto(f"{live_server.url}/admin/jobs/jobrecord/console/")
    expect(page.get_by_text("Last hour:")).to_be_visible()
    assert serious_violations(page) == []


def test_login_and_signup_pages_have_no_serious_accessibility_violations(
    page, live_server, serious_violations, signup_enabled
):
    found = {}
    for path in ("/accounts/login/", "/accounts/signup/", "/no/such/page/"):
        page.goto(f"{live_server.url}{path}")
        found[path] = serious_violations(page)
    assert found == {path: [] for path in found}
