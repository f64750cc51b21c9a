"""The candidate's use cases: start (or resume), flag, submit, sync; ending overdue attempts.

Answers (answers.py) and submissions take the group-commit writer (writer.py); how attempts
are ended and scored, one or many at a time, is ending.py.
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from exam_engine import clock, realtime
from exam_engine.core import randomization
from exam_engine.core.timing import GRACE_MS, Clock, allowed_ms
from exam_engine.errors import Conflict, ExamError, NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptItem, Candidate, Event, Exam
from exam_engine.services import catalog, ending, writer
from exam_engine.services.auth import CandidatePrincipal
from exam_engine.services.eventlog import EventLog


def attempt_clock(a) -> Clock:
    """The clock of an attempt (a model object or any row with the same fields)."""
    return Clock(a.started_ms, a.allowed_ms, a.paused_ms, a.paused_since_ms)


def start(who: CandidatePrincipal) -> dict:
    """Return the candidate's attempt, creating it (and its form) on the first call."""
    with db.read() as s:
        attempt = _attempt_of(s, who.candidate_id)
    if attempt is None:
        with db.write() as s:
            log = EventLog.of(s, who.exam_id).lock()
            attempt = _attempt_of(s, who.candidate_id) or _create(s, log, who)
    if attempt.status != "ended" and attempt_clock(attempt).expired(clock.now_ms(), GRACE_MS):
        end_due(attempt.id)
    with db.read() as s:
        return _start_payload(s, s.get(Attempt, attempt.id))


def preview(who: CandidatePrincipal) -> dict:
    """The exam's outline before the attempt exists: the clock has not started yet."""
    with db.read() as s:
        exam = s.get(Exam, who.exam_id)
        cand = s.get(Candidate, who.candidate_id)
        defn, _ = catalog.exam_rules(exam)
        attempt = _attempt_of(s, who.candidate_id)
        return {
            "exam": exam.code, "exam_title": exam.title, "exam_status": exam.status,
            "duration_minutes": defn.duration_minutes, "extra_minutes": cand.extra_minutes,
            "sections": [{"code": sec.code, "title": sec.title,
                          "questions": sum(d.count for d in sec.draws)}
                         for sec in defn.sections],
            "attempt": attempt.id if attempt else None,
        }


def _attempt_of(s: Session, candidate_id: int) -> Attempt | None:
    return s.execute(select(Attempt).where(Attempt.candidate_id == candidate_id)).scalar()


def _create(s: Session, log: EventLog, who: CandidatePrincipal) -> Attempt:
    exam = s.get(Exam, who.exam_id)
    if exam.status == "draft":
        raise Conflict(f"exam {exam.code} is not open yet", code="exam_not_open")
    if exam.status == "closed":
        raise Conflict(f"exam {exam.code} is closed", code="exam_closed")
    cand = s.get(Candidate, who.candidate_id)
    defn, _rules = catalog.exam_rules(exam)
    now = clock.now_ms()
    seed = randomization.new_seed()

    plans, options, fixed, views = [], {}, set(), {}
    for section in defn.sections:
        draws = []
        for d in section.draws:
            pool = catalog.pool(s, d.bank, exam.pinned[d.bank], d.category)
            for q in pool:
                views[q.qid] = q
                options[q.qid] = [o["key"] for o in q.options]
                if q.type == "true_false":
                    fixed.add(q.qid)
            draws.append(randomization.Draw(tuple(q.qid for q in pool), d.count))
        plans.append(randomization.SectionPlan(section.code, tuple(draws)))
    form = randomization.build_form(seed, plans, options, defn.shuffle_questions,
                                    defn.shuffle_options, frozenset(fixed))

    allowed = allowed_ms(defn.duration_minutes, cand.extra_minutes)
    attempt = Attempt(exam_id=exam.id, candidate_id=cand.id, seed=seed, status="active",
                      started_ms=now, allowed_ms=allowed, paused_ms=0, deadline_ms=now + allowed,
                      question_count=len(form), answered=0, version=1)
    s.add(attempt)
    s.flush()
    for position, (section, qid, order) in enumerate(form):
        s.add(AttemptItem(attempt_id=attempt.id, position=position, section=section, qid=qid,
                          question_id=views[qid].pk, type=views[qid].type,
                          option_order=order))
    log.append("created", {
        "attempt": attempt.id,
        "candidate": cand.pseudonym,
        "seed": seed,
        "started": now,
        "duration_minutes": defn.duration_minutes,
        "extra_minutes": cand.extra_minutes,
        "revisions": dict(sorted(exam.pinned.items())),
        "form": [{"section": sec, "question": qid, "bank": views[qid].bank,
                  "revision": views[qid].revision, "options": order}
                 for sec, qid, order in form],
    }, now, attempt.id)
    return attempt


