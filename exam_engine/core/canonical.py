"""Canonical JSON: the exact bytes that are stored and, later, hashed (DESIGN.md §1)."""
from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Serialize with sorted keys, no spaces, UTF-8 text; floats are refused."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_bytes(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8")


def _refuse_floats(value: Any) -> None:
    # Floats have no single canonical spelling; times are integer milliseconds and marks
    # are exact (integers or "p/q" strings), so a float here is a bug upstream.
    if isinstance(value, float):
        raise TypeError(f"float {value!r} in canonical JSON")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)
