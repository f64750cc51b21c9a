"""What the verifier found: counts and every mismatch, each naming candidate and event."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    exam: str
    events: int = 0
    checkpoints: int = 0
    attempts: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.mismatches

    def add(self, text: str) -> None:
        self.mismatches.append(text)

    def verdict(self) -> str:
        what = (f"exam {self.exam}: {self.events} events, {self.checkpoints} checkpoints, "
                f"{self.attempts} attempts re-scored")
        if self.clean:
            return f"VERIFIED: {what}; every published result matches"
        return f"MISMATCH: {len(self.mismatches)} problem(s) found; {what}"
