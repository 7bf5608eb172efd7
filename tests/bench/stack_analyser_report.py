"""Report (not a test): what @specfy/stack-analyser finds on our fixture trees, beside ours.

Usage: python tests/bench/stack_analyser_report.py

Needs ``node`` and ``npm`` on the PATH; installs the analyser with npm into a
temporary folder (nothing is added to the project), runs its command line on
each fixture tree under ``tests/skills/fixtures/`` and prints, per tree and
in total, the expected skills each tool found (recall) and how many of its
findings are expected (precision). The analyser's keys (``github.actions``,
``postgresql``) are matched to our catalogue names by the catalogue's names
and aliases after simple normalisation, plus a short table of its spellings;
a key that still matches nothing counts as a finding that is not expected.
If node is missing or the install fails, the reason is printed. Exits 0.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "skills" / "fixtures"
PACKAGE = os.environ.get("STACK_ANALYSER_PACKAGE", "@specfy/stack-analyser@1.27.3")

#: The analyser's keys whose spelling differs from our catalogue's names and aliases.
THEIR_KEYS = {
    "github.actions": "GitHub Actions",
    "gitlab.ci": "GitLab CI",
    "nodejs": "Node.js",
    "golang": "Go",
    "rails": "Ruby on Rails",
    "nextjs": "Next.js",
    "springboot": "Spring Boot",
    "spring": "Spring Framework",
    "aws": "AWS",
    "gcp": "Google Cloud",
    "azure": "Microsoft Azure",
    "k8s": "Kubernetes",
    "dockercompose": "Docker Compose",
    "tailwind": "Tailwind CSS",
    "reactquery": "TanStack Query",
    "testinglibrary": "Testing Library",
    "rabbitmq": "RabbitMQ",
    "mysql": "MySQL",
    "vercel": "Vercel",
    "playwright": "Playwright",
    "terraform": "Terraform",
    "helm": "Helm",
    "jenkins": "Jenkins",
}


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9+#]", "", name.lower())


def our_name(key: str, catalogue) -> str | None:
    if key in THEIR_KEYS:
        return THEIR_KEYS[key]
    for candidate in (key, key.replace(".", " "), key.split(".")[-1]):
        skill = catalogue.by_name(candidate)
        if skill is not None:
            return skill.name
    wanted = normalise(key)
    for skill in catalogue.skills:
        if normalise(skill.name) == wanted or any(normalise(a) == wanted for a in skill.aliases):
            return skill.name
    return None


def their_keys(node: dict) -> set[str]:
    keys = set(node.get("techs") or [])
    if node.get("tech"):
        keys.add(node["tech"])
    for child in node.get("childs") or []:
        keys |= their_keys(child)
    return keys


def install(workdir: Path) -> tuple[Path | None, str]:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "node or npm is not on the PATH"
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", PACKAGE],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    cli = workdir / "node_modules" / "@specfy" / "stack-analyser" / "dist" / "cli.js"
    if proc.returncode != 0 or not cli.is_file():
        return (
            None,
            f"npm install {PACKAGE} failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}",
        )
    return cli, ""


def run_theirs(cli: Path, workdir: Path, tree: Path) -> set[str]:
    out = workdir / f"{tree.name}.json"
    subprocess.run(
        ["node", str(cli), str(tree), f"--output={out.name}"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return their_keys(json.loads(out.read_text()))


def main() -> None:
    import yaml

    from projects.core.source import DirectorySource
    from skills.core.catalogue import cached_catalogue
    from skills.core.extract import extract_skills

    catalogue = cached_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        cli, problem = install(workdir)
        if cli is None:
            print(f"stack-analyser: not run: {problem}")
            return
        totals = {"ours": [0, 0], "theirs": [0, 0]}  # [expected found, reported]
        expected_total = 0
        for tree in sorted(p for p in FIXTURES.iterdir() if (p / "expected.yml").is_file()):
            expected = set(yaml.safe_load((tree / "expected.yml").read_text())["skills"])
            ours = {
                s.name for s in extract_skills(DirectorySource(tree), catalogue=catalogue).skills
            }
            keys = run_theirs(cli, workdir, tree)
            mapped = {key: our_name(key, catalogue) for key in keys}
            theirs = {name for name in mapped.values() if name}
            unknown = sorted(key for key, name in mapped.items() if name is None)
            expected_total += len(expected)
            for label, found, reported in (
                ("ours", ours, len(ours)),
                ("theirs", theirs, len(keys)),
            ):
                totals[label][0] += len(found & expected)
                totals[label][1] += reported
            print(f"== {tree.name} ({len(expected)} expected)")
            print(
                f"  ours   {len(ours & expected):>2}/{len(expected)} found; missed: {sorted(expected - ours)}"
            )
            print(f"         not expected: {sorted(ours - expected)}")
            print(
                f"  theirs {len(theirs & expected):>2}/{len(expected)} found; missed: {sorted(expected - theirs)}"
            )
            print(f"         not expected: {sorted(theirs - expected)}; unmapped keys: {unknown}")
        for label, (hits, reported) in totals.items():
            recall = hits / expected_total if expected_total else 0.0
            precision = hits / reported if reported else 0.0
            print(
                f"stack_report_{label}: recall {recall:.2f} precision {precision:.2f} ({hits}/{expected_total} expected, {reported} reported)"
            )


if __name__ == "__main__":
    main()
