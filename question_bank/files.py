"""Read an uploaded YAML or JSON file into plain data, remembering the line of every field.

Only plain data comes out: mappings, lists, strings, numbers, booleans and None. YAML is read
safely (yaml_reader.py: no anchors or aliases, no tags beyond plain scalars), JSON with the
standard library (json_reader.py); both report duplicate keys, which would otherwise be
dropped silently.
"""
from __future__ import annotations

import gc

from question_bank.json_reader import load_json
from question_bank.located import FILE, MAX_DEPTH, Path, Structured, field_name
from question_bank.model import Problem
from question_bank.yaml_reader import load_yaml

__all__ = [
    "FILE",
    "MAX_DEPTH",
    "Path",
    "Structured",
    "decode_text",
    "field_name",
    "load_structured",
]


def decode_text(data: bytes) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (a byte-order mark is allowed); a bad byte is a problem on its line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(1, FILE, "the file is UTF-16 text; save it as UTF-8")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on this line); "
            "save it as UTF-8"
        )
        return None, [Problem(line, FILE, message)]


def load_structured(
    data: bytes, filename: str | None
) -> tuple[Structured | None, list[Problem]]:
    """Parse `.yaml`/`.yml`/`.json` bytes; with no file name, JSON if it looks like JSON.

    The problems include those inside a readable document (duplicate keys, refused tags);
    those are also kept, by path, in `Structured.notes`.
    """
    kind = _kind(filename)
    if kind is None:
        return None, [Problem(None, FILE, f"cannot read {filename!r}: use .yaml, .yml or .json")]
    text, problems = decode_text(data)
    if text is None:
        return None, problems
    if kind == "sniff":
        kind = "json" if text.lstrip()[:1] in ("{", "[") else "yaml"
    # A big bank makes millions of small objects and no reference cycles; the cyclic
    # collector would rescan the growing heap again and again (half the time, measured).
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded, problems = load_json(text) if kind == "json" else load_yaml(text)
    finally:
        if collecting:
            gc.enable()
    if loaded is None:
        return None, problems
    if loaded.value is None and not loaded.notes:
        return None, [Problem(1, FILE, "the file is empty")]
    return loaded, [problem for _, problem in loaded.notes]


def _kind(filename: str | None) -> str | None:
    if not filename:
        return "sniff"
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    return None
