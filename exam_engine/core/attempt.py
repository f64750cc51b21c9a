"""An attempt as the fold of its events: answers, flags, clock and end (DESIGN.md §1, §5).

The server keeps cache tables for speed; this fold is the reference an auditor re-runs over
a bundle's events to get the same answers, the same deadline and the same verdict on each
answer (stored, a duplicate, or refused as late).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from exam_engine.core.timing import GRACE_MS, Clock, allowed_ms


@dataclass
class AttemptState:
    attempt: int
    candidate: str
    seed: str
    form: list[dict]          # [{"section", "question", "bank", "revision", "options"}]
    clock: Clock
    answers: dict[str, object] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    status: str = "active"                 # active | paused | ended
    ended_at: int | None = None
    end_reason: str | None = None
    scored: dict | None = None
    scored_seq: int | None = None
    rescored: list[tuple[int, dict]] = field(default_factory=list)  # after corrections
    problems: list[tuple[int, str]] = field(default_factory=list)  # (event seq, what is wrong)
    questions: frozenset[str] = frozenset()     # the form's question ids

    def __post_init__(self) -> None:
        self.questions = frozenset(item["question"] for item in self.form)

    def deadline(self, now: int) -> int:
        return self.clock.deadline(now)


def start(seq: int, payload: dict) -> AttemptState:
    """The state right after a `created` event."""
    allowed = allowed_ms(payload["duration_minutes"], payload.get("extra_minutes", 0))
    return AttemptState(attempt=payload["attempt"], candidate=payload["candidate"],
                        seed=payload["seed"], form=payload["form"],
                        clock=Clock(payload["started"], allowed))


def apply(state: AttemptState, seq: int, kind: str, payload: dict, at: int) -> None:
    """Apply one event; anything the rules would not have allowed is recorded as a problem."""
    if state.status == "ended" and kind not in ("scored", "rescored", "incident", "message"):
        state.problems.append((seq, f"{kind} after the attempt ended"))
        return
    if kind == "answered":
        q = payload["question"]
        if q not in state.questions:
            state.problems.append((seq, f"answer to {q}, which is not on the form"))
        elif state.status == "paused":
            state.problems.append((seq, f"answer to {q} stored while paused"))
        elif at > state.clock.deadline(at) + GRACE_MS:
            state.problems.append((seq, f"answer to {q} stored after the deadline"))
        elif payload["seq"] <= state.seqs.get(q, 0):
            state.problems.append((seq, f"answer to {q} with a seq that is not new"))
        else:
            state.answers[q] = payload["choice"]
            state.seqs[q] = payload["seq"]
    elif kind == "flagged":
        (state.flags.add if payload["flagged"] else state.flags.discard)(payload["question"])
    elif kind == "extended":
        state.clock = state.clock.extended(payload["minutes"])
    elif kind == "paused":
        state.clock, state.status = state.clock.paused(at), "paused"
    elif kind == "resumed":
        state.clock, state.status = state.clock.resumed(at), "active"
    elif kind == "ended":
        state.status, state.ended_at, state.end_reason = "ended", payload["at"], payload["reason"]
        if payload["reason"] == "time" and payload["at"] != state.clock.deadline(at):
            state.problems.append((seq, "ended for time, but not at the deadline"))
    elif kind == "scored":
        if state.status != "ended":
            state.problems.append((seq, "scored before it ended"))
        state.scored, state.scored_seq = payload, seq
    elif kind == "rescored":
        if state.scored is None:
            state.problems.append((seq, "re-scored before it was scored"))
        state.rescored.append((seq, payload))
