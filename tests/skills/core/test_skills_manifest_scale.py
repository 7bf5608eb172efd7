"""Big manifests: line numbers in one pass, and the per-extraction manifest byte budget."""

import json
import time

from projects.core.source import MemorySource
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills
from skills.core.manifests import node, php, python
from skills.core.manifests._load import TextLines, line_of


def package_json(count: int) -> bytes:
    deps = {f"pkg-{i}": "^1.0.0" for i in range(count)}
    return json.dumps({"name": "big", "dependencies": deps}, indent=2).encode()


def test_a_package_json_with_10k_dependencies_parses_in_well_under_a_second_of_cpu():
    # Quadratic line numbering took 12 s here; one pass takes a few tens of
    # milliseconds. CPU time (not wall time) keeps other processes out of it,
    # and the bound leaves a 20-fold margin above the linear cost.
    data = package_json(10_000)
    started = time.process_time()
    deps = node.parse("package.json", data)
    spent = time.process_time() - started
    npm = [d for d in deps if d.ecosystem == "npm"]
    assert len(npm) == 10_000
    assert (npm[0].name, npm[0].line) == ("pkg-0", 4)
    assert (npm[-1].name, npm[-1].line) == ("pkg-9999", 10_003)
    assert spent < 1.0, f"{spent:.2f} s of CPU for 10k dependencies"


class CountingText(str):
    """A text that counts the characters its ``find`` calls scan."""

    scanned = 0

    def find(self, sub, start=0, *args):
        pos = super().find(sub, start, *args)
        CountingText.scanned += (pos if pos >= 0 else len(self)) - start
        return pos


def test_line_numbers_scale_linearly_doubling_the_input_at_most_triples_the_scan():
    # The work is counted, not timed, so the check cannot flake: searching
    # from the start for every name (the quadratic way) quadruples it.
    def scanned(count: int) -> int:
        CountingText.scanned = 0
        lines = TextLines(CountingText(package_json(count).decode()))
        assert [lines.next(f"pkg-{i}") for i in range(count)] == [i + 4 for i in range(count)]
        return CountingText.scanned

    small, large = scanned(2_000), scanned(4_000)
    assert large <= 3 * small


def test_names_out_of_order_still_get_their_own_line():
    text = '{\n  "b": "1",\n  "a": "2"\n}\n'
    lines = TextLines(text)
    assert lines.next("a") == 3
    assert lines.next("b") == 2  # behind the cursor: found from the start
    assert lines.find("nowhere") is None
    assert line_of(text, "a") == 3


def test_composer_and_pyproject_lines_come_from_the_same_single_pass():
    composer = json.dumps(
        {"require": {f"vendor/p{i}": "^1" for i in range(3_000)}}, indent=2
    ).encode()
    deps = [d for d in php.parse("composer.json", composer) if d.ecosystem == "composer"]
    assert deps[-1].line == 3_002
    items = ",\n".join(f'  "p{i}>=1"' for i in range(3_000))
    toml = f'[project]\nname = "x"\ndependencies = [\n{items}\n]\n'.encode()
    deps = python.parse("pyproject.toml", toml)
    assert [d.line for d in deps if d.name == "p2999"] == [3_003]


def test_the_manifest_byte_budget_stops_reading_and_says_so():
    files = {
        "requirements.txt": "django==5.0\n",
        "services/a/package.json": package_json(200).decode(),
        "services/b/package.json": json.dumps({"dependencies": {"react": "18"}}),
    }
    first = len(files["requirements.txt"].encode()) + len(files["services/a/package.json"])
    result = extract_skills(
        MemorySource(files), catalogue=cached_catalogue(), manifest_budget=first
    )
    assert "Django" in {s.name for s in result.skills}
    assert "React" not in {s.name for s in result.skills}
    assert result.manifests_read == ("requirements.txt", "services/a/package.json")
    assert result.manifests_skipped == (
        (
            "services/b/package.json",
            f"not read: the manifest byte budget ({first} bytes) is spent",
        ),
    )
