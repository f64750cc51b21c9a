"""Read YAML safely: plain data only, no anchors or aliases, the line of every field kept.

PyYAML's composer is used over libyaml's parser (when present): anchors and aliases are
refused as soon as they appear, so an alias bomb ("billion laughs") never expands; tags other
than the plain scalar ones are refused; duplicate keys, which PyYAML would drop silently, are
reported.
"""
from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from question_bank.located import (
    FILE,
    MAX_DEPTH,
    Path,
    Structured,
    field_name,
    note_duplicate,
)
from question_bank.model import Problem

_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _SEQ, _MAP = (
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _SafeComposer(Composer):
    """PyYAML's composer, refusing anchors, aliases and deep nesting before they build up."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _Refused(
                event.start_mark.line + 1,
                "YAML anchors and aliases (&name, *name) are not allowed; write the value out",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(event.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _CachedResolver(Resolver):
    """PyYAML's resolver, remembering the tag of short plain scalars (a measured hot spot:
    a bank repeats `A`, `TWK`, `single`, `true` hundreds of thousands of times)."""

    def __init__(self) -> None:
        super().__init__()
        self._plain_tags: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is not ScalarNode or not implicit[0] or len(value) > 40:
            return super().resolve(kind, value, implicit)
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = self._plain_tags[value] = super().resolve(kind, value, implicit)
        return tag


class _PyLoader(_SafeComposer, Reader, Scanner, Parser, SafeConstructor, _CachedResolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _SafeComposer.__init__(self)
        SafeConstructor.__init__(self)
        _CachedResolver.__init__(self)


_Loader: type = _PyLoader
if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _CLoader(_SafeComposer, CParser, SafeConstructor, _CachedResolver):
        """libyaml's parser (fast) under PyYAML's composer (to see every anchor)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _SafeComposer.__init__(self)
            SafeConstructor.__init__(self)
            _CachedResolver.__init__(self)

    _Loader = _CLoader


def load_yaml(text: str) -> tuple[Structured | None, list[Problem]]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        out = Structured(None)
        if root is not None:
            out.lines[()] = root.start_mark.line + 1
            out.value = _node_value(loader, root, (), out)
        return out, []
    except _Refused as exc:
        return None, [Problem(exc.line, FILE, exc.message)]
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc)]
    except yaml.YAMLError as exc:
        return None, [Problem(None, FILE, f"YAML syntax error: {exc}")]
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if exc.context == "expected a single document in the stream":
        message = "the file holds more than one YAML document (a second '---'); keep one"
        return Problem(mark.line + 1 if mark else None, FILE, message)
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return Problem(mark.line + 1 if mark else None, FILE, message)


def _node_value(loader: SafeConstructor, node: Node, path: Path, out: Structured) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, ScalarNode):
        return _scalar(loader, node, path, out)
    if isinstance(node, SequenceNode) and node.tag == _SEQ:
        items = []
        for index, item in enumerate(node.value):
            out.lines[(*path, index)] = item.start_mark.line + 1
            items.append(_node_value(loader, item, (*path, index), out))
        return items
    if isinstance(node, MappingNode) and node.tag == _MAP:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                problem = Problem(key_line, field_name(path), "a key must be a plain word")
                out.notes.append((path, problem))
                continue
            child = (*path, key_node.value)
            if key_node.value in mapping:
                note_duplicate(out, child, key_line)
                continue
            out.lines[child] = key_line
            mapping[key_node.value] = _node_value(loader, value_node, child, out)
        return mapping
    _refuse_tag(node.tag, path, line, out)
    return None


def _scalar(loader: SafeConstructor, node: ScalarNode, path: Path, out: Structured) -> Any:
    if node.tag == _TIMESTAMP:
        return node.value               # a date is just text in our formats
    if node.tag not in (_STR, _INT, _FLOAT, _BOOL, _NULL):
        _refuse_tag(node.tag, path, node.start_mark.line + 1, out)
        return None
    try:
        value = loader.construct_object(node)
    except (ValueError, KeyError):
        message = f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}"
        out.notes.append((path, Problem(node.start_mark.line + 1, field_name(path), message)))
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        out.spelled[path] = node.value
    return value


def _refuse_tag(tag: str, path: Path, line: int, out: Structured) -> None:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    message = f"the YAML tag {shown} is not allowed here; use plain values"
    out.notes.append((path, Problem(line, field_name(path), message)))
