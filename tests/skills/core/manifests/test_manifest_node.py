import pytest

from skills.core.manifests import node
from skills.core.manifests.types import ManifestError


def test_package_json_without_a_name_reads_every_section():
    text = b"""{
  "scripts": {"build": "NODE_ENV=production next build && tsc -p .", "test": "npx jest --ci"},
  "dependencies": {"react": "^18.3.1", "@nestjs/core": "^10"},
  "devDependencies": {"typescript": "^5.4"},
  "peerDependencies": {"react-dom": "*"},
  "engines": {"node": ">=20"},
  "packageManager": "pnpm@9.1.0",
  "workspaces": ["packages/*"]
}"""
    deps = node.parse("web/package.json", text)
    kinds = {(d.ecosystem, d.name, d.kind) for d in deps}
    assert ("npm", "react", "runtime") in kinds
    assert ("npm", "@nestjs/core", "runtime") in kinds
    assert ("npm", "typescript", "dev") in kinds
    assert ("npm", "react-dom", "peer") in kinds
    assert ("npm", "next", "script") in kinds and ("npm", "jest", "script") in kinds
    assert ("skill", "Node.js", "config") in kinds
    assert ("skill", "pnpm", "build") in kinds
    react = next(d for d in deps if d.name == "react")
    assert (react.spec, react.line) == ("^18.3.1", 3)


@pytest.mark.parametrize(
    ("name", "manager"),
    [
        ("package-lock.json", "npm"),
        ("yarn.lock", "Yarn"),
        ("pnpm-lock.yaml", "pnpm"),
        ("bun.lockb", "Bun"),
    ],
)
def test_lock_files_name_their_package_manager_without_reading(name, manager):
    deps = node.parse(f"app/{name}", b"")
    assert [(d.ecosystem, d.name) for d in deps] == [("skill", manager)]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01\x02PK binary", "binary"),
        (b'{"dependencies": ', "invalid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"dependencies": ["react"]}', "not an object"),
        (b"\xff\xfe{}", "UTF-8"),
    ],
)
def test_malformed_package_json_is_reported(data, reason):
    with pytest.raises(ManifestError, match=reason):
        node.parse("package.json", data)
