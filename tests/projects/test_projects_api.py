import pytest

from projects.models import Project
from projects.services import project_access_token, project_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo_path(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    return str(path)


@pytest.fixture
def project(owner, repo_path):
    return project_create(owner=owner, name="Alpha", repo_url=repo_path)


def _error(response):
    return response.json()["error"]


def test_create_project_answers_201_with_the_project(owner_api, owner, repo_path):
    response = owner_api.post(
        "/api/v1/projects",
        {"name": "  Beta  ", "repo_url": repo_path, "branch": "main", "plan_path": "docs/plan.md"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Beta"
    assert body["status"] == "unknown"
    assert body["has_access_token"] is False
    assert Project.objects.get(pk=body["id"]).owner == owner


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("repo_url", "not a url"),
        ("repo_url", "ftp://example.com/repo.git"),
        ("repo_url", "ext::sh -c touch% /tmp/pwned"),
        ("repo_url", "--upload-pack=touch /tmp/pwned"),
        ("plan_path", "/etc/passwd"),
        ("plan_path", "../outside.md"),
        ("plan_path", "docs/../../x.md"),
        ("branch", "feature..x"),
        ("branch", "-delete"),
        ("branch", "bad branch"),
        ("branch", "tab\there"),
        ("refresh_interval_hours", 0),
    ],
)
def test_invalid_fields_are_a_400_naming_the_field_and_nothing_is_saved(
    owner_api, repo_path, field, value
):
    data = {"name": "Gamma", "repo_url": repo_path, field: value}
    response = owner_api.post("/api/v1/projects", data, format="json")
    assert response.status_code == 400
    assert field in _error(response)["details"]
    assert not Project.objects.exists()


def test_a_duplicate_name_for_the_same_owner_is_a_400(owner_api, project, repo_path):
    response = owner_api.post(
        "/api/v1/projects", {"name": "Alpha", "repo_url": repo_path}, format="json"
    )
    assert response.status_code == 400
    assert "name" in _error(response)["details"]
    assert Project.objects.count() == 1


def test_list_shows_only_the_users_projects_with_limit_offset(
    owner_api, other_user, owner, repo_path
):
    for name in ("A", "B", "C"):
        project_create(owner=owner, name=name, repo_url=repo_path)
    project_create(owner=other_user, name="Hidden", repo_url=repo_path)
    body = owner_api.get("/api/v1/projects?limit=2&offset=1").json()
    assert body["count"] == 3
    assert [p["name"] for p in body["results"]] == ["B", "C"]


def test_staff_see_every_project(staff_api, owner, other_user, repo_path):
    project_create(owner=owner, name="A", repo_url=repo_path)
    project_create(owner=other_user, name="B", repo_url=repo_path)
    assert staff_api.get("/api/v1/projects").json()["count"] == 2


def test_get_patch_delete_own_project(owner_api, project):
    url = f"/api/v1/projects/{project.id}"
    assert owner_api.get(url).json()["name"] == "Alpha"
    response = owner_api.patch(url, {"branch": "develop", "archived": True}, format="json")
    assert response.status_code == 200
    assert response.json()["branch"] == "develop"
    assert response.json()["status"] == "archived"
    assert owner_api.delete(url).status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()


def test_patch_with_an_invalid_field_changes_nothing(owner_api, project):
    response = owner_api.patch(
        f"/api/v1/projects/{project.id}", {"plan_path": "../x", "name": "New"}, format="json"
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.name == "Alpha"
    assert project.plan_path == ""


def test_access_token_is_write_only_and_encrypted_at_rest(owner_api, project):
    url = f"/api/v1/projects/{project.id}"
    response = owner_api.patch(url, {"access_token": "ghp_secretvalue123"}, format="json")
    assert response.status_code == 200
    assert "ghp_secretvalue123" not in response.content.decode()
    assert response.json()["has_access_token"] is True
    project.refresh_from_db()
    assert "ghp_secretvalue123" not in project.access_token_encrypted
    assert project_access_token(project=project) == "ghp_secretvalue123"
    owner_api.patch(url, {"access_token": ""}, format="json")
    project.refresh_from_db()
    assert project.has_access_token is False


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_project_is_404(other_api, project, method):
    response = getattr(other_api, method)(f"/api/v1/projects/{project.id}", {}, format="json")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    assert Project.objects.filter(pk=project.pk, name="Alpha").exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/projects"),
        ("post", "/api/v1/projects"),
        ("get", "/api/v1/projects/00000000-0000-0000-0000-000000000000"),
        ("patch", "/api/v1/projects/00000000-0000-0000-0000-000000000000"),
        ("delete", "/api/v1/projects/00000000-0000-0000-0000-000000000000"),
        ("get", "/api/v1/projects/00000000-0000-0000-0000-000000000000/tasks"),
        ("get", "/api/v1/projects/00000000-0000-0000-0000-000000000000/progress"),
    ],
)
def test_logged_out_requests_are_refused_with_the_json_error_shape(api_client, method, path):
    response = getattr(api_client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert set(_error(response)) == {"code", "message", "details"}


def test_unknown_project_is_404(owner_api):
    response = owner_api.get("/api/v1/projects/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404


def test_unknown_api_path_is_a_json_404(owner_api):
    response = owner_api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_tasks_filter_rejects_an_unknown_status(owner_api, project):
    response = owner_api.get(f"/api/v1/projects/{project.id}/tasks?status=nonsense")
    assert response.status_code == 400
    assert "status" in _error(response)["details"]


def test_schema_and_docs_are_served(owner_api, client, owner):
    schema = owner_api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/projects/{project_id}" in schema.content
    client.force_login(owner)
    assert client.get("/api/docs/").status_code == 200


def test_changing_the_repository_url_drops_the_stored_token(owner_api, project, tmp_path):
    url = f"/api/v1/projects/{project.id}"
    owner_api.patch(url, {"access_token": "ghp_secretvalue123"}, format="json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    response = owner_api.patch(url, {"repo_url": str(elsewhere)}, format="json")
    assert response.status_code == 200
    assert response.json()["has_access_token"] is False


def test_a_new_url_with_a_new_token_keeps_the_new_token(owner_api, project, tmp_path):
    url = f"/api/v1/projects/{project.id}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    response = owner_api.patch(
        url, {"repo_url": str(elsewhere), "access_token": "glpat-new"}, format="json"
    )
    project.refresh_from_db()
    assert response.json()["has_access_token"] is True
    assert project_access_token(project=project) == "glpat-new"


def test_a_rotated_token_key_still_decrypts_with_the_old_key_listed(owner_api, project, settings):
    owner_api.patch(
        f"/api/v1/projects/{project.id}", {"access_token": "ghp_rotate_me"}, format="json"
    )
    project.refresh_from_db()
    old_key = settings.REPOTRACKR_TOKEN_KEY
    settings.REPOTRACKR_TOKEN_KEY = "a-brand-new-key-after-rotation-0123456789"
    settings.REPOTRACKR_TOKEN_OLD_KEYS = [old_key]
    assert project_access_token(project=project) == "ghp_rotate_me"


def test_a_token_that_no_key_decrypts_fails_the_job_with_a_clear_message(project, settings):
    from jobs.errors import classify_error
    from projects.core.secret_box import TokenDecryptError
    from projects.services import project_update

    project_update(project=project, data={"access_token": "ghp_lost"})
    settings.REPOTRACKR_TOKEN_KEY = "a-brand-new-key-after-rotation-0123456789"
    with pytest.raises(TokenDecryptError) as caught:
        project_access_token(project=project)
    error = classify_error(caught.value)
    assert "enter it again" in error.message
    assert error.retryable is False


def test_creating_a_project_starts_its_first_refresh(owner_api, repo_path):
    from jobs.models import JobRecord

    response = owner_api.post(
        "/api/v1/projects", {"name": "Fresh", "repo_url": repo_path}, format="json"
    )
    assert response.status_code == 201
    refresh = response.json()["refresh"]
    assert refresh["started"] is True
    job = JobRecord.objects.get(pk=refresh["job_id"])
    assert str(job.project_id) == response.json()["id"]


def test_changing_the_plan_path_starts_a_refresh_and_a_rename_does_not(owner_api, project):
    from jobs.models import JobRecord

    url = f"/api/v1/projects/{project.id}"
    renamed = owner_api.patch(url, {"name": "Renamed"}, format="json").json()
    assert "refresh" not in renamed
    assert not JobRecord.objects.exists()
    moved = owner_api.patch(url, {"plan_path": "docs/other.md"}, format="json").json()
    assert moved["refresh"]["started"] is True
    assert JobRecord.objects.filter(project=project, status="queued").count() == 1
