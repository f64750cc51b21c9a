"""The server's wall clock, in integer milliseconds since the epoch (UTC).

Services ask this module for `now`; the pure core is always handed `now` as an argument.
Tests move time with `travel()` instead of sleeping.
"""
from __future__ import annotations

import time

_offset_ms = 0


def now_ms() -> int:
    """Return the current time in milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000 + _offset_ms


def travel(ms: int) -> None:
    """Move this process's clock forward by `ms` (tests only)."""
    global _offset_ms
    _offset_ms += ms


def reset() -> None:
    global _offset_ms
    _offset_ms = 0
