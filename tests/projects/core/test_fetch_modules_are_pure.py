"""The fetching core stays free of Django, so it runs in any process and test."""

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[3] / "projects" / "core"


@pytest.mark.parametrize(
    "name", ["repo_url", "git_errors", "git_hardening", "git_remote", "git_source", "secret_box"]
)
def test_fetch_core_module_never_imports_django(name):
    tree = ast.parse((CORE / f"{name}.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "django" not in imported
