"""Safe decoding of untrusted manifest bytes: text, JSON, TOML and YAML.

Every loader turns every failure into ``ManifestError`` with a short reason
that is safe to show, so a malformed file is reported and skipped instead of
failing the extraction. YAML goes through the one shared safe loader
(anchors and aliases within an expansion budget, so an alias bomb is
refused), and every format has a size cap.
Deeply nested documents raise ``RecursionError`` inside the parsers; that is
caught here too.
"""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from typing import Any

from repotrackr.core import safe_yaml
from skills.core.manifests.types import ManifestError

#: Manifests are small; anything bigger is almost certainly not hand-written.
MAX_MANIFEST_BYTES = 1_000_000


def decode_text(path: str, data: bytes, *, max_bytes: int = MAX_MANIFEST_BYTES) -> str:
    """Return ``data`` as text or raise ``ManifestError`` (binary, too big, bad UTF-8).

    A NUL byte in the first KiB marks a binary file. A UTF-8 byte-order mark
    is dropped; invalid UTF-8 is rejected rather than guessed at.
    """
    if len(data) > max_bytes:
        raise ManifestError(f"larger than {max_bytes} bytes")
    if b"\x00" in data[:1024]:
        raise ManifestError("binary content")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"not valid UTF-8 (byte {exc.start})") from None
    return text


def load_json(path: str, data: bytes) -> Any:
    """Parse strict JSON; ``ManifestError`` on any syntax or nesting problem."""
    text = decode_text(path, data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise ManifestError("JSON nested too deeply") from None


_JSONC_TOKENS = re.compile(
    r'"(?:\\.|[^"\\])*"'  # strings are kept as they are
    r"|//[^\n]*"  # line comments
    r"|/\*.*?\*/",  # block comments
    re.DOTALL,
)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def load_jsonc(path: str, data: bytes) -> Any:
    """Parse JSON with comments and trailing commas (tsconfig.json, VS Code style)."""
    text = decode_text(path, data)

    def keep_strings(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith('"') else ""

    stripped = _JSONC_TOKENS.sub(keep_strings, text)
    stripped = _TRAILING_COMMA.sub(r"\1", stripped)
    return load_json(path, stripped.encode())


def load_toml(path: str, data: bytes) -> dict[str, Any]:
    """Parse TOML with the standard library; ``ManifestError`` when invalid."""
    text = decode_text(path, data)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"invalid TOML: {exc}") from None
    except RecursionError:
        raise ManifestError("TOML nested too deeply") from None


def load_yaml_all(path: str, data: bytes, *, max_bytes: int = MAX_MANIFEST_BYTES) -> list[Any]:
    """Parse every document of a YAML stream safely; ``ManifestError`` when invalid.

    The shared safe loader (``repotrackr.core.safe_yaml``): plain data types
    only, anchors and aliases within an expansion budget, deep nesting and
    alias bombs reported with a clear reason.
    """
    text = decode_text(path, data, max_bytes=max_bytes)
    try:
        return safe_yaml.load_all(text)
    except safe_yaml.YamlError as exc:
        raise ManifestError(str(exc)) from None


def load_yaml(path: str, data: bytes, *, max_bytes: int = MAX_MANIFEST_BYTES) -> Any:
    """Parse a single-document YAML file (the first document if there are several)."""
    docs = load_yaml_all(path, data, max_bytes=max_bytes)
    return docs[0] if docs else None


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty dict (tolerates odd shapes)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty list."""
    return value if isinstance(value, list) else []


class TextLines:
    """Line numbers of a manifest's text, found in one pass.

    The offsets of every line start are computed once; a position's line is
    then a binary search. ``next`` remembers where the last hit ended, so
    names looked up in document order (a package.json section, a
    requirements file) are each found by scanning forward from the previous
    one: a whole manifest costs one pass, not one pass per dependency.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self._cursor = 0

    def line_at(self, pos: int) -> int:
        """1-based line of the character at ``pos``."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        return bisect.bisect_right(self._starts, pos)

    def find(self, needle: str, start: int = 0) -> int | None:
        """1-based line of the first ``needle`` (quoted or bare) from ``start``, if any."""
        found = self._position(needle, start)
        return None if found is None else self.line_at(found[0])

    def next(self, needle: str, start: int = 0) -> int | None:
        """Like ``find``, but first from where the previous ``next`` hit ended.

        Falls back to ``find`` from ``start`` when the name is not ahead
        (written out of order). Names looked up in document order thus get
        the occurrence after the previous name, not an earlier mention.
        """
        found = self._position(needle, max(start, self._cursor))
        if found is None:
            found = self._position(needle, start)
        if found is None:
            return None
        self._cursor = found[1]
        return self.line_at(found[0])

    def _position(self, needle: str, start: int) -> tuple[int, int] | None:
        for candidate in (f'"{needle}"', f"'{needle}'", needle):
            pos = self.text.find(candidate, start)
            if pos >= 0:
                return pos, pos + len(candidate)
        return None


_NEWLINE = re.compile("\n")


def line_of(text: str, needle: str, start: int = 0) -> int | None:
    """1-based line of the first occurrence of ``needle`` (quoted or bare), if any.

    For one look-up. Many look-ups in the same text go through ``TextLines``.
    """
    pos = -1
    for candidate in (f'"{needle}"', f"'{needle}'", needle):
        pos = text.find(candidate, start)
        if pos >= 0:
            return text.count("\n", 0, pos) + 1
    return None
