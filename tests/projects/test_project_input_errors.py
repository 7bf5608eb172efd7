"""Input a service refuses is a 400 naming the field, never a 500."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from projects.models import Project
from projects.services import NAME_TAKEN, project_create, project_update
from repotrackr.api_errors import exception_handler

URL = "https://github.com/acme/widgets.git"


def _details(response) -> dict:
    return response.json()["error"]["details"]


@pytest.mark.django_db
def test_patching_the_refresh_interval_to_null_is_a_400_on_that_field(owner, owner_api):
    project = project_create(owner=owner, name="Alpha", repo_url=URL, refresh_interval_hours=12)
    response = owner_api.patch(
        f"/api/v1/projects/{project.pk}", {"refresh_interval_hours": None}, format="json"
    )
    assert response.status_code == 400
    assert list(_details(response)) == ["refresh_interval_hours"]
    assert Project.objects.get(pk=project.pk).refresh_interval_hours == 12


@pytest.mark.django_db
def test_creating_with_a_null_refresh_interval_still_uses_the_site_default(owner_api, settings):
    response = owner_api.post(
        "/api/v1/projects",
        {"name": "Alpha", "repo_url": URL, "refresh_interval_hours": None},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["refresh_interval_hours"] == settings.REPOTRACKR_REFRESH_INTERVAL_HOURS


def test_a_django_validation_error_from_a_service_is_a_400_with_its_field_messages():
    error = ValidationError({"branch": ["Not a branch name."], "__all__": ["Inconsistent."]})
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data["error"]["code"] == "invalid"
    assert response.data["error"]["details"] == {
        "branch": ["Not a branch name."],
        "non_field_errors": ["Inconsistent."],
    }


def test_a_django_validation_error_without_fields_is_a_400_too():
    response = exception_handler(ValidationError("Nope."), {})
    assert response.status_code == 400
    assert response.data["error"]["details"] == {"non_field_errors": ["Nope."]}


@pytest.mark.django_db
def test_the_service_reports_a_taken_name_on_the_name_field(owner):
    project_create(owner=owner, name="Alpha", repo_url=URL)
    with pytest.raises(ValidationError) as caught:
        project_create(owner=owner, name="Alpha", repo_url=URL)
    assert caught.value.message_dict == {"name": [NAME_TAKEN]}


@pytest.mark.django_db
def test_renaming_onto_a_taken_name_is_refused_on_the_name_field(owner):
    project_create(owner=owner, name="Alpha", repo_url=URL)
    beta = project_create(owner=owner, name="Beta", repo_url=URL)
    with pytest.raises(ValidationError) as caught:
        project_update(project=beta, data={"name": "Alpha"})
    assert caught.value.message_dict == {"name": [NAME_TAKEN]}
    assert Project.objects.get(pk=beta.pk).name == "Beta"


@pytest.mark.django_db(transaction=True)
def test_a_name_taken_by_a_concurrent_request_is_a_400_on_name(owner, owner_api):
    """Another request holds the same name uncommitted while this one checks and inserts."""
    held = threading.Event()

    def hold_the_name() -> None:
        try:
            with transaction.atomic():
                project_create(owner=owner, name="Twin", repo_url=URL)
                held.set()
                # Long enough for the request below to pass every check and
                # block on the insert; it then fails on the unique constraint.
                time.sleep(0.5)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_name)
    holder.start()
    try:
        assert held.wait(10)
        response = owner_api.post(
            "/api/v1/projects", {"name": "Twin", "repo_url": URL}, format="json"
        )
    finally:
        holder.join()
    assert response.status_code == 400, response.json()
    assert _details(response) == {"name": [NAME_TAKEN]}
    assert Project.objects.filter(owner=owner, name="Twin").count() == 1
