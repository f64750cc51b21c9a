"""Corrections after an exam closes: a corrected key, requested by one admin and applied
only when a second admin approves; then every affected attempt is re-scored.

Nothing is edited: the correction and each new score are events in the exam's log, so
the verifier replays them on top of the revealed rules and re-derives every new score.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from exam_engine import clock
from exam_engine.core import scoring
from exam_engine.core.checkpoints import encode_receipt
from exam_engine.errors import BadRequest, Conflict, Forbidden, NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptItem, Correction, Exam
from exam_engine.services import catalog, transparency
from exam_engine.services.eventlog import EventLog


def _corrected_keys(s, exam_id: int) -> dict[str, dict]:
    """question -> its latest applied change ({"key": [...]} or {"points": {...}})."""
    out: dict[str, dict] = {}
    for c in s.execute(select(Correction).where(Correction.exam_id == exam_id,
                                                Correction.status == "applied")
                       .order_by(Correction.id)).scalars():
        out[c.question] = c.change
    return out


def request(exam_code: str, actor: str, question: object, change: object,
            reason: object) -> dict:
    """Ask for a corrected key; nothing changes until a second admin approves."""
    if actor == "admin":
        raise Forbidden("corrections need a named admin account, not EXAM_ADMIN_TOKEN")
    if not isinstance(reason, str) or not reason.strip():
        raise BadRequest("a correction needs a reason", field="reason", code="reason_required")
    with db.write() as s:
        exam = s.execute(select(Exam).where(Exam.code == exam_code)).scalar()
        if exam is None:
            raise NotFound(f"exam {exam_code!r} does not exist", code="exam_not_found")
        if exam.status != "closed":
            raise Conflict("corrections are made after the exam closes", code="exam_not_closed")
        entry = _pool_entry(s, exam, question)
        change = _checked_change(entry, change)
        c = Correction(exam_id=exam.id, question=entry["id"], change=change,
                       reason=reason.strip(), requested_by=actor,
                       requested_ms=clock.now_ms(), status="pending")
        s.add(c)
        s.flush()
        return {"id": c.id, "status": c.status, "question": c.question, "change": change}


def _pool_entry(s, exam: Exam, question: object) -> dict:
    material = transparency.rules_material(s, exam)
    for pool in material["pools"].values():
        for entries in pool["categories"].values():
            for e in entries:
                if e["id"] == question:
                    return e
    raise NotFound(f"question {question!r} is not in this exam's pools",
                   code="unknown_question")


def _checked_change(entry: dict, change: object) -> dict:
    if not isinstance(change, dict):
        raise BadRequest("`change` must be {\"key\": [...]} or {\"points\": {...}}",
                         field="change")
    options = set(entry["options"])
    if entry["type"] == "weighted":
        points = change.get("points")
        if not isinstance(points, dict) or set(points) != options or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in points.values()):
            raise BadRequest("a weighted question's correction gives integer points for "
                             f"every option {sorted(options)}", field="change.points")
        return {"points": dict(sorted(points.items()))}
    key = change.get("key")
    if not isinstance(key, list) or not key or not set(key) <= options or \
            (entry["type"] != "multiple" and len(key) != 1):
        how = "one or more" if entry["type"] == "multiple" else "one"
        raise BadRequest(f"`key` must list {how} of {sorted(options)}", field="change.key")
    return {"key": sorted(set(key))}


def approve(exam_code: str, correction_id: int, actor: str) -> dict:
    """A second admin approves: log the correction, re-score every attempt it touches."""
    now = clock.now_ms()
    with db.write() as s:
        exam = s.execute(select(Exam).where(Exam.code == exam_code)).scalar()
        c = s.get(Correction, correction_id) if exam else None
        if c is None or c.exam_id != exam.id:
            raise NotFound(f"no correction {correction_id} in {exam_code}")
        if c.status != "pending":
            raise Conflict("this correction was already applied", code="already_applied")
        if actor in (c.requested_by, "admin"):
            raise Forbidden("a correction must be approved by a second, named admin")
        log = EventLog.of(s, exam.id).lock()
        c.status, c.approved_by, c.approved_ms = "applied", actor, now
        log.append("corrected", {"correction": c.id, "question": c.question, **c.change,
                                 "reason": c.reason, "requested_by": c.requested_by,
                                 "approved_by": actor}, now)
        rescored = _rescore(s, exam, log, c, now)
        exam_id = exam.id
    transparency.checkpoint(exam_id)
    return {"id": correction_id, "status": "applied", "rescored": rescored}


def _rescore(s, exam: Exam, log: EventLog, c: Correction, now: int) -> int:
    _defn, rules = catalog.exam_rules(exam)
    overrides = _corrected_keys(s, exam.id)
    touched = s.execute(select(Attempt).join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
                        .where(Attempt.exam_id == exam.id, Attempt.status == "ended",
                               AttemptItem.qid == c.question)).scalars().all()
    for a in touched:
        items = s.execute(select(AttemptItem).where(AttemptItem.attempt_id == a.id)
                          .order_by(AttemptItem.position)).scalars().all()
        views = catalog.questions(s, [it.question_id for it in items])
        keys = [_override(views[it.question_id].item_key(it.section), overrides)
                for it in items]
        score = scoring.score_attempt(rules, keys, {it.qid: it.choice for it in items})
        payload = {"attempt": a.id, "correction": c.id, "scorer": scoring.SCORER_VERSION,
                   "sections": {k: scoring.exact(v) for k, v in score.sections.items()},
                   "total": scoring.exact(score.total), "passed": score.passed,
                   "salt": secrets.token_hex(16)}
        event = log.append("rescored", payload, now, a.id)
        receipt = {"exam": exam.code, "seq": event.seq, "at": now, "attempt": a.id,
                   "scored": payload}
        a.result = {**payload, "event_seq": event.seq, "receipt": encode_receipt(receipt)}
        a.version += 1
    return len(touched)


def _override(item, overrides: dict[str, dict]):
    from dataclasses import replace

    change = overrides.get(item.question)
    if change is None:
        return item
    if "points" in change:
        return replace(item, points=dict(change["points"]))
    return replace(item, key=frozenset(change["key"]))


def listing(exam_code: str) -> list[dict]:
    with db.read() as s:
        exam = s.execute(select(Exam).where(Exam.code == exam_code)).scalar()
        if exam is None:
            raise NotFound(f"exam {exam_code!r} does not exist", code="exam_not_found")
        return [{"id": c.id, "question": c.question, "change": c.change, "reason": c.reason,
                 "requested_by": c.requested_by, "approved_by": c.approved_by,
                 "status": c.status}
                for c in s.execute(select(Correction).where(Correction.exam_id == exam.id)
                                   .order_by(Correction.id)).scalars()]


