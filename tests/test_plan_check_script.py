"""scripts/plan_check.py: GitHub's count beside ours, with the warnings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "plan_check.py"


def _script():
    spec = importlib.util.spec_from_file_location("plan_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_prints_both_counts_and_the_warnings(tmp_path, capsys):
    plan = tmp_path / "ROADMAP.md"
    plan.write_text("- ✅ Done - shipped\n- 🚧 In progress\n\n# Work\n\n- [x] a\n- [ ] b\n- [] c\n")
    assert _script().main([str(plan)]) == 0
    out = capsys.readouterr().out
    assert "ROADMAP.md  2             1       3                 1     +1" in out
    assert "ROADMAP.md:8: counted: malformed checkbox [] read as todo" in out
    assert "ROADMAP.md:1: not counted: legend (2 entries)" in out


def test_the_script_reads_a_repository_and_lists_other_candidates(make_repo, capsys):
    repo = make_repo(plan="- [x] a\n")
    repo.write("TODO.md", "- [ ] b\n").commit("todo")
    assert _script().main([str(repo.bare)]) == 0
    out = capsys.readouterr().out
    assert "Plan: docs/plan.md" in out and "  TODO.md: 0/1 tasks done" in out