def _start_payload(s: Session, a: Attempt) -> dict:
    exam = s.get(Exam, a.exam_id)
    defn, _ = catalog.exam_rules(exam)
    items = _items(s, a.id)
    views = catalog.questions(s, [it.question_id for it in items])
    counts: dict[str, int] = {}
    for it in items:
        counts[it.section] = counts.get(it.section, 0) + 1
    now = clock.now_ms()
    payload = {
        "attempt": a.id,
        "status": a.status,
        "deadline": _deadline(a, now),
        "server_now": now,
        "duration_minutes": defn.duration_minutes,
        "sections": [{"code": sec.code, "title": sec.title, "questions": counts.get(sec.code, 0)}
                     for sec in defn.sections],
        "questions": [views[it.question_id].for_candidate(it.section, it.option_order,
                                                          a.candidate_id) for it in items],
        "answers": {it.qid: it.choice for it in items if it.choice is not None},
        "flags": [it.qid for it in items if it.flagged],
        "seqs": {it.qid: it.seq for it in items if it.seq},
    }
    payload["exam_title"] = exam.title
    if a.status == "ended":
        payload["result"] = candidate_result(exam, a)
        payload["end_reason"] = a.end_reason
    elif a.status == "paused":
        last = s.execute(select(Event.payload).where(Event.attempt_id == a.id,
                                                     Event.kind == "paused")
                         .order_by(Event.seq.desc()).limit(1)).scalar()
        payload["pause_reason"] = json.loads(last)["reason"] if last else None
    return payload


def _deadline(a: Attempt, now: int) -> int:
    if a.status == "ended":
        return a.deadline_ms
    return attempt_clock(a).deadline(now)


def _items(s: Session, attempt_id: int) -> list[AttemptItem]:
    return list(s.execute(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                          .order_by(AttemptItem.position)).scalars())


def flag(who: CandidatePrincipal, question: str, flagged: bool) -> dict:
    """Mark or unmark a question as ragu-ragu (doubtful)."""
    now = clock.now_ms()
    with db.write() as s:
        log = EventLog.of(s, who.exam_id).lock()
        a = _open_attempt(s, who, now)
        item = _item(s, a.id, question)
        if item.flagged != flagged:
            item.flagged = flagged
            log.append("flagged", {"attempt": a.id, "question": question,
                                   "flagged": flagged, "at": now}, now, a.id)
    return {}


def sync(who: CandidatePrincipal) -> dict:
    """The server's clock and the attempt's deadline and status."""
    now = clock.now_ms()
    with db.read() as s:
        a = _attempt_of(s, who.candidate_id)
        if a is None:
            raise NotFound("no attempt yet: send start first", code="no_attempt")
        return {"deadline": _deadline(a, now), "server_now": now, "status": a.status}


