"""Storing a candidate's answer: validated, appended to the log, committed, then acked.

Answers take the group-commit path (writer.py, DESIGN.md §6): one transaction stores every
answer waiting at that moment, and each is acked only once it has committed.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

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

    The hot path of the engine: rows are read and written with plain SQL statements, not
    ORM objects nor SQLAlchemy statements. On PostgreSQL a batch is two round trips
    whatever its size (pg_batch): BEGIN with the exams' lock and one read of the attempts
    with their items, then one statement writing items, attempts, events and the exams'
    counters, with the COMMIT when the writer says nothing follows.
    """
    outcomes: list[dict | ExamError] = []
    exam_ids = sorted({r.who.exam_id for r in reqs})
    if db.is_sqlite:
        cur = db.cursor(s)
        locks = _lock_exams(cur, exam_ids)
        attempts, items = _read(cur, reqs)
    else:
        cur, begin = db.statement_cursor(s)
        locks, attempts, items = _lock_and_read_pg(
            cur, begin, exam_ids, {(r.who.candidate_id, r.question) for r in reqs})
    for exam_id, last, head in locks:
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
    s.flush()   # whatever an earlier request of the batch left to the ORM goes first
    bulk_sql.write(
        cur,
        bulk_sql.Update("attempt_items", ("choice:json", "seq:bigint", "saved_ms:bigint"),
                        [(None if i["choice"] is None else json.dumps(i["choice"]),
                          i["seq"], i["saved_ms"], i["id"]) for i in touched_items.values()]),
        bulk_sql.Update("attempts", ("answered:integer", "last_answer_seq:bigint"),
                        [(a["answered"], a["last_answer_seq"], a["id"])
                         for a in touched_attempts.values()]),
        *EventLog.writes_of(s), then=db.commit_with_last(s))
    return outcomes


# The hot path speaks plain SQL to the driver (db.cursor): SQLAlchemy's statement
# building, caching and parameter processing were most of the writer's time (profiled).
_ATTEMPT_COLUMNS = ("id", "candidate_id", "exam_id", "status", "started_ms", "allowed_ms",
                    "paused_ms", "paused_since_ms", "answered", "last_answer_seq")
_ITEM_COLUMNS = ("id", "attempt_id", "qid", "type", "option_order", "choice", "seq", "saved_ms")


def _lock_exams(cur, exam_ids: list[int]) -> list[tuple]:
    """SQLite: the batch's exams' log counters (EventLog.lock; SQLite's writers are
    serialized already)."""
    where, args = bulk_sql.id_in("id", exam_ids)
    cur.execute(f"SELECT id, event_seq, chain_head FROM exams WHERE {where}", args)
    return cur.fetchall()


def _read(cur, reqs: list[AnswerRequest]
          ) -> tuple[dict[int, dict], dict[tuple[int, str], dict]]:
    """SQLite: the batch's attempts by candidate, and their items by (attempt, question)."""
    where, args = bulk_sql.id_in("candidate_id", sorted({r.who.candidate_id for r in reqs}))
    cur.execute(f"SELECT {', '.join(_ATTEMPT_COLUMNS)} FROM attempts WHERE {where}", args)
    attempts = {row[1]: dict(zip(_ATTEMPT_COLUMNS, row, strict=True))
                for row in cur.fetchall()}
    return attempts, _items(cur, {(attempts[r.who.candidate_id]["id"], r.question)
                                  for r in reqs if r.who.candidate_id in attempts})


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
    return _fetch_items(cur.fetchall())


# Each lookup is a LATERAL subquery with LIMIT 1, which PostgreSQL plans on its own: one
# probe of the unique index per pair. As a plain join, the planner of a freshly filled table
# (an exam's opening minutes, before autovacuum has analyzed it) probed the items by attempt
# alone and filtered out the attempt's other 100-odd questions: 1.6 ms a batch of 36 instead
# of 0.1 (EXPLAIN ANALYZE, docs/benchmarks.md).
_READ_PG = (f"SELECT {', '.join('a.' + c for c in _ATTEMPT_COLUMNS)},"
            f" {', '.join('i.' + c for c in _ITEM_COLUMNS)}"
            " FROM unnest(%s::bigint[], %s::text[]) AS p(c, q)"
            f" JOIN LATERAL (SELECT {', '.join(_ATTEMPT_COLUMNS)} FROM attempts"
            "  WHERE candidate_id = p.c LIMIT 1) AS a ON true"
            f" LEFT JOIN LATERAL (SELECT {', '.join(_ITEM_COLUMNS)} FROM attempt_items"
            "  WHERE attempt_id = a.id AND qid = p.q LIMIT 1) AS i ON true")


def _lock_and_read_pg(cur, begin: str, exam_ids: list[int], pairs: set[tuple[int, str]]
                      ) -> tuple[list[tuple], dict[int, dict], dict[tuple[int, str], dict]]:
    """PostgreSQL: BEGIN (if the batch opens its transaction here), the exams' locks, and
    one read of the attempts with their items, in one round trip. The read is a statement
    of its own, after the lock: it sees what the lock's previous holder committed.

    The (candidate, question) pairs travel as arrays. An attempt comes once a pair, its
    item (if any) beside it."""
    ordered = sorted(pairs)
    lock = cur.prepared("SELECT id, event_seq, chain_head FROM exams"
                        " WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE")
    read = cur.prepared(_READ_PG)
    cur.execute(f"{begin}{lock}; {read}",
                [bulk_sql.pg_array(exam_ids), bulk_sql.pg_array([c for c, _ in ordered]),
                 bulk_sql.pg_array([q for _, q in ordered], "text")])
    if begin:
        cur.nextset()
    locks = cur.fetchall()
    cur.nextset()
    rows = cur.fetchall()
    width = len(_ATTEMPT_COLUMNS)
    attempts: dict[int, dict] = {}
    for row in rows:
        if row[1] not in attempts:
            attempts[row[1]] = dict(zip(_ATTEMPT_COLUMNS, row[:width], strict=True))
    return locks, attempts, _fetch_items([row[width:] for row in rows if row[width] is not None])


def _fetch_items(rows) -> dict[tuple[int, str], dict]:
    load = bulk_sql.read_json
    return {(a, q): {"id": i, "attempt_id": a, "qid": q, "type": t, "option_order": load(o),
                     "choice": load(c), "seq": n, "saved_ms": ms}
            for i, a, q, t, o, c, n, ms in rows}


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
