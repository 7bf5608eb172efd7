import pytest

from accounts.models import ApiToken
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_create_token_returns_the_key_once(owner_api, owner):
    response = owner_api.post("/api/v1/tokens", {"name": "deploy"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith("rt_")
    listed = owner_api.get("/api/v1/tokens").json()["results"]
    assert [t["name"] for t in listed] == ["deploy"]
    assert "key" not in listed[0]


def test_create_token_without_a_name_is_a_400_naming_the_field(owner_api, owner):
    response = owner_api.post("/api/v1/tokens", {}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "name" in error["details"]
    assert not ApiToken.objects.exists()


def test_a_token_authenticates_api_calls_as_its_user(api_client, owner):
    _, key = api_token_create(user=owner, name="script")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get("/api/v1/projects").status_code == 200


def test_a_revoked_token_is_refused(api_client, owner):
    token, key = api_token_create(user=owner, name="script")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.delete(f"/api/v1/tokens/{token.id}").status_code == 204
    response = api_client.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_made_up_token_is_refused(api_client, owner):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer rt_notarealtoken")
    assert api_client.get("/api/v1/projects").status_code == 401


def test_logged_out_token_calls_are_refused(api_client):
    assert api_client.get("/api/v1/tokens").status_code == 401
    assert api_client.post("/api/v1/tokens", {"name": "x"}, format="json").status_code == 401


def test_another_users_token_cannot_be_deleted(other_api, owner):
    token, _ = api_token_create(user=owner, name="mine")
    response = other_api.delete(f"/api/v1/tokens/{token.id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert ApiToken.objects.filter(pk=token.pk).exists()
