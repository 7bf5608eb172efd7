"""A new user's first hour in a real browser: pages that update themselves, fit a phone,
never split a word, a refresh button that counts down, and an add form that helps."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jobs.models import JobRecord, JobStatus
from projects.models import Project
from tests.ui_data import add_history, add_plan, add_skills, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}

# Words split across two lines inside table cells. Each whitespace-separated word of
# each text node is measured with a Range: its line boxes (client rects) must share
# one line. Paths and URLs (words with "/") may wrap at any point, like in a browser's
# address bar, so they are left out; everything else must stay whole.
BROKEN_WORDS_JS = """
() => {
  const broken = [];
  for (const cell of document.querySelectorAll("td, th")) {
    if (!cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        if (match[0].includes("/") || match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set();
        for (const rect of range.getClientRects()) {
          if (rect.width > 0) tops.add(Math.round(rect.top));
        }
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


def _overflow(page) -> int:
    """How far the page is wider than the viewport (0: it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _a_refreshed_project(page, live_server, plan_repo, drain, name="Tracked"):
    page.goto(f"{live_server.url}/projects/add/")
    page.fill("#id_repo_url", plan_repo)
    page.fill("#id_name", name)
    page.get_by_role("button", name="Add project").click()
    page.wait_for_url(re.compile(r"/projects/[0-9a-f-]+/$"))
    drain()
    page.locator("#phase-2 .phase-title").wait_for(timeout=15_000)
    return Project.objects.get(name=name)


def test_the_dashboard_and_jobs_list_update_in_place_when_a_refresh_ends(
    logged_in_page, live_server, plan_repo, pipeline_settings, drain
):
    page = logged_in_page
    project = _a_refreshed_project(page, live_server, plan_repo, drain)
    pipeline_settings.RATE_LIMITS["refresh"] = {"max_attempts": 5, "window_seconds": 300}

    page.goto(f"{live_server.url}/")
    card = page.locator(".project-card", has_text="Tracked")
    page.get_by_role("button", name="Refresh Tracked").click()
    card.locator(".refresh-state .badge", has_text="Queued").wait_for()
    # A stale figure, as if the plan had changed; the finished refresh must replace it.
    Project.objects.filter(pk=project.pk).update(percentage=12.5)
    drain()
    expect(card.locator(".pct")).to_have_text("60 %", timeout=15_000)
    expect(card).to_contain_text("just now")

    page.get_by_role("link", name="Jobs").first.click()
    page.wait_for_url(f"{live_server.url}/jobs/")
    expect(page.locator("#jobs-live")).not_to_have_attribute("hx-trigger", re.compile("."))
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("button", name="Refresh Tracked").click()
    page.locator(".project-header .refresh-state .badge", has_text="Queued").wait_for()
    page.goto(f"{live_server.url}/jobs/")
    expect(page.locator("#jobs-live .badge").first).to_have_text("Queued")
    drain()
    expect(page.locator("#jobs-live .badge").first).to_have_text("Completed", timeout=15_000)
    assert JobRecord.objects.filter(status=JobStatus.COMPLETED).count() == 3


def test_the_rate_limited_refresh_button_counts_down_then_comes_back(
    logged_in_page, live_server, plan_repo, pipeline_settings, drain
):
    page = logged_in_page
    pipeline_settings.RATE_LIMITS["refresh"] = {"max_attempts": 1, "window_seconds": 60}
    _a_refreshed_project(page, live_server, plan_repo, drain)
    button = page.get_by_role("button", name="Refresh Tracked")
    edit = page.get_by_role("link", name="Edit")
    before = edit.bounding_box()
    button.click()
    page.locator(".project-header .refresh-state .badge", has_text="Queued").wait_for()
    drain()
    page.get_by_text("Unchanged since the last refresh").wait_for(timeout=15_000)
    button.click()
    countdown = button.locator("[data-countdown]")
    countdown.wait_for()
    expect(button).to_be_disabled()
    first = int(countdown.inner_text().removesuffix(" s"))
    assert 1 <= first <= 60
    # The message has a line of its own: the other buttons stay where they were.
    assert edit.bounding_box() == before
    page.wait_for_function(
        f"() => {{ const c = document.querySelector('[data-countdown]');"
        f" return !c || parseInt(c.textContent) < {first}; }}",
        timeout=5_000,
    )
    expect(button).to_be_enabled(timeout=65_000)
    expect(button).to_have_text("Refresh")
    expect(page.locator(".project-header .refresh-state")).to_contain_text("You can refresh again")


def test_no_page_is_wider_than_a_phone_and_no_table_splits_a_word(
    logged_in_page, live_server, plan_repo, pipeline_settings, drain, artifacts
):
    page = logged_in_page
    page.user.is_staff = True
    page.user.save(update_fields=["is_staff"])
    project = _a_refreshed_project(page, live_server, plan_repo, drain)
    big = make_project(page.user, "A project with a rather long name to wrap")
    add_plan(big, phases=6, tasks_per_phase=12)
    add_skills(big)
    add_history(big, user=page.user)
    paths = [
        "/",
        "/?layout=rows",
        f"/projects/{project.pk}/",
        f"/projects/{big.pk}/",
        f"/projects/{project.pk}/edit/",
        f"/projects/{project.pk}/delete/",
        f"/projects/{project.pk}/webhook/",
        "/projects/add/",
        "/jobs/",
        "/notifications/channels/",
        "/accounts/tokens/",
    ]
    wide, broken = {}, {}
    for viewport in (PHONE, WIDE):
        page.set_viewport_size(viewport)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            key = f"{viewport['width']} {path}"
            wide[key] = _overflow(page)
            broken[key] = page.evaluate(BROKEN_WORDS_JS)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/jobs/")
    page.screenshot(path=artifacts / "jobs-phone.png", full_page=True)
    assert wide == {key: 0 for key in wide}
    assert broken == {key: [] for key in broken}


def test_the_word_check_sees_a_squeezed_cell(logged_in_page, live_server):
    """The check above must fail where words are split, or it proves nothing."""
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.evaluate(
        """() => {
          const t = document.createElement("table");
          t.style.width = "3rem";
          t.style.tableLayout = "fixed";
          t.innerHTML = "<tr><td style='width:3rem; max-width:3rem; overflow-wrap:anywhere'>Refresh parsing</td></tr>";
          document.querySelector("main").append(t);
        }"""
    )
    assert page.evaluate(BROKEN_WORDS_JS) == ["Refresh", "parsing"]


def test_the_add_form_derives_the_name_and_checks_as_you_type(
    logged_in_page, live_server, pipeline_settings, tmp_path
):
    page = logged_in_page
    page.goto(f"{live_server.url}/projects/add/")
    assert page.locator("input[name=archived]").count() == 0
    page.fill("#id_repo_url", "ftp://example.org/x")
    expect(page.locator("#id_repo_url_feedback .error")).to_be_visible()
    (tmp_path / "shop.git").mkdir()
    page.fill("#id_repo_url", str(tmp_path / "shop.git"))
    expect(page.locator("#id_name")).to_have_value("shop")
    expect(page.locator("#id_repo_url_feedback")).to_have_text("Looks good.")
    page.fill("#id_name", "My shop")
    page.fill("#id_repo_url", str(tmp_path / "other"))
    expect(page.locator("#id_name")).to_have_value("My shop")  # the user's name stays
    cancel = page.get_by_role("link", name="Cancel").bounding_box()
    save = page.get_by_role("button", name="Add project").bounding_box()
    gap = save["x"] - (cancel["x"] + cancel["width"])
    assert gap >= 16 or save["y"] > cancel["y"] + cancel["height"]


def test_the_first_run_dashboard_shows_how_to_start_and_copies_the_starter_plan(
    logged_in_page, live_server, serious_violations
):
    page = logged_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Welcome: add your first project")).to_be_visible()
    expect(page.get_by_role("link", name="Add your first project")).to_be_visible()
    page.get_by_role("button", name="Copy the starter plan").click()
    expect(page.locator(".copy-status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == page.locator("#starter-plan").inner_text().strip()
    assert "- [ ]" in copied
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    assert _overflow(page) == 0


def test_the_admin_has_the_favicon_and_its_job_list_fits_1440_in_colour(
    page, live_server, django_user_model, plan_repo, pipeline_settings, drain
):
    django_user_model.objects.create_superuser("root", "", "pw-Secret-123")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/admin/login/")
    assert page.locator("link[rel=icon]").get_attribute("href").endswith("favicon.svg")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-Secret-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/projects/add/")
    page.fill("#id_repo_url", plan_repo)
    page.get_by_role("button", name="Add project").click()
    page.wait_for_url(re.compile(r"/projects/[0-9a-f-]+/$"))
    drain()
    page.goto(f"{live_server.url}/admin/jobs/jobrecord/")
    badge = page.locator("#result_list .job-status-completed").first
    expect(badge).to_have_text("Completed")
    assert badge.evaluate("e => getComputedStyle(e).color") == "rgb(26, 127, 55)"
    assert _overflow(page) == 0