def submit(who: CandidatePrincipal) -> dict:
    """End the attempt at the candidate's request and return the result they may see.

    Through the group-commit writer: a burst of submissions at the end of an exam shares
    transactions and is scored together (ending.py).
    """
    outcome = writer.perform(ending.SubmitRequest(who))
    if isinstance(outcome, ExamError):
        raise outcome
    realtime.to_candidate(who.candidate_id, "ended", {"reason": outcome.reason,
                                                      "result": outcome.result})
    if outcome.reason == "time":
        raise Conflict("time is over; the attempt was ended at its deadline",
                       code="time_over", result=outcome.result)
    return {"result": outcome.result}


def _open_attempt(s: Session, who: CandidatePrincipal, now: int) -> Attempt:
    """The caller's attempt, refusing when it has ended, is paused or is out of time."""
    a = _attempt_of(s, who.candidate_id)
    if a is None:
        raise NotFound("no attempt yet: send start first", code="no_attempt")
    if a.status == "ended":
        raise Conflict("this attempt has ended", code="attempt_ended")
    if a.status == "paused":
        raise Conflict("the exam is paused by the proctor", code="paused")
    if not attempt_clock(a).accepts_answer(now):
        raise Conflict("time is over", code="time_over")
    return a


def _item(s: Session, attempt_id: int, question: str) -> AttemptItem:
    item = s.execute(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id,
                                               AttemptItem.qid == question)).scalar()
    if item is None:
        raise NotFound(f"question {question!r} is not part of this attempt",
                       code="unknown_question")
    return item


def end(s: Session, a: Attempt, reason: str, ended_ms: int, actor: dict | None = None
        ) -> None:
    """End and score an attempt inside the caller's transaction (idempotent).

    `ended_ms` is the end time recorded (the deadline, when time ran out); the events
    themselves are stamped with the time they are written. The ORM object is told what
    was written.
    """
    if a.status == "ended":
        return
    s.flush()   # the caller's pending changes, before the plain reads of ending.end_all
    row = {name: getattr(a, name) for name in ending.ATTEMPT_COLUMNS}
    result = ending.end_all(s, [ending.Ending(row, reason, ended_ms, actor)])[a.id]
    for name, value in (("status", "ended"), ("end_reason", reason), ("ended_ms", ended_ms),
                        ("paused_since_ms", None), ("version", a.version + 1),
                        ("result", result)):
        set_committed_value(a, name, value)


def candidate_result(exam: Exam | catalog.ExamFacts, a: Attempt) -> dict:
    """What `result_to_candidate` lets the candidate see of a scored attempt."""
    return ending.candidate_result(exam, a.result)


def end_due(attempt_id: int, reason: str = "time") -> bool:
    """End one attempt whose time ran out, recording its deadline as the end time."""
    return end_overdue([attempt_id], reason) > 0


def end_overdue(attempt_ids: list[int], reason: str = "time") -> int:
    """End those of these attempts whose time ran out, in one transaction; return how many.

    Each is ended at its deadline and scored with the others of its exam (ending.py): at
    an exam's deadline the sweeper ends a whole room at once. Ending is idempotent: an
    attempt that ended meanwhile is left alone.
    """
    with db.read() as s:
        exam_ids = sorted({a["exam_id"] for a in ending.attempt_rows(s, attempt_ids=attempt_ids)})
    with db.write() as s:
        for exam_id in exam_ids:        # in id order, as every writer takes them
            EventLog.of(s, exam_id).lock()
        now = clock.now_ms()
        due = [a for a in ending.attempt_rows(s, attempt_ids=attempt_ids)
               if a["status"] == "active" and ending.row_clock(a).expired(now, GRACE_MS)]
        results = ending.end_all(s, [ending.Ending(a, reason, ending.row_clock(a).deadline(now))
                                     for a in due])
        shown = {a["id"]: ending.candidate_result(catalog.exam_facts(s, a["exam_id"]),
                                                  results[a["id"]]) for a in due}
    for a in due:
        realtime.to_candidate(a["candidate_id"], "ended", {"reason": reason,
                                                           "result": shown[a["id"]]})
    return len(due)
