"""The attempt's clock: a pure function of its recorded facts and `now` (DESIGN.md §5).

All times are integer milliseconds since the Unix epoch (UTC).
"""
from __future__ import annotations

from dataclasses import dataclass

GRACE_MS = 2_000       # answers in transit at the deadline are still accepted for this long
MINUTE_MS = 60_000


@dataclass(frozen=True)
class Clock:
    """Everything that decides an attempt's deadline."""

    started_ms: int
    allowed_ms: int                 # duration + accommodation (extra minutes) + extensions
    paused_ms: int = 0              # time spent paused in pauses that have ended
    paused_since_ms: int | None = None

    def deadline(self, now_ms: int) -> int:
        """When time runs out; while paused, the deadline moves with `now`."""
        ongoing = now_ms - self.paused_since_ms if self.paused_since_ms is not None else 0
        return self.started_ms + self.allowed_ms + self.paused_ms + max(0, ongoing)

    def remaining(self, now_ms: int) -> int:
        return max(0, self.deadline(now_ms) - now_ms)

    def expired(self, now_ms: int, grace_ms: int = 0) -> bool:
        """True once `now` is past the deadline plus `grace_ms`; never while paused."""
        if self.paused_since_ms is not None:
            return False
        return now_ms > self.deadline(now_ms) + grace_ms

    def accepts_answer(self, now_ms: int) -> bool:
        """An answer is stored up to the deadline plus the transit grace."""
        return not self.expired(now_ms, GRACE_MS)

    def extended(self, minutes: int) -> Clock:
        return Clock(self.started_ms, self.allowed_ms + minutes * MINUTE_MS,
                     self.paused_ms, self.paused_since_ms)

    def paused(self, now_ms: int) -> Clock:
        if self.paused_since_ms is not None:
            return self
        return Clock(self.started_ms, self.allowed_ms, self.paused_ms, now_ms)

    def resumed(self, now_ms: int) -> Clock:
        if self.paused_since_ms is None:
            return self
        spent = max(0, now_ms - self.paused_since_ms)
        return Clock(self.started_ms, self.allowed_ms, self.paused_ms + spent, None)


def allowed_ms(duration_minutes: int, extra_minutes: int = 0) -> int:
    """Time allowed at the start: the exam's duration plus the candidate's accommodation."""
    return (duration_minutes + extra_minutes) * MINUTE_MS
