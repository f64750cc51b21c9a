"""Read JSON with the standard library, and learn the line of every field as well."""
from __future__ import annotations

import json
import re
from bisect import bisect_left
from typing import Any

from question_bank.located import FILE, MAX_DEPTH, Path, Structured, note_duplicate
from question_bank.model import Problem

_WS = re.compile(r"[ \t\n\r]*")


def load_json(text: str) -> tuple[Structured | None, list[Problem]]:
    # json.loads gives the standard error with its line; the walk below then reads the same
    # (now known-good) text again to learn where each field is.
    if not text.strip():
        return Structured(None), []
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"JSON syntax error: {exc.msg} (column {exc.colno})"
        return None, [Problem(exc.lineno, FILE, message)]
    except RecursionError:
        return None, [Problem(1, FILE, "the JSON is nested too deeply")]
    try:
        return _JsonWalk(text).run(), []
    except _TooDeep as exc:
        return None, [Problem(exc.line, FILE, f"nesting deeper than {MAX_DEPTH} levels")]


class _TooDeep(Exception):
    def __init__(self, line: int | None) -> None:
        super().__init__(line)
        self.line = line


class _JsonWalk:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.scan_once = json.JSONDecoder().scan_once
        self.out = Structured(None)

    def run(self) -> Structured:
        start = self._ws(0)
        self.out.lines[()] = self._line(start)
        self.out.value, _ = self._value(start, (), 0)
        return self.out

    def _ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def _line(self, i: int) -> int:
        return bisect_left(self.newlines, i) + 1

    def _value(self, i: int, path: Path, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise _TooDeep(self._line(i))
        char = self.text[i]
        if char == "{":
            return self._object(i, path, depth)
        if char == "[":
            return self._array(i, path, depth)
        value, end = self.scan_once(self.text, i)
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.out.spelled[path] = self.text[i:end]
        return value, end

    def _object(self, i: int, path: Path, depth: int) -> tuple[dict, int]:
        obj: dict[str, Any] = {}
        i = self._ws(i + 1)
        if self.text[i] == "}":
            return obj, i + 1
        while True:
            line = self._line(i)
            key, i = json.decoder.scanstring(self.text, i + 1)
            child = (*path, key)
            value, i = self._value(self._ws(self._ws(i) + 1), child, depth + 1)
            if key in obj:
                note_duplicate(self.out, child, line)
            else:
                self.out.lines[child] = line
                obj[key] = value
            i = self._ws(i)
            if self.text[i] == "}":
                return obj, i + 1
            i = self._ws(i + 1)

    def _array(self, i: int, path: Path, depth: int) -> tuple[list, int]:
        items: list[Any] = []
        i = self._ws(i + 1)
        if self.text[i] == "]":
            return items, i + 1
        while True:
            child = (*path, len(items))
            self.out.lines[child] = self._line(i)
            value, i = self._value(i, child, depth + 1)
            items.append(value)
            i = self._ws(i)
            if self.text[i] == "]":
                return items, i + 1
            i = self._ws(i + 1)
