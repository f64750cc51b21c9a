"""Storing a candidate's answer: validated, appended to the log, committed, then acked.

Answers take the group-commit path (DESIGN.md §6): callers hand their answer to one writer
task, which applies every answer waiting at that moment in one transaction, commits once,
and only then wakes each caller with its own outcome. A failed commit acks nobody as saved.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from exam_engine import clock
from exam_engine.core.timing import Clock
from exam_engine.errors import BadRequest, Conflict, ExamError, NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptItem
from exam_engine.services.auth import CandidatePrincipal
from exam_engine.services.eventlog import EventLog

log = logging.getLogger(__name__)
MAX_BATCH = 500
# Measurement only (bench/, docs/benchmarks.md): EXAM_BENCH_NO_LOG=1 stores answers in the
# cache table without their events, to price the log. Such an exam cannot be verified.
LOG_ANSWERS = os.environ.get("EXAM_BENCH_NO_LOG") != "1"


@dataclass
class AnswerRequest:
    who: CandidatePrincipal
    question: str
    choice: object
    seq: int


def record_answer(who: CandidatePrincipal, question: object, choice: object, seq: object
                  ) -> dict:
    """Store one answer (if its seq is new) and return the ack once it is committed."""
    req = AnswerRequest(who, _question(question), _choice_shape(choice), _seq(seq))
    if writer is not None and writer.running:
        outcome = writer.submit(req)
    else:
        outcome = apply_batch([req])[0]
    if isinstance(outcome, ExamError):
        raise outcome
    return outcome


def apply_batch(reqs: list[AnswerRequest]) -> list[dict | ExamError]:
    """Apply answers in one transaction; each gets its ack or its refusal.

    The hot path of the engine: rows are read and written with plain SQL statements (one
    read of the attempts, one of the items, one executemany per table), not ORM objects.
    """
    outcomes: list[dict | ExamError] = []
    with db.write() as s:
        for exam_id in sorted({r.who.exam_id for r in reqs}):
            EventLog.of(s, exam_id).lock()
        attempts = _attempts(s, {r.who.candidate_id for r in reqs})
        items = _items(s, {(attempts[r.who.candidate_id]["id"], r.question) for r in reqs
                           if r.who.candidate_id in attempts})
        now = clock.now_ms()
        touched_items: dict[int, dict] = {}
        touched_attempts: dict[int, dict] = {}
        for r in reqs:
            try:
                outcomes.append(_apply(s, r, attempts.get(r.who.candidate_id), items, now,
                                       touched_items, touched_attempts))
            except ExamError as exc:
                outcomes.append(exc)
        if touched_items:
            s.execute(_UPDATE_ITEM, [{"b_id": i["id"], "b_choice": i["choice"],
                                      "b_seq": i["seq"], "b_saved": i["saved_ms"]}
                                     for i in touched_items.values()])
            s.execute(_UPDATE_ATTEMPT, [{"b_id": a["id"], "b_answered": a["answered"],
                                         "b_last": a["last_answer_seq"]}
                                        for a in touched_attempts.values()])
    return outcomes


_A, _I = Attempt.__table__, AttemptItem.__table__
_UPDATE_ITEM = (update(_I).where(_I.c.id == bindparam("b_id"))
                .values(choice=bindparam("b_choice", type_=_I.c.choice.type),
                        seq=bindparam("b_seq"), saved_ms=bindparam("b_saved")))
_UPDATE_ATTEMPT = (update(_A).where(_A.c.id == bindparam("b_id"))
                   .values(answered=bindparam("b_answered"),
                           last_answer_seq=bindparam("b_last")))


def _attempts(s: Session, candidate_ids: set[int]) -> dict[int, dict]:
    rows = s.execute(select(_A.c.id, _A.c.candidate_id, _A.c.exam_id, _A.c.status,
                            _A.c.started_ms, _A.c.allowed_ms, _A.c.paused_ms,
                            _A.c.paused_since_ms, _A.c.answered, _A.c.last_answer_seq)
                     .where(_A.c.candidate_id.in_(candidate_ids))).mappings()
    return {row["candidate_id"]: dict(row) for row in rows}


def _items(s: Session, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    """The batch's (attempt, question) rows exactly: no cross product of the two.

    An OR of equalities, not a row-value IN: SQLite answers each term from the unique
    (attempt_id, qid) index, where the IN form made it scan the table (profiled). Written
    as SQL text: the statement's shape changes with every batch, so SQLAlchemy would build,
    key and compile it afresh each time (a sixth of the server's time, profiled).
    """
    if not pairs:
        return {}
    mark = "?" if db.is_sqlite else "%s"
    where = " OR ".join([f"(attempt_id = {mark} AND qid = {mark})"] * len(pairs))
    params = tuple(v for pair in sorted(pairs) for v in pair)
    rows = s.connection().exec_driver_sql(
        "SELECT id, attempt_id, qid, type, option_order, choice, seq, saved_ms"
        f" FROM attempt_items WHERE {where}", params)
    # SQLite hands JSON columns back as text; psycopg has already parsed them.
    load = json.loads if db.is_sqlite else _same
    return {(a, q): {"id": i, "attempt_id": a, "qid": q, "type": t, "option_order": load(o),
                     "choice": None if c is None else load(c), "seq": n, "saved_ms": ms}
            for i, a, q, t, o, c, n, ms in rows}


def _same(value: object) -> object:
    return value


def _apply(s: Session, r: AnswerRequest, a: dict | None, items: dict[tuple[int, str], dict],
           now: int, touched_items: dict[int, dict], touched_attempts: dict[int, dict]
           ) -> dict:
    if a is None:
        raise NotFound("no attempt yet: send start first", code="no_attempt")
    item = items.get((a["id"], r.question))
    if item is None:
        raise NotFound(f"question {r.question!r} is not part of this attempt",
                       code="unknown_question")
    if r.seq <= item["seq"]:
        # A retry of something stored, or overtaken by a newer answer: acked, unchanged.
        return {"seq": item["seq"], "saved_at": item["saved_ms"], "duplicate": True}
    if a["status"] == "ended":
        raise Conflict("this attempt has ended", code="attempt_ended")
    if a["status"] == "paused":
        raise Conflict("the exam is paused by the proctor", code="paused")
    clock_ = Clock(a["started_ms"], a["allowed_ms"], a["paused_ms"], a["paused_since_ms"])
    if not clock_.accepts_answer(now):
        raise Conflict("time is over: answers after the deadline are not stored",
                       code="time_over")
    choice = _valid_choice(item, r.choice)
    if (item["choice"] is None) != (choice is None):
        a["answered"] += 1 if choice is not None else -1
    item["choice"], item["seq"], item["saved_ms"] = choice, r.seq, now
    if LOG_ANSWERS:
        event = EventLog.of(s, a["exam_id"]).append("answered", {
            "attempt": a["id"], "question": r.question, "choice": choice, "seq": r.seq,
            "at": now,
        }, now, a["id"])
        a["last_answer_seq"] = event.seq
    touched_items[item["id"]] = item
    touched_attempts[a["id"]] = a
    return {"seq": r.seq, "saved_at": now}


def _valid_choice(item: dict, choice: object) -> str | list[str] | None:
    keys, qid = item["option_order"], item["qid"]
    if choice is None or choice == []:
        return None
    if item["type"] == "multiple":
        chosen = [choice] if isinstance(choice, str) else choice
        bad = [k for k in chosen if k not in keys]
        if bad or len(set(chosen)) != len(chosen):
            raise BadRequest(f"choice {choice!r} is not a set of options of {qid!r}",
                             code="invalid_choice")
        return sorted(chosen)
    if isinstance(choice, list):
        raise BadRequest(f"question {qid!r} takes one option key, not a list",
                         code="invalid_choice")
    if choice not in keys:
        raise BadRequest(f"{choice!r} is not an option of question {qid!r}",
                         code="invalid_choice")
    return choice


def _question(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 100:
        raise BadRequest("`question` must be a question id (a string)", code="bad_request")
    return value


def _seq(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**53:
        raise BadRequest("`seq` must be a positive integer", code="bad_seq")
    return value


def _choice_shape(value: object) -> object:
    if value is None or isinstance(value, str) and 0 < len(value) <= 8:
        return value
    if isinstance(value, list) and len(value) <= 26 and all(
            isinstance(k, str) and 0 < len(k) <= 8 for k in value):
        return value
    raise BadRequest("`choice` must be an option key, a list of keys, or null",
                     code="invalid_choice")


class GroupCommitWriter:
    """One background task that commits everybody's waiting answers together."""

    def __init__(self, server) -> None:
        self._server = server           # the python-socketio server: async-mode primitives
        self._queue = server.eio.create_queue()
        self._empty = server.eio.get_queue_empty_exception()
        self.running = False
        self.batches = 0                # transactions committed (or failed) so far
        self.answers = 0                # answers they carried

    def start(self) -> None:
        self.running = True
        self._server.start_background_task(self._run)

    def stop(self) -> None:
        self.running = False
        self._queue.put(None)

    def submit(self, req: AnswerRequest) -> dict | ExamError:
        done = self._server.eio.create_event()
        slot: list = []
        self._queue.put((req, slot, done))
        if not done.wait(timeout=30):
            return ExamError("the answer could not be stored in time; it will be resent",
                             code="not_saved")
        return slot[0]

    def _run(self) -> None:
        while self.running:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except self._empty:
                    break
                if nxt is None:
                    self.running = False
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list) -> None:
        self.batches += 1
        self.answers += len(batch)
        try:
            outcomes = apply_batch([req for req, _, _ in batch])
        except Exception:  # the whole transaction failed: nobody's answer is saved
            log.exception("answer batch of %d failed", len(batch))
            outcomes = [ExamError("the answer was not saved (server error); it will be resent",
                                  code="not_saved")] * len(batch)
        for (_, slot, done), outcome in zip(batch, outcomes, strict=True):
            slot.append(outcome)
            done.set()


writer: GroupCommitWriter | None = None


def start_writer(server) -> GroupCommitWriter:
    global writer
    writer = GroupCommitWriter(server)
    writer.start()
    return writer

