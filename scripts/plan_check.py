"""Print GitHub's checkbox count next to RepoTrackr's, with the warnings that explain the gap.

Usage::

    python scripts/plan_check.py TARGET [--plan-path PATH]

TARGET is a Markdown file, a folder or checkout, or a bare git repository
(its HEAD is read). For each plan file read, the script prints the boxes
GitHub renders (cmark-gfm, a development dependency) and how many are
ticked, RepoTrackr's tasks and how many are done, then every warning and
the other candidates discovery found. A careful reader then only has to
check the lines where the two differ.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cmarkgfm  # noqa: E402

from projects.core.git_source import GitCommitSource  # noqa: E402
from projects.core.plan_discovery import LoadedPlan, PlanError, load_plan  # noqa: E402
from projects.core.plan_model import DONE  # noqa: E402
from projects.core.progress import compute_progress  # noqa: E402
from projects.core.source import DirectorySource, RepoSource  # noqa: E402


def github_counts(text: str) -> tuple[int, int]:
    """(checkboxes, ticked) as GitHub renders ``text``."""
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    return html.count('type="checkbox"'), html.count('type="checkbox" checked=""')


def _section_text(loaded: LoadedPlan, text: str) -> str:
    """The README section RepoTrackr read, so that both sides count the same lines."""
    if loaded.kind != "readme-section" or not loaded.plan.headings:
        return text
    lines = text.splitlines(keepends=True)
    first = loaded.plan.headings[0]
    end = next((h.line for h in loaded.plan.headings[1:] if h.level <= first.level), None)
    return "".join(lines[first.line - 1 : (end - 1) if end else None])


def report(source: RepoSource, *, plan_path: str) -> str:
    loaded = load_plan(source, plan_path=plan_path)
    rows = [("file", "GitHub boxes", "ticked", "RepoTrackr tasks", "done", "difference")]
    for path in loaded.files:
        text = source.read_bytes(path, max_bytes=20_000_000).decode("utf-8", "replace")
        boxes, ticked = github_counts(_section_text(loaded, text))
        tasks = [t for t in loaded.plan.tasks if t.file_path == path]
        done = sum(1 for t in tasks if t.status == DONE)
        diff = len(tasks) - boxes
        rows.append((path, str(boxes), str(ticked), str(len(tasks)), str(done), f"{diff:+d}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = [f"Plan: {loaded.label}"]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    progress = compute_progress(loaded.plan)
    out.append(
        f"RepoTrackr: {progress.done}/{progress.total} done ({progress.percentage:.1f} %), "
        f"{progress.doing} doing, {progress.blocked} blocked, {len(progress.phases)} phase(s)"
    )
    out += ["Warnings:"] + [f"  {w}" for w in loaded.warnings] if loaded.warnings else []
    others = [c for c in loaded.candidates if not c.chosen]
    if others:
        out.append("Other candidates:")
        out += [f"  {c.label}: {c.done}/{c.tasks} tasks done" for c in others]
    return "\n".join(out) + "\n"


def _open(target: Path) -> tuple[RepoSource, str]:
    if target.is_file():
        return DirectorySource(target.parent), target.name
    if (target / "HEAD").is_file() and (target / "objects").is_dir():
        return GitCommitSource(target), ""
    return DirectorySource(target), ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--plan-path", default="")
    args = parser.parse_args(argv)
    source, single = _open(args.target)
    try:
        sys.stdout.write(report(source, plan_path=args.plan_path or single))
    except PlanError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
