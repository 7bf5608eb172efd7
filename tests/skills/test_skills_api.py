import pytest

from projects.services import project_create
from skills.models import Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_project(tmp_path):
    def make(owner, name):
        return project_create(owner=owner, name=name, repo_url=str(tmp_path))

    return make


def _skill(project, name, category, **extra):
    return Skill.objects.create(project=project, name=name, category=category, **extra)


def test_project_skills_are_grouped_by_category_with_languages_apart(
    owner_api, owner, make_project
):
    project = make_project(owner, "Alpha")
    _skill(project, "Python", "language", bytes=9000, byte_share=0.9)
    _skill(project, "JavaScript", "language", bytes=1000, byte_share=0.1)
    _skill(
        project,
        "Django",
        "framework",
        confidence=0.95,
        evidence=[{"file": "requirements.txt", "line": 3, "raw": "Django>=5.2"}],
    )
    _skill(project, "PostgreSQL", "database", confidence=0.8)
    body = owner_api.get(f"/api/v1/projects/{project.id}/skills").json()
    assert [lang["name"] for lang in body["languages"]] == ["Python", "JavaScript"]
    assert body["languages"][0]["share"] == 0.9
    assert [c["category"] for c in body["categories"]] == ["language", "framework", "database"]
    assert [s["name"] for s in body["categories"][0]["skills"]] == ["JavaScript", "Python"]
    django = body["categories"][1]["skills"][0]
    assert django["evidence"] == [{"file": "requirements.txt", "line": 3, "raw": "Django>=5.2"}]


def test_popular_skills_count_only_the_users_projects(owner_api, owner, other_user, make_project):
    a, b = make_project(owner, "A"), make_project(owner, "B")
    hidden = make_project(other_user, "Hidden")
    for p in (a, b):
        _skill(p, "Django", "framework")
    _skill(a, "Redis", "database")
    for n in ("Rust", "Tokio"):
        _skill(hidden, n, "framework")
    _skill(hidden, "Redis", "database")
    rows = owner_api.get("/api/v1/skills/popular").json()["results"]
    assert rows == [
        {"name": "Django", "category": "framework", "projects": 2},
        {"name": "Redis", "category": "database", "projects": 1},
    ]


def test_skill_categories_count_skills_and_projects(owner_api, owner, make_project):
    a, b = make_project(owner, "A"), make_project(owner, "B")
    _skill(a, "Django", "framework")
    _skill(b, "Django", "framework")
    _skill(b, "Flask", "framework")
    rows = owner_api.get("/api/v1/skills/categories").json()["results"]
    assert rows == [{"category": "framework", "label": "Framework", "skills": 2, "projects": 2}]


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=1000", "category=nonsense"])
def test_popular_rejects_bad_filters_with_a_400(owner_api, query):
    response = owner_api.get(f"/api/v1/skills/popular?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_another_users_project_skills_are_404(other_api, owner, make_project):
    project = make_project(owner, "Alpha")
    assert other_api.get(f"/api/v1/projects/{project.id}/skills").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/00000000-0000-0000-0000-000000000000/skills",
        "/api/v1/skills/categories",
        "/api/v1/skills/popular",
    ],
)
def test_skills_endpoints_refuse_logged_out_requests(api_client, path):
    assert api_client.get(path).status_code == 401
