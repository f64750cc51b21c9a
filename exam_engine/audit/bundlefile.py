"""The bundle file: JSON Lines, so a verifier can stream millions of events.

Line 1 is the header, a JSON object holding everything but the events: `format`, `exam`,
`title`, `exported`, `public_key`, `commitment`, `reveal`, `checkpoints`, `results` (and
`names` when exported with names). Every following line is one event, in order:
``[seq, kind, attempt, at, payload, chain]`` where `payload` is the event's canonical JSON
text exactly as logged and `chain` the hex link recorded for it.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

FORMAT = "exam-engine-bundle/1"
HEADER_KEYS = ("exam", "public_key", "checkpoints", "results")


class Unreadable(Exception):
    """The bundle cannot be read at all (the verifier exits with status 2)."""


def write(path: Path, header: dict, events: Iterable[list]) -> int:
    """Write a bundle; returns the number of events written."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"format": FORMAT, **header}, separators=(",", ":"),
                             ensure_ascii=False) + "\n")
        for event in events:
            out.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_header(path: str | Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(f"{path}: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise Unreadable(f"{path}: not a {FORMAT} bundle")
    for key in HEADER_KEYS:
        if key not in header:
            raise Unreadable(f"{path}: the bundle has no {key!r}")
    return header


def events(path: str | Path) -> Iterator[list]:
    """The bundle's events, one at a time."""
    with open(path, encoding="utf-8") as f:
        f.readline()
        for number, line in enumerate(f, start=2):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError as exc:
                raise Unreadable(f"{path}, line {number}: {exc}") from None
            if not isinstance(event, list) or len(event) != 6:
                raise Unreadable(f"{path}, line {number}: not an event")
            yield event


def read(path: str | Path) -> tuple[dict, list[list]]:
    """The whole bundle in memory (tests and small exams)."""
    return read_header(path), list(events(path))
