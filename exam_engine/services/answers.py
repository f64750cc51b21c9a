"""Storing a candidate's answer: validated, appended to the log, committed, then acked.

Answers take the group-commit path (writer.py, DESIGN.md §6): one transaction stores every
answer waiting at that moment, and each is acked only once it has committed.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.orm import Session

from exam_engine import clock
from exam_engine.core.timing import Clock
from exam_engine.errors import BadRequest, Conflict, ExamError, NotFound
from exam_engine.extensions import db
from exam_engine.services import bulk_sql, writer
from exam_engine.services.auth import CandidatePrincipal
from exam_engine.services.eventlog import EventLog

# Measurement only (bench/, docs/benchmarks.md): EXAM_BENCH_NO_LOG=1 stores answers in the
# cache table without their events, to price the log. Such an exam cannot be verified.
LOG_ANSWERS = os.environ.get("EXAM_BENCH_NO_LOG") != "1"


@dataclass
class AnswerRequest:
    who: CandidatePrincipal
    question: str
    choice: object
    seq: int

    pipelined: ClassVar[bool] = True    # apply_in uses driver cursors only

    @staticmethod
    def apply_in(s: Session, reqs: list[AnswerRequest]) -> list[dict | ExamError]:
        return apply_answers(s, reqs)


def record_answer(who: CandidatePrincipal, question: object, choice: object, seq: object
                  ) -> dict:
    """Store one answer (if its seq is new) and return the ack once it is committed."""
    req = AnswerRequest(who, _question(question), _choice_shape(choice), _seq(seq))
    outcome = writer.perform(req)
    if isinstance(outcome, ExamError):
        raise outcome
    return outcome


def apply_answers(s: Session, reqs: list[AnswerRequest]) -> list[dict | ExamError]:
    """Apply answers inside the writer's transaction; each gets its ack or its refusal.

    The hot path of the engine: rows are read and written with plain SQL statements (one
    read of the attempts, one of the items, one executemany per table), not ORM objects
    nor SQLAlchemy statements.
    """
    outcomes: list[dict | ExamError] = []
    # On PostgreSQL the lock and both reads go in one round trip (db.write's pipeline):
    # the items are found by candidate, not by the attempt ids the second read returns.
    exam_ids = sorted({r.who.exam_id for r in reqs})
    lock, cur = db.cursor(s), db.cursor(s)
    _lock_exams(lock, exam_ids)
    candidate_ids = {r.who.candidate_id for r in reqs}
    if db.is_sqlite:
        attempts = _attempts(cur, candidate_ids)
        items = _items(cur, {(attempts[r.who.candidate_id]["id"], r.question)
                             for r in reqs if r.who.candidate_id in attempts})
    else:
        item_cur = db.cursor(s)
        _query_attempts(cur, candidate_ids)
        _query_items_pg(item_cur, {(r.who.candidate_id, r.question) for r in reqs})
        attempts = _fetch_attempts(cur)
        items = _fetch_items(item_cur)
    for exam_id, last, head in lock.fetchall():
        EventLog.of(s, exam_id).locked_at(last, head)
    now = clock.now_ms()
    touched_items: dict[int, dict] = {}
    touched_attempts: dict[int, dict] = {}
    for r in reqs:
        try:
            outcomes.append(_apply(s, r, attempts.get(r.who.candidate_id), items, now,
                                   touched_items, touched_attempts))
        except ExamError as exc:
            outcomes.append(exc)
    bulk_sql.update_by_id(cur, "attempt_items", ("choice:json", "seq:bigint",
                                                 "saved_ms:bigint"),
                          [(None if i["choice"] is None else json.dumps(i["choice"]),
                            i["seq"], i["saved_ms"], i["id"])
                           for i in touched_items.values()])
    bulk_sql.update_by_id(cur, "attempts", ("answered:integer", "last_answer_seq:bigint"),
                          [(a["answered"], a["last_answer_seq"], a["id"])
                           for a in touched_attempts.values()])
    return outcomes


# The hot path speaks plain SQL to the driver (db.cursor): SQLAlchemy's statement
# building, caching and parameter processing were most of the writer's time (profiled).
_ATTEMPT_COLUMNS = ("id", "candidate_id", "exam_id", "status", "started_ms", "allowed_ms",
                    "paused_ms", "paused_since_ms", "answered", "last_answer_seq")


def _lock_exams(cur, exam_ids: list[int]) -> None:
    """Take the batch's exams' log locks (EventLog.lock), in id order: no deadlocks."""
    where, args = bulk_sql.id_in("id", exam_ids)
    # SQLite's writers are serialized already.
    lock = "" if db.is_sqlite else " ORDER BY id FOR UPDATE"
    cur.execute(db.sql(f"SELECT id, event_seq, chain_head FROM exams WHERE {where}{lock}"),
                args)


def _attempts(cur, candidate_ids: set[int]) -> dict[int, dict]:
    _query_attempts(cur, candidate_ids)
    return _fetch_attempts(cur)


def _query_attempts(cur, candidate_ids: set[int]) -> None:
    where, args = bulk_sql.id_in("candidate_id", sorted(candidate_ids))
    cur.execute(db.sql(f"SELECT {', '.join(_ATTEMPT_COLUMNS)} FROM attempts WHERE {where}"),
                args)


def _fetch_attempts(cur) -> dict[int, dict]:
    return {row[1]: dict(zip(_ATTEMPT_COLUMNS, row, strict=True)) for row in cur.fetchall()}


_ITEM_COLUMNS = ("id", "attempt_id", "qid", "type", "option_order", "choice", "seq", "saved_ms")


def _items(cur, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    """SQLite: the batch's (attempt, question) rows exactly, no cross product of the two.

    An OR of equalities, not a row-value IN: SQLite answers each term from the unique
    (attempt_id, qid) index, where the IN form made it scan the table (profiled).
    """
    if not pairs:
        return {}
    where = " OR ".join(["(attempt_id = ? AND qid = ?)"] * len(pairs))
    cur.execute(f"SELECT {', '.join(_ITEM_COLUMNS)} FROM attempt_items WHERE {where}",
                [v for pair in sorted(pairs) for v in pair])
    return _fetch_items(cur)


def _query_items_pg(cur, pairs: set[tuple[int, str]]) -> None:
    """PostgreSQL: the batch's (candidate, question) rows, a join with the pairs as arrays
    (one statement shape, prepared once), sent before the attempts' rows are back."""
    ordered = sorted(pairs)
    cur.execute(f"SELECT {', '.join('i.' + c for c in _ITEM_COLUMNS)}"
                " FROM unnest(%s::bigint[], %s::text[]) AS p(c, q)"
                " JOIN attempts AS a ON a.candidate_id = p.c"
                " JOIN attempt_items AS i ON i.attempt_id = a.id AND i.qid = p.q",
                [bulk_sql.pg_array([c for c, _ in ordered]),
                 bulk_sql.pg_array([q for _, q in ordered], "text")])


def _fetch_items(cur) -> dict[tuple[int, str], dict]:
    load = bulk_sql.read_json
    return {(a, q): {"id": i, "attempt_id": a, "qid": q, "type": t, "option_order": load(o),
                     "choice": load(c), "seq": n, "saved_ms": ms}
            for i, a, q, t, o, c, n, ms in cur.fetchall()}


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
