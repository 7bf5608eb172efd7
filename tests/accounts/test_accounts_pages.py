import pytest
from django.contrib.auth import get_user_model

from accounts.models import ApiToken, hash_token_key

pytestmark = pytest.mark.django_db


def test_login_page_renders_and_logs_a_user_in(client, owner):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "owner", "password": "pw-Secret-123"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_with_a_wrong_password_says_so_and_stays(client, owner):
    response = client.post("/accounts/login/", {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_logout_requires_post_and_ends_the_session(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert owner_client.get("/").status_code == 302


def test_dashboard_sends_a_logged_out_visitor_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signup_creates_the_account_and_logs_it_in(client, signup_enabled):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "password1": "long-Unusual-pass-42",
            "password2": "long-Unusual-pass-42",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newbie").exists()
    assert client.get("/").status_code == 200


def test_signup_with_mismatched_passwords_shows_the_error_and_creates_nothing(
    client, signup_enabled
):
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "password1": "long-Unusual-pass-42", "password2": "other-pass-43"},
    )
    assert response.status_code == 200
    assert b"didn" in response.content  # "The two password fields didn't match."
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_signup_is_404_by_default(client):
    assert client.get("/accounts/signup/").status_code == 404
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "password1": "long-Unusual-pass-42",
            "password2": "long-Unusual-pass-42",
        },
    )
    assert response.status_code == 404
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_token_page_shows_a_new_key_once_and_stores_only_its_hash(owner_client, owner):
    response = owner_client.post("/accounts/tokens/", {"name": "CI script"})
    key = response.context["new_key"]
    assert key.startswith("rt_")
    assert key.encode() in response.content
    token = ApiToken.objects.get(user=owner)
    assert token.key_hash == hash_token_key(key)
    assert key.encode() not in owner_client.get("/accounts/tokens/").content


def test_token_page_rejects_a_blank_name(owner_client, owner):
    response = owner_client.post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.filter(user=owner).exists()


def test_revoking_a_token_deletes_it(owner_client, owner):
    owner_client.post("/accounts/tokens/", {"name": "temp"})
    token = ApiToken.objects.get(user=owner)
    response = owner_client.post(f"/accounts/tokens/{token.id}/revoke/")
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_another_users_token_cannot_be_revoked(client, owner, other_user):
    from accounts.services import api_token_create

    token, _ = api_token_create(user=owner, name="mine")
    client.force_login(other_user)
    assert client.post(f"/accounts/tokens/{token.id}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_token_page_requires_login(client):
    assert client.get("/accounts/tokens/").status_code == 302
