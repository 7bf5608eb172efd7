"""The one YAML loader for every YAML file read from a repository.

Compose files, CI workflows, Kubernetes manifests, ``environment.yml`` and
``repotrackr.yml`` all come from untrusted repositories. They are read with
the safe constructor (plain data types only), and anchors and aliases are
accepted, as real compose and CI files use them (``<<: *defaults``), within
an expansion budget: each document's node graph is measured as if every
alias were copied out, and a document past ``max_nodes`` is refused. That
stops the "billion laughs" bomb, whose few hundred bytes stand for billions
of nodes, before anything walks it. A recursive alias (a node that contains
itself) is refused too.

The C parser is used when PyYAML has it; the budget check runs between
composing and constructing, so both parsers behave the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

#: Nodes one document may stand for once its aliases are expanded.
MAX_EXPANDED_NODES = 200_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """The text is not acceptable YAML; the message is short and safe to show."""


def load_all(text: str, *, max_nodes: int = MAX_EXPANDED_NODES) -> list[Any]:
    """Every document of a YAML stream as plain Python data.

    Raises ``YamlError`` for syntax errors (with the line), control
    characters, recursive aliases, nesting deeper than the interpreter can
    follow, and documents whose aliases expand past ``max_nodes`` nodes.
    """
    try:
        loader = _Loader(text)
    except yaml.YAMLError:
        raise YamlError("invalid YAML: control characters") from None
    try:
        return list(_documents(loader, max_nodes))
    except yaml.reader.ReaderError:
        raise YamlError("invalid YAML: control characters") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc.__class__.__name__
        if "nesting depth" in problem:
            raise YamlError("YAML nested too deeply") from None
        raise YamlError(f"invalid YAML: {problem}{where}") from None
    except RecursionError:
        raise YamlError("YAML nested too deeply") from None
    finally:
        loader.dispose()


def load(text: str, *, max_nodes: int = MAX_EXPANDED_NODES) -> Any:
    """The first document of a YAML stream (``None`` for an empty one)."""
    docs = load_all(text, max_nodes=max_nodes)
    return docs[0] if docs else None


def _documents(loader: Any, max_nodes: int) -> Iterator[Any]:
    while loader.check_node():
        node = loader.get_node()
        expanded = expanded_size(node, limit=max_nodes)
        if expanded > max_nodes:
            line = node.start_mark.line + 1 if node.start_mark else 1
            raise YamlError(
                f"YAML aliases expand the document starting at line {line} past "
                f"{max_nodes} nodes; refused as an alias bomb"
            )
        yield loader.construct_document(node)


def expanded_size(root: yaml.Node, *, limit: int) -> int:
    """Nodes ``root`` stands for with every alias copied out (stops counting past ``limit``).

    Each distinct node is measured once (aliases share node objects), so the
    cost is linear in the document, whatever the expansion.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    # Iterative post-order walk: nesting depth cannot exhaust the stack here.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            open_nodes.discard(key)
            total = 1
            for child in children:
                total += sizes[id(child)]
                if total > limit:
                    break
            sizes[key] = min(total, limit + 1)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise YamlError("YAML alias refers to a node that contains it (recursive alias)")
        open_nodes.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise YamlError("YAML alias refers to a node that contains it (recursive alias)")
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
