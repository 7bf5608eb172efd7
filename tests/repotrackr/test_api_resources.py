"""The API's front door: a browsable root, Swagger groups by resource, titles in words."""

import pytest

from repotrackr.api_groups import API_GROUPS
from repotrackr.api_resources import GROUP_OF_PATH, group_of

pytestmark = pytest.mark.django_db


def test_the_root_lists_every_resource_with_a_working_link(owner_api):
    response = owner_api.get("/api/v1/")
    assert response.status_code == 200
    links = response.json()
    assert set(links) == {
        "projects", "jobs", "skill_categories", "popular_skills", "tokens", "schema", "docs"
    }  # fmt: skip
    for key in ("projects", "jobs", "skill_categories", "popular_skills", "tokens", "schema"):
        assert owner_api.get(links[key]).status_code == 200, key


def test_the_root_refuses_a_logged_out_caller(api_client):
    assert api_client.get("/api/v1/").status_code == 401


def test_the_browsable_root_is_titled_in_words(owner_client):
    html = owner_client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "RepoTrackr API" in html
    assert "Api Root Api" not in html


@pytest.mark.parametrize(
    ("path", "title", "class_name"),
    [
        ("/api/v1/projects", "Projects", "Project List Create Api"),
        ("/api/v1/jobs", "Jobs", "Job List Api"),
        ("/api/v1/skills/categories", "Skill categories", "Skill Categories Api"),
        ("/api/v1/tokens", "API tokens", "Token List Create Api"),
    ],
)
def test_browsable_pages_are_titled_in_words(owner_client, path, title, class_name):
    html = owner_client.get(path, HTTP_ACCEPT="text/html").content.decode()
    assert f"<h1>{title}</h1>" in html
    assert class_name not in html


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/api/v1/", "Overview"),
        ("/api/v1/projects", "Projects"),
        ("/api/v1/projects/{project_id}/tasks", "Projects"),
        ("/api/v1/projects/{project_id}/refresh", "Refreshes"),
        ("/api/v1/projects/{project_id}/refresh-history", "Refreshes"),
        ("/api/v1/projects/{project_id}/skills", "Skills"),
        ("/api/v1/jobs/{job_id}/retry", "Jobs"),
        ("/api/v1/jobs/queues/{name}/pause", "Queues"),
        ("/api/v1/tokens/{token_id}", "API tokens"),
    ],
)
def test_paths_are_grouped_by_resource(path, group):
    assert group_of(path) == group


def test_every_group_a_path_can_get_is_described():
    assert {group for _, group in GROUP_OF_PATH} <= {name for name, _ in API_GROUPS}


def test_every_operation_in_the_schema_has_a_described_group(owner_api):
    schema = owner_api.get("/api/schema/?format=json").json()
    described = [tag["name"] for tag in schema["tags"]]
    assert described == [name for name, _ in API_GROUPS]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["tags"][0] in described, (method, path)


def test_the_docs_link_back_to_the_app(owner_api):
    schema = owner_api.get("/api/schema/?format=json").json()
    assert "[Back to RepoTrackr](/)" in schema["info"]["description"]
