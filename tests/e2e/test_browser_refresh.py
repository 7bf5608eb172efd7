"""Refreshing in a real browser: the first refresh on creation, the live indicator, the limit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refresh_indicator_moves_to_done_and_the_limit_is_explained(
    logged_in_page, live_server, plan_repo, pipeline_settings, drain, artifacts
):
    page = logged_in_page
    page.goto(f"{live_server.url}/projects/add/")
    page.fill("#id_name", "Watched")
    page.fill("#id_repo_url", plan_repo)
    page.get_by_role("button", name="Add project").click()
    page.wait_for_url(re.compile(r"/projects/[0-9a-f-]+/$"))
    status = page.locator(".project-header .refresh-state")
    assert "Queued" in status.inner_text()
    assert page.get_by_role("button", name="Refresh Watched").is_disabled()

    drain()  # the worker runs the first refresh; the page is polling meanwhile
    page.get_by_text("Now 60 % done").wait_for(timeout=15_000)
    # The rest of the page follows in place, without a click or a navigation.
    page.locator("#phase-2 .phase-title").wait_for(timeout=15_000)
    expect(page.locator(".project-summary .big-pct")).to_have_text("60 %")
    expect(page.locator(".project-summary")).to_contain_text("3 of 5 tasks done")
    expect(page.get_by_text("Handle nested tasks")).to_be_visible()
    expect(page.get_by_role("heading", name="Framework")).to_be_visible()

    page.get_by_role("button", name="Refresh Watched").click()  # counts: 1 of 1 allowed
    # Queued until the worker runs: a state that lasts, unlike the one-off notice.
    page.locator(".project-header .refresh-state .badge", has_text="Queued").wait_for()
    drain()
    page.get_by_text("Unchanged since the last refresh").wait_for(timeout=15_000)
    page.get_by_role("button", name="Refresh Watched").click()
    message = page.locator(".project-header .refresh-state .error-text")
    message.wait_for()
    assert re.search(
        r"Too many refresh requests: at most 1 every 5 minutes\. Try again in \d",
        message.inner_text(),
    )
    page.screenshot(path=artifacts / "refresh-rate-limited.png", full_page=True)
