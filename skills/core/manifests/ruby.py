"""Ruby manifests: Gemfile (any quoting style), *.gemspec, Gemfile.lock (Bundler).

Quoting styles read: ``'x'``, ``"x"``, ``%q(x)``/``%q{x}``/``%Q[x]`` and
symbols (``gem :x``). Gems inside ``group :development``/``:test`` blocks (or
with a ``group:`` option naming only those) count as dev dependencies.
"""

from __future__ import annotations

import posixpath
import re

from skills.core.manifests._load import decode_text
from skills.core.manifests.types import Dependency

_STRING = r"""(?:'([^']*)'|"([^"]*)"|%[qQ]?[(\[{<]([^)\]}>]*)[)\]}>]|:([A-Za-z_][\w-]*))"""
_GEM = re.compile(r"^\s*gem\s*\(?\s*" + _STRING + r"(.*)$")
_SPEC_DEP = re.compile(r"\.add_(runtime_|development_)?dependency\s*\(?\s*" + _STRING + r"(.*)$")
_RUBY = re.compile(r"^\s*ruby\s+" + _STRING)
_GROUP = re.compile(r"^\s*group\s*\(?(.*?)\)?\s*do\b")
_BLOCK_OPEN = re.compile(r"\b(do|if|unless|case|begin|platforms|install_if)\b")
_DEV_GROUPS = {"development", "test"}


def _first(match: re.Match[str], start: int = 1) -> str:
    for index in range(start, start + 4):
        if match.group(index) is not None:
            return match.group(index)
    return ""


def _strings(text: str) -> list[str]:
    return [_first(m) for m in re.finditer(_STRING, text)]


def parse(path: str, data: bytes) -> list[Dependency]:
    """Dependencies of a Gemfile, a gemspec, or Bundler for a Gemfile.lock."""
    name = posixpath.basename(path).lower()
    if name == "gemfile.lock":
        return [Dependency("skill", "Bundler", "", "build", path, None)]
    if name.endswith(".gemspec"):
        return parse_gemspec(path, data)
    return parse_gemfile(path, data)


def parse_gemfile(path: str, data: bytes) -> list[Dependency]:
    """Gems with their version constraints and dev/runtime kind; names Bundler."""
    text = decode_text(path, data)
    deps = [Dependency("skill", "Bundler", "", "build", path, None)]
    group_stack: list[bool] = []  # True for a dev-only group block
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0] if not re.search(r"%[qQ]?[({\[<]", raw) else raw
        stripped = line.strip()
        if not stripped:
            continue
        group = _GROUP.match(stripped)
        if group:
            names = set(re.findall(r":(\w+)|['\"](\w+)['\"]", group.group(1)))
            flat = {a or b for a, b in names}
            group_stack.append(bool(flat) and flat <= _DEV_GROUPS)
            continue
        if stripped == "end" or stripped.startswith("end "):
            if group_stack:
                group_stack.pop()
            continue
        ruby = _RUBY.match(stripped)
        if ruby:
            deps.append(Dependency("skill", "Ruby", _first(ruby), "config", path, number))
            continue
        gem = _GEM.match(stripped)
        if gem:
            gem_name = _first(gem)
            rest = gem.group(5) or ""
            versions = [
                s for s in _strings(rest.split("group", 1)[0]) if re.match(r"^[~<>=!\d ]", s)
            ]
            dev = any(group_stack) or bool(
                re.search(r"group[s]?\s*(?::|=>)\s*\[?\s*:(development|test)\b", rest)
            )
            deps.append(
                Dependency(
                    "gem",
                    gem_name,
                    ", ".join(versions),
                    "dev" if dev else "runtime",
                    path,
                    number,
                )
            )
            continue
        if _BLOCK_OPEN.search(stripped) and re.search(r"\bdo\b(\s*\|.*\|)?\s*$", stripped):
            group_stack.append(False)  # other blocks (platforms, source) nest too
    return deps


def parse_gemspec(path: str, data: bytes) -> list[Dependency]:
    """``add_dependency``/``add_runtime_dependency``/``add_development_dependency`` calls."""
    text = decode_text(path, data)
    deps: list[Dependency] = []
    for number, raw in enumerate(text.splitlines(), 1):
        match = _SPEC_DEP.search(raw)
        if match:
            kind = "dev" if match.group(1) == "development_" else "runtime"
            versions = [s for s in _strings(match.group(6) or "") if re.match(r"^[~<>=!\d ]", s)]
            deps.append(
                Dependency("gem", _first(match, 2), ", ".join(versions), kind, path, number)
            )
    return deps
