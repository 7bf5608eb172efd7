"""Attack: ask a list endpoint for a hundred million items in one page.

``?limit=100000000`` once returned 22 MB. Every paginated list cuts the limit to
``API_MAX_PAGE_SIZE``; the count still tells the whole size.
"""

import pytest

from projects.models import Project

pytestmark = pytest.mark.django_db


def test_a_huge_limit_is_cut_to_the_maximum_page_size(owner, owner_api, settings):
    settings.API_MAX_PAGE_SIZE = 3
    for n in range(5):
        Project.objects.create(owner=owner, name=f"p{n}", repo_url=f"/srv/git/p{n}")
    response = owner_api.get("/api/v1/projects", {"limit": 100_000_000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert len(body["results"]) == 3


def test_a_limit_within_the_maximum_is_kept(owner, owner_api, settings):
    settings.API_MAX_PAGE_SIZE = 3
    for n in range(5):
        Project.objects.create(owner=owner, name=f"p{n}", repo_url=f"/srv/git/p{n}")
    assert len(owner_api.get("/api/v1/projects", {"limit": 2}).json()["results"]) == 2
