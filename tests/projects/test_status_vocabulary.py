"""One status vocabulary: the same words, labels and colours on every surface."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from jobs.models import JobRecord, JobStatus, JobType
from projects.core.status_vocabulary import STATUS_WORDS, status_legend
from projects.models import ProjectStatus
from tests.ui_data import add_plan, make_project

BASE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "base.css"


def test_the_model_choices_are_the_core_vocabulary_in_the_same_order():
    assert ProjectStatus.choices == [(w.value, w.label) for w in STATUS_WORDS]
    assert set(ProjectStatus.values) == {
        "complete",
        "stale",
        "green",
        "yellow",
        "red",
        "no_plan",
        "unknown",
        "archived",
    }


def test_every_status_has_its_colour_in_each_theme_and_a_class_that_uses_it():
    css = BASE_CSS.read_text()
    for word in STATUS_WORDS:
        defined = re.findall(rf"--status-{word.value}:\s*#[0-9a-f]{{6}}", css)
        assert len(defined) == 3, f"{word.value}: light, dark (system) and dark (chosen)"
        rule = rf"\.status-{word.value} \{{ --status: var\(--status-{word.value}\); \}}"
        assert re.search(rule, css), word.value


def test_the_legend_fills_in_the_thresholds():
    legend = {e.value: e for e in status_legend(green_at=80, yellow_at=42.5, stale_after_days=30)}
    assert legend["green"].meaning == "At least 80 % done and nothing blocked."
    assert legend["yellow"].meaning == "At least 42.5 % done and at most one task blocked."
    assert legend["stale"].label == "Stale"
    assert "30 days" in legend["stale"].meaning


@pytest.mark.django_db
def test_the_dashboard_shows_a_legend_with_the_sites_thresholds(owner_client, owner, settings):
    settings.REPOTRACKR_GREEN_AT = 85
    make_project(owner, "Any")
    response = owner_client.get(reverse("projects:dashboard"))
    html = response.content.decode()
    assert "What the statuses mean" in html
    assert "At least 85 % done and nothing blocked." in html
    for word in STATUS_WORDS:
        assert f'status-{word.value}"><span class="status-dot"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["cards", "rows"])
def test_a_stale_project_shows_stale_and_keeps_its_percentage(owner_client, owner, layout):
    project = make_project(owner, "Dormant")
    add_plan(project, phases=2, tasks_per_phase=5)
    project.__class__.objects.filter(pk=project.pk).update(status=ProjectStatus.STALE)
    response = owner_client.get(reverse("projects:dashboard"), {"layout": layout})
    html = response.content.decode()
    assert 'class="badge status status-stale"' in html and ">Stale</span>" in html
    assert "status-red" not in html.split("What the statuses mean")[0]
    assert f'<span class="pct">{project.percentage:g} %</span>' in html


@pytest.mark.django_db
def test_the_project_page_says_what_its_status_means(owner_client, owner):
    project = make_project(owner, "Dormant")
    add_plan(project)
    project.__class__.objects.filter(pk=project.pk).update(
        status=ProjectStatus.STALE, status_settings={"stale_after_days": 30}
    )
    html = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Stale: Not complete, and no commit for more than 30 days." in html


@pytest.mark.django_db
def test_a_failed_latest_refresh_is_a_marker_beside_the_status_not_a_status(owner_client, owner):
    project = make_project(owner, "Broken")
    add_plan(project)
    JobRecord.objects.create(
        project=project,
        job_type=JobType.REFRESH,
        status=JobStatus.FAILED,
        error="the host could not be reached",
    )
    page = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    cards = owner_client.get(reverse("projects:dashboard")).content.decode()
    for html in (page, cards):
        assert f'status-{project.status}"><span class="status-dot"' in html
        assert "Latest refresh failed" in html
        assert 'title="the host could not be reached"' in html
    assert f"{project.percentage:g} %" in page


@pytest.mark.django_db
def test_the_api_carries_the_value_and_the_label(owner_api, owner):
    project = make_project(owner, "Dormant", status=ProjectStatus.STALE)
    body = owner_api.get(f"/api/v1/projects/{project.pk}").json()
    assert (body["status"], body["status_label"]) == ("stale", "Stale")
    assert "is_stale" not in body


@pytest.mark.django_db
def test_the_schema_names_every_status_in_one_enum(owner_api):
    schema = owner_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    enum = schema["components"]["schemas"]["ProjectStatusEnum"]
    assert enum["enum"] == ProjectStatus.values
    project = schema["components"]["schemas"]["ProjectOutput"]["properties"]
    assert "status_label" in project and "is_stale" not in project
