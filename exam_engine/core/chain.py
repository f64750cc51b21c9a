"""A hash chain over an exam's events, in the order they were appended (DESIGN.md §1).

The rule, in full:

* ``GENESIS = SHA-256(b"exam-engine/chain/v1")``, the link before the first event.
* ``link[i] = SHA-256(link[i-1] || SHA-256(event_bytes[i]))``, where ``event_bytes`` are the
  event's canonical JSON bytes exactly as stored (``exam_engine.core.canonical``).

Each link commits to every event before it, so changing, dropping, inserting or reordering
any event changes that link and every later one. An event enters as its own SHA-256, so a link
can be re-checked from an event's digest alone. Standard library only.
"""
from __future__ import annotations

from collections.abc import Iterable
from hashlib import sha256

GENESIS = sha256(b"exam-engine/chain/v1").digest()


def chain_next(prev: bytes, event_bytes: bytes) -> bytes:
    """Return the link after prev: SHA-256(prev || SHA-256(event_bytes))."""
    if not isinstance(prev, bytes | bytearray) or len(prev) != 32:
        raise ValueError("a chain link is 32 bytes")
    return sha256(bytes(prev) + sha256(event_bytes).digest()).digest()


def chain_links(events: Iterable[bytes], start: bytes = GENESIS) -> list[bytes]:
    """Return the link after each event, in order, starting from start."""
    links, link = [], start
    for event_bytes in events:
        link = chain_next(link, event_bytes)
        links.append(link)
    return links


def chain_head(events: Iterable[bytes], start: bytes = GENESIS) -> bytes:
    """Return the last link after all events (start itself if there are none)."""
    link = start
    for event_bytes in events:
        link = chain_next(link, event_bytes)
    return link
