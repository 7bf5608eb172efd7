"""Attack: read the layout cookie on a plain-HTTP request to an HTTPS site.

Under ``SECURE_HTTPS`` every cookie the site sets is ``Secure``, the layout cookie too.
"""

import pytest

pytestmark = pytest.mark.django_db


def test_the_layout_cookie_is_secure_under_secure_https(owner_client, settings):
    settings.SESSION_COOKIE_SECURE = True  # what SECURE_HTTPS sets
    response = owner_client.get("/", {"layout": "rows"}, secure=True)
    assert response.cookies["rt_layout"]["secure"] is True


def test_the_layout_cookie_is_plain_without_https(owner_client):
    response = owner_client.get("/", {"layout": "rows"})
    assert response.cookies["rt_layout"].value == "rows"
    assert not response.cookies["rt_layout"]["secure"]
