"""Attack: save through the admin what the API and the site's form refuse.

The admin's Project form used to be a bare ModelForm: an internal URL, a
branch git reads as an option and a plan path climbing out of the
repository were all stored, and the next refresh handed them to git.
"""

from __future__ import annotations

import pytest

from projects.models import Project
from projects.services import project_create

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://140.82.112.3/acme/widgets.git"


@pytest.fixture(autouse=True)
def _remote_urls_only(settings):
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = False


@pytest.fixture
def project(owner):
    return project_create(owner=owner, name="Alpha", repo_url=PUBLIC_URL)


def _form(project, **changes):
    data = {
        "name": project.name,
        "repo_url": project.repo_url,
        "branch": project.branch,
        "plan_path": project.plan_path,
        "refresh_interval_hours": project.refresh_interval_hours,
    }
    data.update(changes)
    return data


def _add_form(owner, **changes):
    data = {"owner": owner.pk, "name": "Beta", "repo_url": PUBLIC_URL, "refresh_interval_hours": 6}
    data.update(changes)
    return data


ATTACKS = [
    pytest.param("repo_url", "https://127.0.0.1/internal/repo.git", "loopback", id="loopback-url"),
    pytest.param("repo_url", "https://169.254.169.254/latest/x.git", "metadata", id="metadata-url"),
    pytest.param("repo_url", "/etc/secrets", "local repository paths", id="local-path"),
    pytest.param("repo_url", "ext::sh-c-touch-pwned", "not allowed", id="remote-helper"),
    pytest.param("branch", "--upload-pack=touch /tmp/pwned", "may not start with '-'", id="option"),
    pytest.param("branch", "main..evil", "'..'", id="branch-dots"),
    pytest.param("plan_path", "../../etc/passwd", "'..'", id="traversal"),
    pytest.param("plan_path", "/etc/passwd", "relative", id="absolute-plan-path"),
]


@pytest.mark.parametrize(("field", "value", "message"), ATTACKS)
def test_the_admin_change_form_refuses_what_the_api_refuses(
    admin_client, project, field, value, message
):
    url = f"/admin/projects/project/{project.pk}/change/"
    response = admin_client.post(url, _form(project, **{field: value}))
    assert response.status_code == 200  # the form comes back with its error
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    stored = Project.objects.get(pk=project.pk)
    assert getattr(stored, field) == getattr(project, field)


@pytest.mark.parametrize(("field", "value", "message"), ATTACKS)
def test_the_admin_add_form_refuses_what_the_api_refuses(
    admin_client, owner, field, value, message
):
    response = admin_client.post("/admin/projects/project/add/", _add_form(owner, **{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not Project.objects.filter(name="Beta").exists()


def test_a_valid_admin_edit_is_stored_normalised(admin_client, project):
    url = f"/admin/projects/project/{project.pk}/change/"
    response = admin_client.post(
        url, _form(project, branch=" release/2.x ", plan_path="./docs/plan.md")
    )
    assert response.status_code == 302
    stored = Project.objects.get(pk=project.pk)
    assert (stored.branch, stored.plan_path) == ("release/2.x", "docs/plan.md")
