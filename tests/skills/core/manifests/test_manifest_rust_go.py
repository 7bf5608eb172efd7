import pytest

from skills.core.manifests import go, rust
from skills.core.manifests.types import ManifestError


def test_cargo_reads_every_dependency_table_renames_and_database_features():
    text = b"""[package]
name = "x"
rust-version = "1.75"
[dependencies]
tokio = { version = "1", features = ["full"] }
web = { package = "axum", version = "0.7" }
sqlx = { version = "0.7", features = ["runtime-tokio", "postgres"] }
[dev-dependencies]
proptest = "1"
[build-dependencies]
tonic-build = "0.11"
[target.'cfg(unix)'.dependencies]
nix = "0.28"
[workspace.dependencies]
serde = "1"
"""
    deps = rust.parse("Cargo.toml", text)
    got = {(d.ecosystem, d.name, d.kind) for d in deps}
    assert {
        ("cargo", "tokio", "runtime"),
        ("cargo", "axum", "runtime"),
        ("cargo", "proptest", "dev"),
        ("cargo", "tonic-build", "build"),
        ("cargo", "nix", "runtime"),
        ("cargo", "serde", "runtime"),
        ("skill", "PostgreSQL", "runtime"),
        ("skill", "Cargo", "build"),
        ("skill", "Rust", "config"),
    } <= got
    assert next(d for d in deps if d.name == "axum").line == 6


def test_invalid_cargo_toml_is_reported():
    with pytest.raises(ManifestError):
        rust.parse("Cargo.toml", b"[dependencies\ntokio = ")


def test_go_mod_reads_single_lines_and_require_blocks_but_not_indirect_ones():
    text = b"""module example.com/app

go 1.22

require github.com/gin-gonic/gin v1.10.0

require (
\tgithub.com/jackc/pgx/v5 v5.6.0
\t// a comment
\tgolang.org/x/net v0.25.0 // indirect
)

replace (
\tgithub.com/old/mod => ../mod
)
"""
    deps = go.parse("go.mod", text)
    got = [(d.ecosystem, d.name, d.spec, d.line) for d in deps if d.ecosystem == "go"]
    assert got == [
        ("go", "github.com/gin-gonic/gin", "v1.10.0", 5),
        ("go", "github.com/jackc/pgx/v5", "v5.6.0", 8),
    ]
    assert ("skill", "Go", "1.22") in {(d.ecosystem, d.name, d.spec) for d in deps}


def test_go_mod_without_module_is_reported():
    with pytest.raises(ManifestError, match="module"):
        go.parse("go.mod", b"require github.com/x/y v1\n")
