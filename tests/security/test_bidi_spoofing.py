"""Attack: a project or task name with bidi overrides that shows other text than it holds.

Every HTML page drops the Unicode bidi control characters; the API keeps the stored data.
"""

import pytest

from projects.models import Project
from repotrackr.bidi import strip_bidi_controls

pytestmark = pytest.mark.django_db

SPOOF = "invoice\u202efdp.exe"


def test_the_project_page_drops_the_override(owner, owner_client):
    project = Project.objects.create(owner=owner, name=SPOOF, repo_url="/srv/git/p")
    html = owner_client.get(f"/projects/{project.pk}/").content.decode()
    assert "\u202e" not in html
    assert "invoicefdp.exe" in html


def test_the_dashboard_drops_the_override(owner, owner_client):
    Project.objects.create(owner=owner, name=SPOOF, repo_url="/srv/git/p")
    html = owner_client.get("/").content.decode()
    assert "\u202e" not in html
    assert "invoicefdp.exe" in html


@pytest.mark.parametrize(
    "control",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u061c",
    ],
)
def test_every_bidi_control_is_dropped(control):
    assert strip_bidi_controls(f"a{control}b".encode()) == b"ab"


def test_other_text_is_kept_byte_for_byte():
    text = "café ✅ 日本語 שלום مرحبا \u200d👩‍💻".encode()
    assert strip_bidi_controls(text) == text
