import pytest

from jobs.models import JobRecord
from projects.models import Project, ProjectStatus
from projects.services import project_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(owner, tmp_path):
    return project_create(owner=owner, name="Alpha", repo_url=str(tmp_path))


def _change_form(project, **changes):
    data = {
        "name": project.name,
        "repo_url": project.repo_url,
        "branch": project.branch,
        "plan_path": project.plan_path,
        "refresh_interval_hours": project.refresh_interval_hours,
    }
    if project.archived:
        data["archived"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_archiving_in_the_admin_goes_through_the_service(admin_client, project):
    url = f"/admin/projects/project/{project.pk}/change/"
    response = admin_client.post(url, _change_form(project, archived="on"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.archived is True
    assert project.status == ProjectStatus.ARCHIVED


def test_the_owner_cannot_be_reassigned_in_the_admin(admin_client, project, other_user):
    url = f"/admin/projects/project/{project.pk}/change/"
    admin_client.post(url, _change_form(project, owner=other_user.pk))
    assert Project.objects.get(pk=project.pk).owner.username == "owner"


def test_the_refresh_action_queues_one_job_per_project(admin_client, project):
    response = admin_client.post(
        "/admin/projects/project/",
        {"action": "refresh_projects", "_selected_action": [str(project.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert JobRecord.objects.filter(project=project, status="queued").count() == 1
    assert b"1 refresh(es) queued" in response.content


def test_the_refresh_action_is_charged_to_the_staff_members_budget(
    client, staff, owner, tmp_path, settings
):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "refresh": {"max_attempts": 2, "window_seconds": 300},
    }
    projects = [project_create(owner=owner, name=f"P{i}", repo_url=str(tmp_path)) for i in range(3)]
    client.force_login(staff)
    response = client.post(
        "/admin/projects/project/",
        {"action": "refresh_projects", "_selected_action": [str(p.pk) for p in projects]},
        follow=True,
    )
    assert JobRecord.objects.count() == 2
    assert "Too many refresh requests" in response.content.decode()


def test_the_refresh_action_is_free_for_holders_of_the_exemption(
    client, staff, owner, tmp_path, settings
):
    from tests.conftest import grant

    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "refresh": {"max_attempts": 2, "window_seconds": 300},
    }
    grant(staff, "jobs.exempt_from_rate_limits")
    projects = [project_create(owner=owner, name=f"P{i}", repo_url=str(tmp_path)) for i in range(3)]
    client.force_login(staff)
    client.post(
        "/admin/projects/project/",
        {"action": "refresh_projects", "_selected_action": [str(p.pk) for p in projects]},
    )
    assert JobRecord.objects.count() == 3
