import os
import time
from pathlib import Path

import pytest

from projects.core.source import DirectorySource, MemorySource
from skills.core.catalogue import load_catalogue
from skills.core.extract import extract_skills

FIXTURE = Path(__file__).parent / "catalogue_fixture"

YAML_BOMB = "services:\n  a: &a {image: postgres}\n" + "".join(
    f"  b{i}: &b{i} [{', '.join(['*a' if i == 0 else f'*b{i - 1}'] * 9)}]\n" for i in range(9)
)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(FIXTURE)


def extract_dir(root, catalogue, **kwargs):
    return extract_skills(DirectorySource(root), catalogue=catalogue, **kwargs)


def cpu_seconds_of(work):
    """Run ``work`` and return (its result, the CPU seconds this process spent on it).

    CPU time, not wall time: on a loaded machine a parser waits for a core without doing
    more work, and a runaway parser burns CPU whatever the load.
    """
    started = time.process_time()
    result = work()
    return result, time.process_time() - started


def bytes_read_by_this_process() -> int:
    """Bytes this process has read through read() calls so far (Linux ``rchar``)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("/proc/self/io has no rchar line")


def test_a_200_mb_manifest_and_code_file_are_skipped_without_being_read(tmp_path, catalogue):
    for name in ("package.json", "bundle.js"):
        with open(tmp_path / name, "wb") as fh:
            fh.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    (tmp_path / "requirements.txt").write_text("django\n")
    read_before = bytes_read_by_this_process()
    result = extract_dir(tmp_path, catalogue)
    # Neither 200 MB file was read: far less than one of them went through read().
    assert bytes_read_by_this_process() - read_before < 5 * 1024 * 1024
    assert dict(result.manifests_skipped)["package.json"].startswith("larger than 1000000 bytes")
    assert dict(result.files_skipped)["bundle.js"].startswith("larger than")
    assert [s.name for s in result.skills] == ["Django"]


def test_a_binary_package_json_is_reported(tmp_path, catalogue):
    (tmp_path / "package.json").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    )
    result = extract_dir(tmp_path, catalogue)
    assert result.manifests_skipped == (("package.json", "binary content"),)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("package.json", '{"dependencies": {"react": }', "invalid JSON"),
        ("pyproject.toml", "[project]\ndependencies = [", "invalid TOML"),
        ("docker-compose.yml", "services:\n  web: [unclosed\n", "invalid YAML"),
        ("docker-compose.yml", YAML_BOMB, "refused as an alias bomb"),
        ("package.json", "[" * 200_000 + "]" * 200_000, "nested too deeply"),
        (
            "docker-compose.yml",
            "a: " + "[" * 50_000 + "]" * 50_000,
            "nested too deeply",
        ),
        (
            "Cargo.toml",
            "[dependencies]\nx = " + "{a = " * 50_000 + "1" + "}" * 50_000,
            "TOML",
        ),
    ],
)
def test_invalid_bombed_or_deeply_nested_manifests_are_reported(
    tmp_path, catalogue, name, content, reason
):
    (tmp_path / name).write_text(content)
    (tmp_path / "requirements.txt").write_text("django\n")
    result, cpu_seconds = cpu_seconds_of(lambda: extract_dir(tmp_path, catalogue))
    assert cpu_seconds < 5
    skipped = dict(result.manifests_skipped)
    assert reason in skipped[name]
    assert "Django" in {s.name for s in result.skills}


def test_symlinks_out_of_the_tree_are_listed_and_never_read(tmp_path, catalogue):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "requirements.txt").write_text("django\n")
    (outside / "secret.py").write_text("TOKEN = 'x'\n" * 100)
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside / "requirements.txt", repo / "requirements.txt")
    os.symlink(outside / "secret.py", repo / "secret.py")
    os.symlink(outside, repo / "linked_dir")
    (repo / "Gemfile").write_text('gem "rails"\n')
    (repo / "reqs.txt").write_text("")
    result = extract_dir(repo, catalogue)
    assert result.manifests_skipped == (("requirements.txt", "symbolic link, not followed"),)
    assert ("secret.py", "symbolic link, not followed") in result.files_skipped
    assert [s.name for s in result.skills] == ["Ruby on Rails"]
    assert [share.name for share in result.languages] == [
        "Ruby"
    ]  # the Gemfile; not the linked secret.py


def test_a_requirements_include_through_a_link_out_of_the_tree_is_not_followed(tmp_path, catalogue):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "base.txt").write_text("django\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside / "base.txt", repo / "base.txt")
    (repo / "requirements.txt").write_text("-r base.txt\n-r ../outside/base.txt\npytest\n")
    result = extract_dir(repo, catalogue)
    assert [s.name for s in result.skills] == ["pytest"]


def test_100000_files_finish_and_a_lower_file_cap_is_reported(catalogue):
    files = {f"pkg{i // 1000}/mod{i}.py": "x = 1\n" for i in range(100_000)}
    files["requirements.txt"] = "django\n"
    source = MemorySource(files)
    result, cpu_seconds = cpu_seconds_of(lambda: extract_skills(source, catalogue=catalogue))
    assert cpu_seconds < 30
    assert result.files_examined == 100_001
    assert result.languages[0].bytes == 600_000
    capped = extract_skills(source, catalogue=catalogue, max_files=50_000)
    assert capped.files_examined == 50_000
    assert capped.files_skipped[0][1] == "100001 files listed; only the first 50000 were examined"


def test_a_fifo_named_like_a_manifest_never_blocks_the_extraction(tmp_path, catalogue):
    os.mkfifo(tmp_path / "package.json")
    os.mkfifo(tmp_path / "base.txt")
    (tmp_path / "requirements.txt").write_text("-r base.txt\ndjango\n")
    result = extract_dir(tmp_path, catalogue)
    assert [s.name for s in result.skills] == ["Django"]
    assert result.manifests_skipped == ()  # a FIFO is not a file of the repository
