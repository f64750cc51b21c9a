"""A proctor's actions on one candidate's attempt, each recorded with who, when and why.

Every action is an event in the exam's log; the candidate's screen hears of it only after
the commit (commit, then publish).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from exam_engine import clock, realtime
from exam_engine.core.timing import GRACE_MS
from exam_engine.errors import BadRequest, Conflict, NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, Candidate, Exam
from exam_engine.services.attempts import attempt_clock, candidate_result, end
from exam_engine.services.eventlog import EventLog

MAX_EXTENSION_MINUTES = 600


@dataclass(frozen=True)
class Action:
    """Who acts, on which candidate of which exam, and why (a reason is always required)."""

    actor: str
    exam: str
    participant_no: str
    reason: str

    def checked(self) -> Action:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise BadRequest("every proctor action needs a reason", code="reason_required",
                             field="reason")
        if not isinstance(self.participant_no, str) or not self.participant_no:
            raise BadRequest("`participant_no` is required", field="participant_no")
        return self


def _load(s: Session, act: Action) -> tuple[Exam, Candidate, EventLog]:
    exam = s.execute(select(Exam).where(Exam.code == act.exam)).scalar()
    if exam is None:
        raise NotFound(f"exam {act.exam!r} does not exist", code="exam_not_found")
    log = EventLog.of(s, exam.id).lock()
    cand = s.execute(select(Candidate).where(Candidate.exam_id == exam.id,
                                             Candidate.participant_no == act.participant_no)
                     ).scalar()
    if cand is None:
        raise NotFound(f"{act.participant_no} is not a candidate of {act.exam}",
                       code="candidate_not_found")
    return exam, cand, log


def _running(s: Session, cand: Candidate, now: int) -> Attempt:
    a = s.execute(select(Attempt).where(Attempt.candidate_id == cand.id)).scalar()
    if a is None:
        raise Conflict(f"{cand.participant_no} has not started", code="no_attempt")
    if a.status == "ended":
        raise Conflict(f"{cand.participant_no}'s attempt has ended", code="attempt_ended")
    if a.status == "active" and attempt_clock(a).expired(now, GRACE_MS):
        raise Conflict(f"{cand.participant_no}'s time is already over", code="time_over")
    return a


def _record(log: EventLog, kind: str, a: Attempt | None, act: Action, cand: Candidate,
            now: int, **extra):
    payload = {"by": act.actor, "reason": act.reason, "candidate": cand.pseudonym,
               "at": now, **extra}
    if a is not None:
        payload["attempt"] = a.id
        a.version += 1
    log.append(kind, payload, now, a.id if a else None)


def extend(act: Action, minutes: object) -> dict:
    """Give a candidate more time; their countdown moves at once."""
    act.checked()
    if isinstance(minutes, bool) or not isinstance(minutes, int) or \
            not 0 < minutes <= MAX_EXTENSION_MINUTES:
        raise BadRequest(f"`minutes` must be a whole number from 1 to {MAX_EXTENSION_MINUTES}",
                         field="minutes")
    now = clock.now_ms()
    with db.write() as s:
        _exam, cand, log = _load(s, act)
        a = _running(s, cand, now)
        c = attempt_clock(a).extended(minutes)
        a.allowed_ms = c.allowed_ms
        a.deadline_ms = c.deadline(now)
        _record(log, "extended", a, act, cand, now, minutes=minutes)
        deadline, status = a.deadline_ms, a.status    # an extension does not end a pause
    realtime.to_candidate(cand.id, "time", {"deadline": deadline, "server_now": clock.now_ms(),
                                            "status": status})
    return {"deadline": deadline}


def pause(act: Action) -> dict:
    """Stop a candidate's clock; their answers are refused with `paused` until resumed."""
    act.checked()
    now = clock.now_ms()
    with db.write() as s:
        _exam, cand, log = _load(s, act)
        a = _running(s, cand, now)
        if a.status == "paused":
            return {}
        a.paused_since_ms = now
        a.status = "paused"
        _record(log, "paused", a, act, cand, now)
        deadline = attempt_clock(a).deadline(now)
    realtime.to_candidate(cand.id, "paused", {"reason": act.reason})
    # The contract's `time` follows a pause too; while paused the deadline moves with now.
    realtime.to_candidate(cand.id, "time", {"deadline": deadline, "server_now": now,
                                            "status": "paused"})
    return {}


