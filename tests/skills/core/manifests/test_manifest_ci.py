import pytest

from skills.core.manifests import ci
from skills.core.manifests.types import ManifestError


def test_workflow_actions_reusable_workflows_containers_and_services():
    text = b"""name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    container: node:20
    services:
      db:
        image: postgres:16
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/local
      - uses: docker://alpine:3.19
      - uses: github/codeql-action/init@v3
  call:
    uses: org/shared/.github/workflows/deploy.yml@main
"""
    deps = ci.parse(".github/workflows/ci.yml", text)
    got = [(d.ecosystem, d.name, d.spec) for d in deps]
    assert got[0] == ("skill", "GitHub Actions", "")
    assert ("github_action", "actions/checkout", "v4") in got
    assert ("github_action", "github/codeql-action/init", "v3") in got
    assert ("github_action", "org/shared/.github/workflows/deploy.yml", "main") in got
    assert ("docker_image", "alpine", "3.19") in got
    assert ("docker_image", "node", "20") in got
    assert ("docker_image", "postgres", "16") in got
    assert not any(name.startswith("./") for _, name, _ in got)
    assert next(d for d in deps if d.name == "actions/checkout").line == 11


def test_gitlab_ci_global_and_job_images_and_services():
    text = b"""image: python:3.12
services:
  - postgres:16
  - name: redis:7
test:
  image: {name: node:20}
  script: [pytest]
"""
    deps = ci.parse(".gitlab-ci.yml", text)
    got = {(d.ecosystem, d.name) for d in deps}
    assert got == {
        ("skill", "GitLab CI"),
        ("docker_image", "python"),
        ("docker_image", "postgres"),
        ("docker_image", "redis"),
        ("docker_image", "node"),
    }


def test_circleci_docker_executors():
    text = b"version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/python:3.12\n"
    deps = ci.parse(".circleci/config.yml", text)
    assert {(d.ecosystem, d.name) for d in deps} == {
        ("skill", "CircleCI"),
        ("docker_image", "cimg/python"),
    }


def test_jenkinsfile_names_jenkins_and_agent_images():
    text = b"pipeline {\n  agent { docker { image 'maven:3.9' } }\n  stages { stage('b') { steps { script { docker.image(\"redis:7\").inside {} } } } }\n}\n"
    deps = ci.parse("Jenkinsfile", text)
    assert [(d.ecosystem, d.name) for d in deps] == [
        ("skill", "Jenkins"),
        ("docker_image", "maven"),
        ("docker_image", "redis"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"name: x\non: push\n",
        b"jobs: [1, 2]\n",
        b"jobs:\n  a: {steps: [\n",
        b"- just\n- a list\n",
    ],
)
def test_workflow_without_a_jobs_mapping_is_reported(data):
    with pytest.raises(ManifestError):
        ci.parse(".github/workflows/x.yml", data)
