"""The published OpenAPI schema matches what the API answers, and the docs page is self-hosted."""

from __future__ import annotations

import re

import pytest

from repotrackr.api_schema import errors, paginated, results_list
from skills.api import SkillSerializer

pytestmark = pytest.mark.django_db

PAGINATED = [
    "/api/v1/projects",
    "/api/v1/projects/{project_id}/tasks",
    "/api/v1/projects/{project_id}/progress",
    "/api/v1/projects/{project_id}/refresh-history",
    "/api/v1/jobs",
]
RESULTS_ONLY = [
    "/api/v1/skills/categories",
    "/api/v1/skills/popular",
    "/api/v1/tokens",
]
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client, override_settings

    with django_db_blocker.unblock(), override_settings(API_DOCS_PUBLIC=True):
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _resolve(schema: dict, node: dict) -> dict:
    # A described reference comes wrapped: {"allOf": [{"$ref": ...}], "description": ...}.
    while "$ref" in node or len(node.get("allOf", [])) == 1:
        if "allOf" in node:
            node = node["allOf"][0]
            continue
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _ok_body(schema: dict, path: str) -> dict:
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    return _resolve(schema, content["application/json"]["schema"])


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation


@pytest.mark.parametrize("path", PAGINATED)
def test_list_endpoints_are_documented_as_limit_offset_pages(schema, path):
    body = _ok_body(schema, path)
    assert body["type"] == "object"
    assert set(body["properties"]) == {"count", "next", "previous", "results"}
    assert body["properties"]["results"]["type"] == "array"
    assert body["properties"]["next"].get("nullable") is True
    names = {
        p["name"] for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"
    }
    assert {"limit", "offset"} <= names


@pytest.mark.parametrize("path", RESULTS_ONLY)
def test_unpaginated_lists_are_documented_as_a_results_object(schema, path):
    body = _ok_body(schema, path)
    assert body["type"] == "object"
    assert set(body["properties"]) == {"results"}
    assert body["properties"]["results"]["type"] == "array"
    names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    assert "offset" not in names


def test_paginated_tasks_schema_names_what_the_api_returns(schema, owner_api, owner, tmp_path):
    from projects.services import project_create

    project = project_create(owner=owner, name="Alpha", repo_url=str(tmp_path))
    answer = owner_api.get(f"/api/v1/projects/{project.id}/tasks?limit=1").json()
    body = _ok_body(schema, "/api/v1/projects/{project_id}/tasks")
    assert set(answer) == set(body["properties"])


def test_tokens_schema_names_what_the_api_returns(schema, owner_api):
    owner_api.post("/api/v1/tokens", {"name": "ci"}, format="json")
    answer = owner_api.get("/api/v1/tokens").json()
    body = _ok_body(schema, "/api/v1/tokens")
    assert set(answer) == set(body["properties"])
    item = _resolve(schema, body["properties"]["results"]["items"])
    assert set(answer["results"][0]) == set(item["properties"])


def test_every_operation_has_a_user_facing_summary_and_description(schema):
    for name, operation in _operations(schema):
        assert operation.get("summary"), name
        description = operation.get("description", "")
        assert description, name
        assert "``" not in description, name
        assert "self." not in description, name


def test_error_responses_use_the_one_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    detail = _resolve(schema, error["properties"]["error"])
    assert set(detail["properties"]) == {"code", "message", "details"}
    refresh = schema["paths"]["/api/v1/projects/{project_id}/refresh"]["post"]["responses"]
    for code in ("401", "403", "404", "429", "503"):
        ref = refresh[code]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/Error"), code


def test_a_documented_404_matches_the_real_error_body(schema, owner_api):
    answer = owner_api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/status")
    assert answer.status_code == 404
    error = schema["components"]["schemas"]["Error"]
    detail = _resolve(schema, error["properties"]["error"])
    assert set(answer.json()) == set(error["properties"])
    assert set(answer.json()["error"]) == set(detail["properties"])


def test_envelopes_are_one_class_per_item_serializer():
    assert paginated(SkillSerializer) is paginated(SkillSerializer)
    assert results_list(SkillSerializer) is results_list(SkillSerializer)
    assert paginated(SkillSerializer).__name__ == "PaginatedSkillListSerializer"
    assert results_list(SkillSerializer).__name__ == "SkillResultsSerializer"


def test_error_responses_always_include_authentication_failures():
    assert sorted(errors(404)) == [401, 403, 404]
    with pytest.raises(KeyError):
        errors(418)


def test_docs_page_references_only_local_static_files(owner_client):
    response = owner_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    # Static files, and the page's own script (split out for the Content-Security-Policy).
    assert all(url.startswith(("/static/", "/api/docs/?script")) for url in urls), urls
    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html


def test_docs_page_assets_are_served(owner_client):
    html = owner_client.get("/api/docs/").content.decode()
    bundle = re.search(r'src="(/static/[^"]+swagger-ui-bundle\.js)"', html)
    assert bundle is not None
    response = owner_client.get(bundle.group(1))
    assert response.status_code == 200


def test_created_project_schema_names_what_the_api_returns(schema, owner_api, tmp_path):
    answer = owner_api.post(
        "/api/v1/projects", {"name": "Beta", "repo_url": str(tmp_path)}, format="json"
    ).json()
    content = schema["paths"]["/api/v1/projects"]["post"]["responses"]["201"]["content"]
    body = _resolve(schema, content["application/json"]["schema"])
    assert set(answer) == set(body["properties"])
    refresh = _resolve(schema, body["properties"]["refresh"])
    assert set(answer["refresh"]) == set(refresh["properties"])
