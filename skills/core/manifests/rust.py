"""Rust manifests: Cargo.toml (dependency tables, workspace and per-target ones)."""

from __future__ import annotations

from typing import Any

from skills.core.manifests._load import as_dict, line_of, load_toml
from skills.core.manifests.types import Dependency

#: Database crates whose features name the database they talk to (sqlx "postgres").
_DATABASE_CRATES = frozenset({"sqlx", "diesel", "sea-orm", "sea-query", "refinery", "deadpool"})
_FEATURE_DATABASES = {
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "sqlite": "SQLite",
    "mssql": "Microsoft SQL Server",
    "sqlx": "",
}
_TABLES = (
    ("dependencies", "runtime"),
    ("dev-dependencies", "dev"),
    ("build-dependencies", "build"),
)


def parse(path: str, data: bytes) -> list[Dependency]:
    """Crates from ``[dependencies]``, ``[dev-dependencies]``, ``[build-dependencies]``,
    ``[workspace.dependencies]`` and ``[target.'cfg(..)'.*]``; names Cargo.

    Edge cases: a renamed crate (``alias = { package = "real" }``) counts
    under its real name; ``rust-version`` names Rust's minimum version.
    """
    doc = load_toml(path, data)
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "Cargo", "", "build", path, None)]
    package = as_dict(doc.get("package"))
    if isinstance(package.get("rust-version"), str):
        deps.append(
            Dependency(
                "skill",
                "Rust",
                package["rust-version"],
                "config",
                path,
                line_of(text, "rust-version"),
            )
        )
    tables: list[tuple[Any, str]] = [(doc.get(t), k) for t, k in _TABLES]
    tables.append((as_dict(doc.get("workspace")).get("dependencies"), "runtime"))
    for target in as_dict(doc.get("target")).values():
        tables.extend((as_dict(target).get(t), k) for t, k in _TABLES)
    for table, kind in tables:
        for alias, value in as_dict(table).items():
            name, spec = alias, ""
            if isinstance(value, str):
                spec = value
            elif isinstance(value, dict):
                name = (
                    value.get("package", alias)
                    if isinstance(value.get("package", alias), str)
                    else alias
                )
                spec = value.get("version", "") if isinstance(value.get("version", ""), str) else ""
            line = line_of(text, f"{alias} =")
            deps.append(Dependency("cargo", name, spec, kind, path, line))
            features = value.get("features") if isinstance(value, dict) else None
            for feature in features if isinstance(features, list) else []:
                database = _FEATURE_DATABASES.get(str(feature).split("-")[0].lower())
                if database and name in _DATABASE_CRATES:
                    deps.append(Dependency("skill", database, "", kind, path, line))
    return deps
