"""Imports in Python, JavaScript/TypeScript and Go code: what the code really uses.

Manifests say what a project declares; imports say what its code uses. A
repository with no manifest (a research project that only has
``import torch``) is known by its imports alone, and a library declared but
imported nowhere is likely transitive noise.

Scanning is bounded:

* only source files are candidates; tests, vendored, generated and
  documentation paths are not (``is_candidate``);
* at most ``max_files`` files are read: past that an even sample across
  the sorted paths is taken, and the scan is reported as not complete;
* only the first ``max_bytes`` of each file are read (imports sit at the top).

Import names become package names: Python import names go through a table
of the well-known differences (``PIL`` is Pillow, ``yaml`` PyYAML,
``sklearn`` scikit-learn); the standard library and the repository's own
modules are left out. JavaScript specifiers keep their package part
(``@scope/name`` or ``name``); relative paths, path aliases and Node's
built-in modules are left out. Go import paths are kept whole (the catalogue
matches module prefixes); the standard library (no dot in the first
segment) is left out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from skills.core.manifests.types import Dependency

DEFAULT_MAX_FILES = 2_000
DEFAULT_MAX_BYTES = 16 * 1024

PYTHON_SUFFIXES = (".py",)
JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".vue", ".svelte")
GO_SUFFIXES = (".go",)

#: Python import name → PyPI project, where they differ.
PYTHON_IMPORT_PACKAGES = {
    "PIL": "pillow",
    "yaml": "pyyaml",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "pyjwt",
    "magic": "python-magic",
    "serial": "pyserial",
    "usb": "pyusb",
    "Crypto": "pycryptodome",
    "OpenSSL": "pyopenssl",
    "MySQLdb": "mysqlclient",
    "psycopg2": "psycopg2",
    "google.cloud": "google-cloud-core",
    "googleapiclient": "google-api-python-client",
    "attr": "attrs",
    "dns": "dnspython",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "fitz": "pymupdf",
    "telegram": "python-telegram-bot",
    "discord": "discord.py",
    "jose": "python-jose",
    "multipart": "python-multipart",
    "kafka": "kafka-python",
    "tf_keras": "tf-keras",
    "lightning": "lightning",
    "pl_bolts": "lightning-bolts",
    "wandb": "wandb",
    "hydra": "hydra-core",
    "git": "gitpython",
    "github": "pygithub",
    "slack_sdk": "slack-sdk",
    "faiss": "faiss-cpu",
    "sentence_transformers": "sentence-transformers",
    "llama_index": "llama-index",
    "websocket": "websocket-client",
    "zmq": "pyzmq",
    "Bio": "biopython",
    "nacl": "pynacl",
    "ldap": "python-ldap",
    "win32api": "pywin32",
}

#: Files per package kept as evidence: more say nothing new and cost time.
MAX_FILES_PER_PACKAGE = 3

#: Node's built-in modules: importing them needs no package.
NODE_BUILTINS = frozenset(
    "assert async_hooks buffer child_process cluster console constants crypto dgram "
    "diagnostics_channel dns domain events fs http http2 https inspector module net os path "
    "perf_hooks process punycode querystring readline repl stream string_decoder sys timers "
    "tls trace_events tty url util v8 vm wasi worker_threads zlib test".split()
)

_TEST_DIRS = frozenset(
    {"test", "tests", "testing", "__tests__", "spec", "specs", "e2e", "cypress", "testdata"}
)
_PY_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([A-Za-z_][\w., \t]*))",
    re.M,
)
# The specifier follows ``from`` (``import x from``, ``export … from``, even
# across lines), a bare ``import``, or ``import(``/``require(``. Anchoring on
# those words alone keeps the search linear: no pattern spans the clause.
# The word boundary is checked by hand: a leading ``\b`` makes the search
# several times slower.
_JS_IMPORT = re.compile(r"""(?:from|import|require)\s*\(?\s*['"]([^'"\n]+)['"]""")
_NPM_NAME = re.compile(r"^[a-z0-9][\w.-]*$")
_GO_BLOCK = re.compile(r"^import\s*\(([^)]*)\)", re.M)
_GO_SINGLE = re.compile(r"""^import\s+(?:[\w.]+\s+)?"([^"]+)\"""", re.M)
_GO_PATH = re.compile(r'"([^"]+)"')


@dataclass(frozen=True, slots=True)
class ImportScan:
    """What the import scan found: one ``Dependency`` (kind ``import``) per
    package and file, and whether every candidate file was read whole enough."""

    dependencies: tuple[Dependency, ...]
    files_scanned: int
    complete: bool
    ecosystems: frozenset[str]


def is_candidate(path: str) -> bool:
    """True for a source file worth scanning: not a test, not a type stub."""
    lower = path.lower()
    if not lower.endswith(PYTHON_SUFFIXES + JS_SUFFIXES + GO_SUFFIXES):
        return False
    parts = lower.split("/")
    if not _TEST_DIRS.isdisjoint(parts[:-1]):
        return False
    name = parts[-1]
    return not (
        name.startswith("test_")
        or name.endswith(("_test.py", "_test.go", ".d.ts", "conftest.py"))
        or ".test." in name
        or ".spec." in name
        or ".stories." in name
    )


def sample(paths: Sequence[str], max_files: int) -> list[str]:
    """At most ``max_files`` of ``paths``, spread evenly over the sorted list."""
    ordered = sorted(paths)
    if len(ordered) <= max_files:
        return ordered
    step = len(ordered) / max_files
    return [ordered[int(i * step)] for i in range(max_files)]


def own_python_modules(paths: Iterable[str]) -> frozenset[str]:
    """Top-level names the repository itself provides: its folders and module files."""
    names: set[str] = set()
    for path in paths:
        parts = path.split("/")
        names.update(part for part in parts[:-1])
        if parts[-1].endswith(".py"):
            names.add(parts[-1][:-3])
    return frozenset(names)


def scan_imports(
    contents: dict[str, bytes],
    *,
    own_modules: frozenset[str],
    complete: bool,
) -> ImportScan:
    """Import dependencies of already-read file heads (path → first bytes)."""
    deps: list[Dependency] = []
    ecosystems: set[str] = set()
    per_package: dict[tuple[str, str], int] = {}
    for path in sorted(contents):
        data = contents[path]
        text = data.decode("utf-8", "replace")
        lower = path.lower()
        if lower.endswith(PYTHON_SUFFIXES):
            found = _python(text, own_modules)
            ecosystem = "pypi"
        elif lower.endswith(GO_SUFFIXES):
            found = _go(text)
            ecosystem = "go"
        else:
            found = _javascript(text)
            ecosystem = "npm"
        ecosystems.add(ecosystem)
        for name, line in found.items():
            seen = per_package.get((ecosystem, name), 0)
            if seen < MAX_FILES_PER_PACKAGE:
                per_package[(ecosystem, name)] = seen + 1
                deps.append(Dependency(ecosystem, name, "", "import", path, line))
    return ImportScan(tuple(deps), len(contents), complete, frozenset(ecosystems))


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _lines_with(text: str, words: tuple[str, ...]) -> Iterable[tuple[int, str]]:
    """(start offset, line) of each line holding one of ``words``, in order.

    ``str.find`` jumps from one occurrence to the next, so the regular
    expressions only ever see the few lines that can hold an import.
    """
    starts: set[int] = set()
    for word in words:
        pos = text.find(word)
        while pos >= 0:
            start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            starts.add(start)
            pos = text.find(word, end)
    for start in sorted(starts):
        end = text.find("\n", start)
        yield start, text[start : len(text) if end < 0 else end]


def _python(text: str, own: frozenset[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start, line in _lines_with(text, ("import",)):
        match = _PY_IMPORT.match(line)
        if match is None:
            continue
        if match.group(1):
            modules = [match.group(1)]
        else:
            modules = [part.split(" as ")[0].strip() for part in match.group(2).split(",")]
        for module in modules:
            package = _python_package(module, own)
            if package and package not in found:
                found[package] = _line_at(text, start)
    return found


def _python_package(module: str, own: frozenset[str]) -> str | None:
    if not module or module.startswith("."):
        return None
    top = module.split(".", 1)[0].strip()
    if not top or top in sys.stdlib_module_names or top in own or top == "__future__":
        return None
    dotted = ".".join(module.split(".")[:2])
    return PYTHON_IMPORT_PACKAGES.get(dotted) or PYTHON_IMPORT_PACKAGES.get(top) or top


def _javascript(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for start, line in _lines_with(text, ("from", "import", "require")):
        for match in _JS_IMPORT.finditer(line):
            at = match.start()
            if at and (line[at - 1].isalnum() or line[at - 1] in "_$."):
                continue
            package = _npm_package(match.group(1))
            if package and package not in found:
                found[package] = _line_at(text, start)
    return found


def _npm_package(specifier: str) -> str | None:
    if specifier.startswith((".", "/", "~", "#", "node:", "@/", "$", "virtual:")):
        return None
    parts = specifier.split("/")
    if specifier.startswith("@"):
        return "/".join(parts[:2]) if len(parts) >= 2 and parts[1] else None
    name = parts[0]
    if name in NODE_BUILTINS or not _NPM_NAME.match(name):
        return None
    return name


_GO_FIRST_DECLARATION = re.compile(r"^(?:func|type|var|const)\b", re.M)


def _go(text: str) -> dict[str, int]:
    # Go allows imports only before the first declaration: the rest is not searched.
    declaration = _GO_FIRST_DECLARATION.search(text)
    if declaration is not None:
        text = text[: declaration.start()]
    found: dict[str, int] = {}
    spans = [(m.start(), m.group(1)) for m in _GO_SINGLE.finditer(text)]
    for block in _GO_BLOCK.finditer(text):
        spans.extend(
            (block.start(1) + m.start(), m.group(1)) for m in _GO_PATH.finditer(block.group(1))
        )
    for pos, path in sorted(spans):
        first = path.split("/", 1)[0]
        if "." in first and path not in found:
            found[path] = _line_at(text, pos)
    return found
