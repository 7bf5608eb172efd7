"""Links to a line of a plan file on GitHub, GitLab and Bitbucket; nothing for other hosts."""

from __future__ import annotations

import pytest

from projects.core.line_links import line_linker_for

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        (
            "https://github.com/acme/widgets.git",
            f"https://github.com/acme/widgets/blob/{SHA}/docs/plan.md#L12",
        ),
        (
            "https://github.com/acme/widgets",
            f"https://github.com/acme/widgets/blob/{SHA}/docs/plan.md#L12",
        ),
        (
            "git@github.com:acme/widgets.git",
            f"https://github.com/acme/widgets/blob/{SHA}/docs/plan.md#L12",
        ),
        (
            "ssh://git@github.com/acme/widgets.git",
            f"https://github.com/acme/widgets/blob/{SHA}/docs/plan.md#L12",
        ),
        (
            "https://user:tok@github.com/acme/widgets.git",
            f"https://github.com/acme/widgets/blob/{SHA}/docs/plan.md#L12",
        ),
        (
            "https://gitlab.com/group/sub/widgets.git",
            f"https://gitlab.com/group/sub/widgets/-/blob/{SHA}/docs/plan.md#L12",
        ),
        (
            "git@bitbucket.org:acme/widgets.git",
            f"https://bitbucket.org/acme/widgets/src/{SHA}/docs/plan.md#lines-12",
        ),
    ],
)
def test_known_hosts_link_to_the_exact_line(repo_url, expected):
    assert line_linker_for(repo_url, revision=SHA).url("docs/plan.md", 12) == expected


@pytest.mark.parametrize(
    "repo_url",
    [
        "https://git.example.org/acme/widgets.git",
        "/srv/git/widgets",
        "file:///srv/git/widgets",
        "javascript:alert(1)//github.com/a/b",
        "https://github.com/acme",
        "https://github.com/acme/widgets/extra",
        'https://github.com/acme/wid"gets',
    ],
)
def test_unknown_hosts_and_odd_urls_get_no_link(repo_url):
    assert line_linker_for(repo_url, revision=SHA) is None


def test_path_segments_are_percent_encoded():
    linker = line_linker_for("https://github.com/a/b", revision="main")
    assert (
        linker.url("docs/my plan#1.md", 3)
        == "https://github.com/a/b/blob/main/docs/my%20plan%231.md#L3"
    )


def test_missing_revision_falls_back_to_head():
    assert (
        line_linker_for("https://github.com/a/b", revision="")
        .url("x.md", 1)
        .startswith("https://github.com/a/b/blob/HEAD/")
    )


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        (
            "https://codeberg.org/a/b.git",
            f"https://codeberg.org/a/b/src/commit/{SHA}/docs/plan.md#L12",
        ),
        (
            "https://git.example.org/a/b",
            f"https://git.example.org/a/b/src/commit/{SHA}/docs/plan.md#L12",
        ),
        (
            "git@lab.example.org:g/sub/b.git",
            f"https://lab.example.org/g/sub/b/-/blob/{SHA}/docs/plan.md#L12",
        ),
    ],
)
def test_self_hosted_forges_are_linked_through_the_host_map(repo_url, expected):
    hosts = {"git.example.org": "forgejo", "lab.example.org": "gitlab"}
    assert (
        line_linker_for(repo_url, revision=SHA, forge_hosts=hosts).url("docs/plan.md", 12)
        == expected
    )


def test_unmapped_self_hosted_and_local_repositories_get_no_link():
    hosts = {"git.example.org": "gitea"}
    assert line_linker_for("https://other.example.org/a/b", revision=SHA, forge_hosts=hosts) is None
    assert line_linker_for("/srv/git/b.git", revision=SHA, forge_hosts=hosts) is None