def resume(act: Action) -> dict:
    """Restart a paused clock; the deadline has moved by the time spent paused."""
    act.checked()
    now = clock.now_ms()
    with db.write() as s:
        _exam, cand, log = _load(s, act)
        a = _running(s, cand, now)
        if a.status != "paused":
            raise Conflict(f"{cand.participant_no} is not paused", code="not_paused")
        c = attempt_clock(a).resumed(now)
        a.paused_ms, a.paused_since_ms, a.status = c.paused_ms, None, "active"
        a.deadline_ms = c.deadline(now)
        _record(log, "resumed", a, act, cand, now)
        deadline = a.deadline_ms
    realtime.to_candidate(cand.id, "time", {"deadline": deadline, "server_now": clock.now_ms(),
                                            "status": "active"})
    return {"deadline": deadline}


def force_submit(act: Action) -> dict:
    """End a candidate's attempt now and score what they saved."""
    act.checked()
    now = clock.now_ms()
    with db.write() as s:
        exam, cand, _log = _load(s, act)
        a = s.execute(select(Attempt).where(Attempt.candidate_id == cand.id)).scalar()
        if a is None:
            raise Conflict(f"{cand.participant_no} has not started", code="no_attempt")
        if a.status == "ended":
            raise Conflict(f"{cand.participant_no}'s attempt has ended", code="attempt_ended")
        end(s, a, "proctor", now, actor={"by": act.actor, "why": act.reason,
                                         "candidate": cand.pseudonym})
        shown = candidate_result(exam, a)
        result = staff_result(a)
    realtime.to_candidate(cand.id, "ended", {"reason": "proctor", "result": shown})
    return {"result": result}


def staff_result(a: Attempt) -> dict:
    """The scored attempt as staff see it: public numbers, the verdict and the receipt."""
    from fractions import Fraction

    from exam_engine.core import scoring

    r = a.result
    return {"sections": {k: scoring.public_number(Fraction(v)) for k, v in r["sections"].items()},
            "total": scoring.public_number(Fraction(r["total"])), "passed": r["passed"],
            "receipt": r["receipt"]}


def reset_login(act: Action) -> dict:
    """Invalidate the candidate's tokens and drop their open sockets; answers stay."""
    act.checked()
    now = clock.now_ms()
    with db.write() as s:
        _exam, cand, log = _load(s, act)
        cand.login_generation += 1
        _record(log, "login_reset", None, act, cand, now)
    realtime.logout_candidate(cand.id)
    return {}


def message(actor: str, exam_code: str, participant_no: str | None, text: object) -> dict:
    """Send a proctor's message to one candidate, or to every candidate of the exam."""
    if not isinstance(text, str) or not text.strip() or len(text) > 2000:
        raise BadRequest("`text` must be 1 to 2000 characters", field="text")
    now = clock.now_ms()
    with db.write() as s:
        exam = s.execute(select(Exam).where(Exam.code == exam_code)).scalar()
        if exam is None:
            raise NotFound(f"exam {exam_code!r} does not exist", code="exam_not_found")
        log = EventLog.of(s, exam.id).lock()
        cand = None
        if participant_no:
            cand = s.execute(select(Candidate).where(
                Candidate.exam_id == exam.id, Candidate.participant_no == participant_no)
            ).scalar()
            if cand is None:
                raise NotFound(f"{participant_no} is not a candidate of {exam_code}",
                               code="candidate_not_found")
        log.append("message", {"by": actor, "candidate": cand.pseudonym if cand else None,
                               "text": text, "at": now}, now)
        exam_id = exam.id
    if cand is not None:
        realtime.to_candidate(cand.id, "message", {"text": text})
    else:
        realtime.publish("message", {"text": text}, realtime.exam_room(exam_id),
                         realtime.CANDIDATE_NS)
    return {}
