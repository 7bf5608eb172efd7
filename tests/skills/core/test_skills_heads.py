import os

from projects.core.source import DirectorySource, FileEntry, MemorySource
from skills.core.heads import read_heads


def test_directory_heads_read_only_the_first_bytes(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_bytes(b"x" * 5000)
    (tmp_path / "b.go").write_bytes(b"package b\n")
    source = DirectorySource(tmp_path)
    heads = read_heads(source, source.list_files(), size=1024, max_file_bytes=10_000)
    assert heads == {"pkg/a.py": b"x" * 1024, "b.go": b"package b\n"}


def test_directory_heads_never_follow_links_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("TOKEN = 1\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside / "secret.py", repo / "secret.py")
    os.symlink(outside, repo / "linked")
    entries = [
        FileEntry("secret.py", 10),
        FileEntry("linked/secret.py", 10),
        FileEntry("../outside/secret.py", 10),
    ]
    assert read_heads(DirectorySource(repo), entries, size=1024, max_file_bytes=10_000) == {}


def test_other_sources_are_read_in_batches_and_cut_to_size():
    source = MemorySource({"a.py": b"a" * 70_000, "b.py": b"b" * 10, "c.py": b"c" * 200_000})
    heads = read_heads(source, source.list_files(), size=4, max_file_bytes=100_000)
    assert heads == {"a.py": b"aaaa", "b.py": b"bbbb"}  # c.py is over the cap


def test_nested_folders_resolve_through_their_parents_and_links_inside_are_kept(tmp_path):

    repo = tmp_path / "repo"
    (repo / "a" / "b" / "c").mkdir(parents=True)
    (repo / "a" / "b" / "c" / "x.py").write_text("import os\n")
    (repo / "outside_link_target").mkdir()
    (repo / "outside_link_target" / "y.py").write_text("y = 1\n")
    os.symlink(repo / "outside_link_target", repo / "a" / "inner")
    os.symlink(tmp_path, repo / "a" / "escape")
    (tmp_path / "z.py").write_text("secret\n")
    entries = [
        FileEntry("a/b/c/x.py", 10),
        FileEntry("a/inner/y.py", 6),
        FileEntry("a/escape/z.py", 7),
    ]
    heads = read_heads(DirectorySource(repo), entries, size=64, max_file_bytes=1000)
    assert heads == {"a/b/c/x.py": b"import os\n", "a/inner/y.py": b"y = 1\n"}
