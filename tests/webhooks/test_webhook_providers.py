"""Provider modules: signatures over the raw body and what a payload asks for. No database."""

from __future__ import annotations

import pytest

from webhooks.providers import (
    EventKind,
    PushReading,
    branch_of_ref,
    gitea,
    github,
    gitlab,
    lower_headers,
    provider_for,
)

BODY = b'{"ref": "refs/heads/main"}'
SECRET = "s3cret-value"


def test_github_accepts_its_own_signature_of_the_raw_body():
    headers = lower_headers({"X-Hub-Signature-256": github.sign(BODY, SECRET)})
    assert github.signature_valid(body=BODY, secret=SECRET, headers=headers)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        github.sign(BODY, "another-secret"),
        github.sign(BODY + b" ", SECRET),
        github.sign(BODY, SECRET).removeprefix("sha256="),
        github.sign(BODY, SECRET).upper(),
        "sha256=é" + "0" * 63,
    ],
)
def test_github_refuses_missing_altered_or_foreign_signatures(header):
    headers = {} if header is None else {"x-hub-signature-256": header}
    assert not github.signature_valid(body=BODY, secret=SECRET, headers=headers)


def test_gitea_accepts_the_bare_hex_signature_and_forgejo_names():
    signature = gitea.sign(BODY, SECRET)
    assert len(signature) == 64
    assert gitea.signature_valid(body=BODY, secret=SECRET, headers={"x-gitea-signature": signature})
    assert gitea.signature_valid(
        body=BODY, secret=SECRET, headers={"x-forgejo-signature": signature}
    )
    assert not gitea.signature_valid(
        body=BODY, secret="other", headers={"x-gitea-signature": signature}
    )
    assert not gitea.signature_valid(body=BODY, secret=SECRET, headers={})


def test_gitlab_compares_the_token_itself():
    assert gitlab.signature_valid(body=BODY, secret=SECRET, headers={"x-gitlab-token": SECRET})
    assert not gitlab.signature_valid(
        body=BODY, secret=SECRET, headers={"x-gitlab-token": SECRET[:-1]}
    )
    assert not gitlab.signature_valid(body=BODY, secret=SECRET, headers={"x-gitlab-token": ""})
    assert not gitlab.signature_valid(body=BODY, secret=SECRET, headers={})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-GitHub-Event": "push"}, github),
        ({"X-Gitlab-Event": "Push Hook"}, gitlab),
        ({"X-Gitea-Event": "push"}, gitea),
        ({"X-Forgejo-Event": "push"}, gitea),
        # Gitea also sends GitHub's names; its own win.
        ({"X-GitHub-Event": "push", "X-Gitea-Event": "push"}, gitea),
        ({"Content-Type": "application/json"}, None),
    ],
)
def test_the_provider_is_recognised_from_its_event_header(headers, expected):
    assert provider_for(lower_headers(headers)) is expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("refs/heads/main", (EventKind.PUSH, "main")),
        ("refs/heads/feature/x", (EventKind.PUSH, "feature/x")),
        ("refs/tags/v1.0", (EventKind.TAG, "v1.0")),
        ("refs/pull/1/head", (EventKind.OTHER, None)),
        (None, (EventKind.OTHER, None)),
        (42, (EventKind.OTHER, None)),
    ],
)
def test_refs_split_into_branches_tags_and_others(ref, expected):
    assert branch_of_ref(ref) == expected


def test_github_reads_ping_push_and_the_default_branch():
    payload = {"ref": "refs/heads/dev", "after": "a" * 40, "repository": {"default_branch": "main"}}
    assert github.read_event("ping", {}) == PushReading(kind=EventKind.PING)
    assert github.read_event("push", payload) == PushReading(
        EventKind.PUSH, "dev", "main", head="a" * 40
    )
    assert github.read_event("issues", payload).kind == EventKind.OTHER


def test_a_push_that_deletes_the_branch_is_marked_deleted():
    payload = {"ref": "refs/heads/main", "after": "0" * 40, "deleted": True}
    assert github.read_event("push", payload).deleted
    assert github.read_event("push", payload).head is None
    assert gitea.read_event("push", {"ref": "refs/heads/main", "after": "0" * 40}).deleted


def test_gitlab_reads_push_and_tag_hooks_and_the_project_default_branch():
    payload = {"ref": "refs/heads/main", "after": "b" * 40, "project": {"default_branch": "main"}}
    assert gitlab.read_event("Push Hook", payload) == PushReading(
        EventKind.PUSH, "main", "main", head="b" * 40
    )
    assert gitlab.read_event("Tag Push Hook", {"ref": "refs/tags/v1"}).kind == EventKind.TAG
    assert gitlab.read_event("Merge Request Hook", payload).kind == EventKind.OTHER


def test_payloads_with_odd_shapes_read_as_nothing_to_do():
    assert gitea.read_event("push", {"ref": ["refs/heads/main"]}).kind == EventKind.OTHER
    assert (
        github.read_event("push", {"ref": "refs/heads/main", "repository": "x"}).default_branch
        is None
    )


@pytest.mark.parametrize(
    ("after", "head"),
    [
        ("AB" * 20, "ab" * 20),  # lower-cased, as git prints it
        ("c" * 64, "c" * 64),  # a SHA-256 repository
        ("c" * 39, None),
        ("z" * 40, None),
        (None, None),
        (12, None),
    ],
)
def test_the_pushed_head_is_read_from_after_only_when_it_is_a_commit_id(after, head):
    payload = {"ref": "refs/heads/main", "after": after}
    for module, event in ((github, "push"), (gitea, "push"), (gitlab, "Push Hook")):
        assert module.read_event(event, payload).head == head
