"""The pure core never imports Django."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORE_MODULES = sorted(ROOT.glob("*/core/*.py"))


def test_core_modules_exist():
    assert any(p.name == "plan_parser.py" for p in CORE_MODULES)


@pytest.mark.parametrize(
    "path", CORE_MODULES, ids=lambda p: f"{p.parent.parent.name}/core/{p.name}"
)
def test_core_module_does_not_import_django(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        assert not any(n == "django" or n.startswith("django.") for n in names), path
