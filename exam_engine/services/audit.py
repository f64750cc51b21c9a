"""The exam's audit trail: every staff action and incident, read from the event log."""
from __future__ import annotations

import json

from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Candidate, Event
from exam_engine.services.boards import exam_by_code

STAFF_KINDS = ("exam_created", "exam_opened", "exam_closed", "candidates_added", "extended",
               "paused", "resumed", "login_reset", "message", "password_reissued", "corrected")


def trail(exam_code: str, kinds: tuple[str, ...] | None = None, limit: int = 1000) -> list[dict]:
    """Staff actions (and force-submits) newest first, with who, when and why."""
    kinds = kinds or STAFF_KINDS
    with db.read() as s:
        exam = exam_by_code(s, exam_code)
        rows = s.execute(select(Event).where(
            Event.exam_id == exam.id, Event.kind.in_((*kinds, "ended")))
            .order_by(Event.seq.desc()).limit(limit)).scalars().all()
        names = _participants(s, exam.id)
    out = []
    for ev in rows:
        p = json.loads(ev.payload)
        if ev.kind == "ended" and p.get("reason") != "proctor":
            continue
        if ev.kind == "exam_created":
            p.pop("definition", None)
        # A forced end records the end reason ("proctor") and the proctor's why.
        reason = p.pop("why", None) if ev.kind == "ended" else p.pop("reason", None)
        out.append({"seq": ev.seq, "kind": ev.kind, "at": ev.created_ms,
                    "by": p.pop("by", None), "reason": reason,
                    "candidate": names.get(p.pop("candidate", None)), "detail": p})
    return out


def incidents(exam_code: str, limit: int = 500) -> list[dict]:
    """Disconnects, reconnects, hidden pages and second devices, newest first."""
    with db.read() as s:
        exam = exam_by_code(s, exam_code)
        rows = s.execute(select(Event).where(Event.exam_id == exam.id, Event.kind == "incident")
                         .order_by(Event.seq.desc()).limit(limit)).scalars().all()
        names = _participants(s, exam.id)
    out = []
    for ev in rows:
        p = json.loads(ev.payload)
        out.append({"seq": ev.seq, "at": ev.created_ms, "kind": p["kind"],
                    "candidate": names.get(p["candidate"])})
    return out


def _participants(s, exam_id: int) -> dict[str, str]:
    """Pseudonym -> participant number: the log names nobody; staff views map back."""
    return dict(s.execute(select(Candidate.pseudonym, Candidate.participant_no)
                          .where(Candidate.exam_id == exam_id)).all())
