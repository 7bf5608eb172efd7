"""Attack: run injected script through any page (stored XSS that escaped escaping).

Every page carries a Content-Security-Policy that allows our own origin only and no
inline script; third-party pages get the hashes of their fixed inline blocks, nothing
more. The browser test ``tests/e2e/test_content_security_policy.py`` loads the pages
under the policy and checks that nothing is blocked.
"""

import pytest

from repotrackr.csp import inline_hashes

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize("path", ["/", "/jobs/", "/accounts/tokens/", "/admin/"])
def test_every_page_allows_only_its_own_scripts(owner_client, path):
    directives = _directives(owner_client.get(path, follow=True))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_the_login_page_has_the_policy(client):
    assert _directives(client.get("/accounts/login/"))["script-src"] == ["'self'"]


def test_the_queue_dashboard_allows_its_own_inline_blocks_by_hash_only(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "", "pw-Secret-123"))
    directives = _directives(client.get("/admin/rq/"))
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["script-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in directives["script-src"][1:])
    assert len(directives["script-src"]) > 1


def test_inline_hashes_skip_external_scripts_and_rendered_blocks(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<script src="/static/a.js"></script><script>alert(1)</script>'
        "<script>var x = {{ value }};</script><style>p{}</style>"
    )
    scripts = inline_hashes([page], "script-src")
    assert scripts == ("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='",)
    assert len(inline_hashes([page], "style-src")) == 1
