"""Refreshes of a real repository send events to a real local receiver."""

from __future__ import annotations

import pytest

from notifications.core.payload import signature_matches
from notifications.models import Delivery, DeliveryStatus

DONE_PLAN = """# Plan

## Phase 1: Foundation

- [x] Set up the repository
- [x] Write the parser
  - [x] Handle nested tasks

## Phase 2: Launch

- [x] Deploy
- [x] Write the docs
"""


@pytest.mark.django_db(transaction=True)
def test_completing_the_plan_sends_one_signed_event_to_each_channel(
    project, refresh, make_channel, receiver
):
    hook, secret = make_channel("webhook", receiver.url("/hook"))
    make_channel("slack", receiver.url("/slack"))
    refresh(project)  # unknown -> yellow: the first result is silent
    assert receiver.requests == []

    project.repo.write("docs/plan.md", DONE_PLAN).commit("finish")
    refresh(project)

    hook_requests = [r for r in receiver.requests if r["path"] == "/hook"]
    assert len(hook_requests) == 1
    request = hook_requests[0]
    assert signature_matches(request["body"], secret, request["headers"]["X-RepoTrackr-Signature"])
    body = receiver.json_bodies("/hook")[0]
    assert body["event"] == "project.completed"
    assert body["project"]["status"] == "complete"
    assert body["project"]["progress_percentage"] == 100.0
    assert body["project"]["url"] == f"http://testserver/projects/{project.pk}/"
    assert body["previous"] == {"status": "yellow", "progress_percentage": 40.0}
    delivery = Delivery.objects.get(channel=hook)
    assert request["headers"]["X-RepoTrackr-Delivery"] == str(delivery.pk)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.response_code == 200
    assert delivery.latency_ms is not None
    slack = receiver.json_bodies("/slack")
    assert len(slack) == 1 and "demo" in slack[0]["text"]


@pytest.mark.django_db(transaction=True)
def test_a_reread_of_the_same_commit_notifies_nobody(project, refresh, make_channel, receiver):
    make_channel("webhook", receiver.url())
    refresh(project)
    project.repo.write("docs/plan.md", DONE_PLAN).commit("finish")
    from projects.models import Project

    # As after an engine upgrade: the stored figures are older than the commit's.
    refresh(project)
    receiver.requests.clear()
    Project.objects.filter(pk=project.pk).update(status="yellow", percentage=50.0)
    refresh(project)
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_an_opted_out_project_sends_nothing(project, refresh, make_channel, receiver):
    from notifications.services import project_mute_set

    make_channel("webhook", receiver.url())
    refresh(project)
    project_mute_set(project=project, muted=True)
    project.repo.write("docs/plan.md", DONE_PLAN).commit("finish")
    refresh(project)
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_a_channel_gets_only_the_events_it_chose(project, refresh, make_channel, receiver):
    make_channel("webhook", receiver.url(), events=["project.stale"])
    refresh(project)
    project.repo.write("docs/plan.md", DONE_PLAN).commit("finish")
    refresh(project)
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_failing_refreshes_report_once_per_spell_and_then_recovery(
    project, refresh, make_channel, receiver, settings
):
    settings.NOTIFY_FAILING_AFTER = 2
    settings.JOB_RETRY_INTERVALS = []
    make_channel("webhook", receiver.url())
    refresh(project)
    good_url = project.repo_url
    from projects.models import Project

    Project.objects.filter(pk=project.pk).update(repo_url=good_url + "-missing")
    for _ in range(3):
        refresh(project)
    Project.objects.filter(pk=project.pk).update(repo_url=good_url)
    refresh(project)
    events = [b["event"] for b in receiver.json_bodies()]
    assert events == ["project.refresh_failing", "project.recovered"]
    failing = receiver.json_bodies()[0]
    assert failing["error"]


@pytest.mark.django_db(transaction=True)
def test_the_payload_carries_the_forecast_when_there_is_one(project, make_channel, receiver, drain):
    from datetime import date

    from django.utils import timezone

    from notifications.core.payload import ProjectFigures
    from notifications.services import events_fan_out
    from projects.models import Project

    make_channel("webhook", receiver.url())
    Project.objects.filter(pk=project.pk).update(
        velocity_per_week=2.5, forecast_date=date(2027, 1, 18), forecast_earliest=date(2027, 1, 4)
    )
    project.refresh_from_db()
    events_fan_out(
        project=project,
        events=("project.status_changed",),
        episode="e1",
        previous=ProjectFigures("yellow", 50.0),
        current=ProjectFigures("green", 75.0),
        now=timezone.now(),
    )
    # The same episode again adds nothing.
    assert (
        events_fan_out(
            project=project,
            events=("project.status_changed",),
            episode="e1",
            previous=ProjectFigures("yellow", 50.0),
            current=ProjectFigures("green", 75.0),
            now=timezone.now(),
        )
        == []
    )
    drain()
    (body,) = receiver.json_bodies()
    assert body["forecast"] == {
        "velocity_per_week": 2.5,
        "projected_completion": "2027-01-18",
        "earliest": "2027-01-04",
        "latest": None,
    }
