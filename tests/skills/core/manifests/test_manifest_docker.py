import pytest

from skills.core.manifests import docker
from skills.core.manifests.types import ManifestError


def test_every_from_stage_counts_except_stage_names_scratch_and_args():
    text = b"""# syntax=docker/dockerfile:1
ARG PY=3.12
FROM --platform=$BUILDPLATFORM node:20-alpine AS assets
FROM python:${PY}-slim AS app
FROM app AS final
FROM scratch
FROM $BASE_IMAGE
FROM ghcr.io/org/tool@sha256:abc
"""
    deps = docker.parse("Dockerfile", text)
    images = [(d.name, d.spec, d.line) for d in deps if d.ecosystem == "docker_image"]
    assert images == [
        ("node", "20-alpine", 3),
        ("python", "", 4),
        ("ghcr.io/org/tool", "", 8),
    ]


def test_run_lines_with_continuations_yield_installed_packages():
    text = b"""FROM debian:12
RUN apt-get update \\
    # a comment inside the continuation
    && apt-get install -y --no-install-recommends libpq-dev nginx=1.22* \\
    && rm -rf /var/lib/apt/lists/*
RUN apk add --no-cache git && pip install --no-cache-dir "celery[redis]>=5" -r requirements.txt
RUN npm install -g pnpm@9 typescript && python -m pip install gunicorn
"""
    deps = docker.parse("build/Dockerfile.prod", text)
    got = {(d.ecosystem, d.name) for d in deps if d.ecosystem != "skill"}
    assert got == {
        ("docker_image", "debian"),
        ("apt", "libpq-dev"),
        ("apt", "nginx"),
        ("apt", "git"),
        ("pypi", "celery"),
        ("npm", "pnpm"),
        ("npm", "typescript"),
        ("pypi", "gunicorn"),
    }
    assert next(d for d in deps if d.name == "libpq-dev").line == 2


def test_compose_names_docker_compose_and_each_service_image():
    text = b"""services:
  web:
    build: .
  db:
    image: postgres:16
  cache:
    image: "redis:7-alpine"
  env:
    image: ${REGISTRY}/app:latest
"""
    deps = docker.parse("compose.yaml", text)
    got = [(d.ecosystem, d.name, d.spec) for d in deps]
    assert ("skill", "Docker Compose", "") in got
    assert ("skill", "Docker", "") in got
    assert ("docker_image", "postgres", "16") in got
    assert ("docker_image", "redis", "7-alpine") in got
    assert not any("REGISTRY" in name for _, name, _ in got)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("docker-compose.yml", b"services: [a, b]\n"),
        ("docker-compose.yml", b"services:\n  web: {image: [unclosed\n"),
        ("Dockerfile", b"\n# only a comment\n"),
    ],
)
def test_malformed_docker_files_are_reported(path, data):
    with pytest.raises(ManifestError):
        docker.parse(path, data)
