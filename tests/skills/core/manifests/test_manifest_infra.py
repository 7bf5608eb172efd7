import pytest

from skills.core.manifests import infra
from skills.core.manifests.types import ManifestError, NotAManifestError


def test_terraform_required_providers_provider_blocks_and_resource_prefixes():
    text = b"""terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws" # pinned below
      version = "~> 5.40"
    }
    legacy = "~> 1.0"
  }
}
/* provider "commented" {} */
provider "aws" { region = "eu-west-1" }
provider "google" {}
resource "azurerm_resource_group" "rg" { name = "x" }
resource "aws_s3_bucket" "b" {}
"""
    deps = infra.parse("infra/main.tf", text)
    got = [(d.ecosystem, d.name, d.spec) for d in deps]
    assert got[0] == ("skill", "Terraform", ">= 1.6")
    assert got[1:] == [
        ("terraform_provider", "hashicorp/aws", "~> 5.40"),
        ("terraform_provider", "legacy", "~> 1.0"),
        ("terraform_provider", "google", ""),
        ("terraform_provider", "azurerm", ""),
        ("skill", "Amazon S3", ""),
    ]
    assert deps[1].line == 4


def test_terraform_managed_database_engines_name_the_database():
    text = b'resource "aws_db_instance" "app" {\n  engine = "postgres"\n}\nresource "aws_elasticache_cluster" "c" {\n  engine = "redis"\n}\n'
    deps = infra.parse("db.tf", text)
    assert [(d.name, d.line) for d in deps if d.ecosystem == "skill"][1:] == [
        ("PostgreSQL", 2),
        ("Redis", 5),
    ]


def test_terraform_with_unbalanced_braces_is_reported():
    with pytest.raises(ManifestError, match="unbalanced"):
        infra.parse("main.tf", b'resource "aws_s3_bucket" "b" {\n')


def test_kubernetes_objects_give_every_container_image():
    text = b"""apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      initContainers: [{name: m, image: "flyway/flyway:10"}]
      containers:
        - {name: api, image: ghcr.io/org/api:1.0}
---
apiVersion: batch/v1
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: c, image: redis:7}]
"""
    deps = infra.parse("k8s/app.yaml", text)
    got = [(d.ecosystem, d.name, d.spec) for d in deps]
    assert got == [
        ("skill", "Kubernetes", ""),
        ("docker_image", "flyway/flyway", "10"),
        ("docker_image", "ghcr.io/org/api", "1.0"),
        ("docker_image", "redis", "7"),
    ]


def test_a_yaml_file_without_kubernetes_objects_is_not_a_manifest():
    with pytest.raises(NotAManifestError):
        infra.parse("config/settings.yaml", b"debug: true\nkind: of\n")


def test_helm_templates_are_read_line_by_line():
    text = b'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.n }}\n      containers:\n        - image: "nginx:1.27"\n        - image: "{{ .Values.image }}"\n'
    deps = infra.parse("charts/x/templates/deploy.yaml", text)
    assert [(d.ecosystem, d.name) for d in deps] == [
        ("skill", "Kubernetes"),
        ("docker_image", "nginx"),
    ]


def test_helm_chart_names_helm_and_chart_dependencies():
    text = b"apiVersion: v2\nname: api\ndependencies:\n  - name: postgresql\n    version: 15.2.0\n"
    deps = infra.parse("charts/api/Chart.yaml", text)
    assert {(d.ecosystem, d.name) for d in deps} == {
        ("skill", "Helm"),
        ("skill", "Kubernetes"),
        ("docker_image", "postgresql"),
    }


def test_procfile_commands_name_their_tools():
    deps = infra.parse(
        "Procfile",
        b"web: gunicorn app.wsgi\nworker: bundle exec sidekiq -q default\nrelease: python -m alembic upgrade head\n",
    )
    assert [d.name for d in deps] == ["Procfile", "gunicorn", "sidekiq", "alembic"]


@pytest.mark.parametrize(
    ("path", "data", "skill"),
    [
        ("fly.toml", b'app = "x"\n', "Fly.io"),
        ("vercel.json", b"{}", "Vercel"),
        ("netlify.toml", b"[build]\n", "Netlify"),
    ],
)
def test_platform_files_name_their_platform(path, data, skill):
    assert [d.name for d in infra.parse(path, data)] == [skill]


def test_serverless_names_framework_cloud_runtime_and_plugins():
    text = b"service: x\nprovider:\n  name: aws\n  runtime: python3.12\nplugins:\n  - serverless-offline\n"
    deps = infra.parse("serverless.yml", text)
    assert [(d.ecosystem, d.name) for d in deps] == [
        ("skill", "Serverless Framework"),
        ("skill", "AWS Lambda"),
        ("skill", "Python"),
        ("npm", "serverless-offline"),
    ]


def test_pre_commit_hooks_name_their_tools():
    text = b"repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.4.4\n    hooks:\n      - id: ruff\n      - id: ruff-format\n"
    deps = infra.parse(".pre-commit-config.yaml", text)
    assert [(d.name, d.spec) for d in deps] == [
        ("pre-commit", ""),
        ("ruff", "v0.4.4"),
        ("ruff-format", "v0.4.4"),
    ]


def test_pre_commit_without_repos_is_reported():
    with pytest.raises(ManifestError):
        infra.parse(".pre-commit-config.yaml", b"hooks: []\n")
