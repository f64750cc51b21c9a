"""Field checks shared by the file validators: each finds a value, or records where it is wrong."""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from typing import Any

from question_bank.files import Path, Structured, field_name
from question_bank.model import Problem

CODE_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_CODE = 64


def is_int(value: Any) -> bool:
    """True for a whole number; `True` and `False` are not numbers here."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return (is_int(value) or isinstance(value, float)) and math.isfinite(value)


def describe(value: Any) -> str:
    """Name what was found, for messages: "a list", "true/false (true)", "a number (3)"."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def code_problem(value: str, what: str) -> str | None:
    """Why `value` is not a valid bank or exam code, or None when it is."""
    if not CODE_RE.fullmatch(value):
        return (
            f"{what} {value!r} is not valid: use lowercase letters, digits and '-', "
            "starting with a letter or digit"
        )
    if len(value) > MAX_CODE:
        return f"{what} is {len(value)} characters long; at most {MAX_CODE} are allowed"
    return None


class Checker:
    """Collects the problems of one document, each located by the path of its field."""

    def __init__(self, doc: Structured, problems: Iterable[Problem] = ()) -> None:
        self.doc = doc
        self.problems: list[Problem] = list(problems)

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.doc.line(path), field_name(path), message))

    def sorted_problems(self) -> list[Problem]:
        """Every problem in file order (stable; problems without a line come last)."""
        return sorted(self.problems, key=lambda p: (p.line is None, p.line or 0))

    def clean_since(self, count: int, path: Path) -> bool:
        """True if nothing was added since `count` and the reader saw nothing under `path`."""
        return len(self.problems) == count and not self.doc.has_notes_under(path)

    def known_keys(self, obj: dict, path: Path, allowed: Iterable[str]) -> None:
        """Record every key of `obj` that is not in `allowed` (catches typos like `correcct`)."""
        allowed = list(allowed)
        for key in obj:
            if key in allowed:
                continue
            message = f"unknown field {key!r}"
            close = difflib.get_close_matches(key, allowed, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
            else:
                message += f" (allowed: {', '.join(allowed)})"
            self.add((*path, key), message)

    def mapping(self, value: Any, path: Path, what: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.add(path, f"{what} must be a mapping of fields, found {describe(value)}")
        return None

    def text(
        self, obj: dict, path: Path, key: str, *, required: bool = False, max_len: int = 200
    ) -> str | None:
        """A non-empty string field (numbers are taken as the file spells them), trimmed."""
        where = (*path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.add(where, f"{key} is required")
            return None
        if is_int(value) or isinstance(value, float):
            value = self.doc.as_text(where, value)
        if not isinstance(value, str):
            hint = "; put it in quotes" if isinstance(value, bool) else ""
            self.add(where, f"{key} must be text, found {describe(value)}{hint}")
            return None
        value = value.strip()
        if not value:
            self.add(where, f"{key} is empty")
            return None
        if len(value) > max_len:
            self.add(where, f"{key} is {len(value)} characters long; at most {max_len} allowed")
            return None
        return value

    def integer(
        self, obj: dict, path: Path, key: str, *, low: int, high: int, required: bool = False
    ) -> int | None:
        """A whole-number field within [low, high]; true/false is not a number."""
        where = (*path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.add(where, f"{key} is required")
            return None
        if not is_int(value):
            self.add(where, f"{key} must be a whole number, found {describe(value)}")
            return None
        if not low <= value <= high:
            self.add(where, f"{key} must be between {low} and {high}, found {value}")
            return None
        return value

    def boolean(self, obj: dict, path: Path, key: str, default: bool) -> bool:
        value = obj.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add((*path, key), f"{key} must be true or false, found {describe(value)}")
            return default
        return value

    def choice(
        self, obj: dict, path: Path, key: str, choices: tuple[str, ...], default: str | None
    ) -> str | None:
        """One of `choices`; `default` when absent (None: required)."""
        value = obj.get(key)
        if value is None:
            if default is None:
                self.add((*path, key), f"{key} is required (one of {', '.join(choices)})")
            return default
        if value not in choices:
            shown = repr(value) if isinstance(value, str) else describe(value)
            self.add((*path, key), f"{key} {shown} is not one of {', '.join(choices)}")
            return None
        return value

    def code(self, obj: dict, path: Path, key: str, what: str) -> str | None:
        """A required code such as a bank or exam code: [a-z0-9][a-z0-9-]*."""
        value = self.text(obj, path, key, required=True, max_len=10_000)
        if value is None:
            return None
        problem = code_problem(value, what)
        if problem:
            self.add((*path, key), problem)
            return None
        return value
