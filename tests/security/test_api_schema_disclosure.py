"""Attack: read the whole API surface without an account.

The OpenAPI schema and Swagger UI need a signed-in user or a token, unless
``API_DOCS_PUBLIC`` opens them.
"""

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_refuses_an_anonymous_caller(client):
    assert client.get("/api/schema/").status_code == 401


def test_the_docs_page_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"


def test_a_signed_in_user_reads_the_schema_and_the_docs(owner_client):
    assert owner_client.get("/api/schema/").status_code == 200
    assert owner_client.get("/api/docs/").status_code == 200


def test_a_token_reads_the_schema(owner_api):
    assert owner_api.get("/api/schema/").status_code == 200


def test_the_setting_makes_both_public(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_the_docs_page_loads_its_script_from_a_separate_request(owner_client):
    html = owner_client.get("/api/docs/").content.decode()
    assert "<script src=" in html
    assert owner_client.get("/api/docs/?script=").status_code == 200
