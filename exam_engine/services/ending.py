"""Ending and scoring attempts, any number of them in one transaction.

A submission, the sweeper at a deadline and a proctor's force-submit all end an attempt the
same way: `ended` and `scored` appended to the exam's log and the attempt's row updated. Here
that is done on plain rows for many attempts at once: every answer sheet in one read, each
exam's attempts scored together by numpy (`scoring.score_batch`), every row written in one
statement. Submissions go through the group-commit writer with the answers, so the burst of
submissions at the end of an exam shares its commits and its scoring: one by one they cost
5.3 ms each, most of it statement overhead and a commit (profiled; docs/benchmarks.md).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy.orm import Session

from exam_engine import clock
from exam_engine.core import scoring
from exam_engine.core.checkpoints import encode_receipt
from exam_engine.core.rules import ItemKey
from exam_engine.core.timing import GRACE_MS, Clock
from exam_engine.errors import Conflict, ExamError, NotFound
from exam_engine.extensions import db
from exam_engine.services import bulk_sql, catalog
from exam_engine.services.auth import CandidatePrincipal
from exam_engine.services.eventlog import EventLog

ATTEMPT_COLUMNS = ("id", "exam_id", "candidate_id", "status", "started_ms", "allowed_ms",
                   "paused_ms", "paused_since_ms", "deadline_ms", "version")


@dataclass
class Ending:
    """One attempt to end: its row (ATTEMPT_COLUMNS), why, and the end time to record
    (the deadline when time ran out), with the proctor's name and reason if one did it."""

    attempt: dict
    reason: str
    ended_ms: int
    actor: dict | None = None


def end_all(s: Session, endings: list[Ending]) -> dict[int, dict]:
    """End and score these attempts inside the caller's transaction; return each result.

    The caller has checked that every attempt is still running. Each exam's log is locked
    here if the caller has not done it already.
    """
    if not endings:
        return {}
    now = clock.now_ms()
    sheets = _sheets(s, [e.attempt["id"] for e in endings])
    by_exam: dict[int, list[Ending]] = {}
    for e in endings:
        by_exam.setdefault(e.attempt["exam_id"], []).append(e)
    results: dict[int, dict] = {}
    rows = []
    for exam_id, group in sorted(by_exam.items()):
        log = EventLog.of(s, exam_id).lock()
        facts = catalog.exam_facts(s, exam_id)
        _defn, rules = catalog.exam_rules(facts)
        views = catalog.questions(s, sorted({row[0] for e in group
                                             for row in sheets[e.attempt["id"]]}))
        keys: dict[tuple[int, str], ItemKey] = {}   # shared: one numpy column each
        forms, answers = [], []
        for e in group:
            sheet = sheets[e.attempt["id"]]
            forms.append([keys.get((pk, sec)) or keys.setdefault(
                (pk, sec), views[pk].item_key(sec)) for pk, sec, _qid, _c in sheet])
            answers.append({qid: choice for _pk, _sec, qid, choice in sheet})
        for e, score in zip(group, scoring.score_batch(rules, forms, answers), strict=True):
            result = _log_ending(log, facts.code, e, score, now)
            results[e.attempt["id"]] = result
            rows.append(("ended", e.reason, e.ended_ms, None, e.attempt["version"] + 1,
                         json.dumps(result), e.attempt["id"]))
    bulk_sql.write(db.cursor(s), bulk_sql.Update("attempts", (
        "status:text", "end_reason:text", "ended_ms:bigint", "paused_since_ms:bigint",
        "version:integer", "result:json"), rows))
    return results


def _log_ending(log: EventLog, exam_code: str, e: Ending, score: scoring.AttemptScore,
                now: int) -> dict:
    """Append `ended` and `scored`; return the attempt's stored result with its receipt."""
    aid = e.attempt["id"]
    payload = {"attempt": aid, "reason": e.reason, "at": e.ended_ms}
    if e.actor:
        payload.update(e.actor)
    log.append("ended", payload, now, aid)
    scored = {
        "attempt": aid,
        "scorer": scoring.SCORER_VERSION,
        "sections": {code: scoring.exact(v) for code, v in score.sections.items()},
        "total": scoring.exact(score.total),
        "passed": score.passed,
        # Public leaves must not let anyone confirm a guessed score: a random salt.
        "salt": secrets.token_hex(16),
    }
    event = log.append("scored", scored, now, aid)
    receipt = {"exam": exam_code, "seq": event.seq, "at": now, "attempt": aid,
               "scored": scored}
    return {**scored, "event_seq": event.seq, "receipt": encode_receipt(receipt)}


def _sheets(s: Session, attempt_ids: list[int]) -> dict[int, list[tuple]]:
    """Each attempt's (question pk, section, qid, choice) in form order, in one read."""
    cur = db.cursor(s)
    where, args = bulk_sql.id_in("attempt_id", attempt_ids)
    cur.execute(db.sql(f"SELECT attempt_id, question_id, section, qid, choice"
                       f" FROM attempt_items WHERE {where} ORDER BY attempt_id, position"), args)
    sheets: dict[int, list[tuple]] = {aid: [] for aid in attempt_ids}
    for aid, pk, section, qid, choice in cur.fetchall():
        sheets[aid].append((pk, section, qid, bulk_sql.read_json(choice)))
    return sheets


def attempt_rows(s: Session, *, candidate_ids=None, attempt_ids=None) -> list[dict]:
    """Attempts as plain rows (ATTEMPT_COLUMNS), by candidate or by attempt id."""
    column, ids = ("candidate_id", candidate_ids) if candidate_ids is not None else (
        "id", attempt_ids)
    ids = sorted(ids)
    if not ids:
        return []
    cur = db.cursor(s)
    where, args = bulk_sql.id_in(column, ids)
    cur.execute(db.sql(f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts WHERE {where}"),
                args)
    return [dict(zip(ATTEMPT_COLUMNS, row, strict=True)) for row in cur.fetchall()]


def row_clock(a: dict) -> Clock:
    return Clock(a["started_ms"], a["allowed_ms"], a["paused_ms"], a["paused_since_ms"])


@dataclass(frozen=True)
class SubmitRequest:
    """A candidate's `submit`, for the group-commit writer."""

    who: CandidatePrincipal

    @staticmethod
    def apply_in(s: Session, reqs: list[SubmitRequest]) -> list[Finished | ExamError]:
        return submit_all(s, [r.who for r in reqs])


@dataclass(frozen=True)
class Finished:
    """A submission stored: why the attempt ended and the result its candidate may see."""

    reason: str             # submitted, or time when it came after the deadline
    result: dict


def submit_all(s: Session, whos: list[CandidatePrincipal]) -> list[Finished | ExamError]:
    """End the callers' attempts at their request, inside the caller's transaction.

    A submission after the deadline (plus the transit grace) ends the attempt at its
    deadline instead; of two submissions of one attempt only the first ends it.
    """
    now = clock.now_ms()
    for exam_id in sorted({w.exam_id for w in whos}):
        EventLog.of(s, exam_id).lock()
    rows = {a["candidate_id"]: a for a in attempt_rows(
        s, candidate_ids={w.candidate_id for w in whos})}
    outcomes: list[Ending | ExamError] = []
    ending: set[int] = set()
    for w in whos:
        a = rows.get(w.candidate_id)
        if a is None:
            outcomes.append(NotFound("no attempt yet: send start first", code="no_attempt"))
        elif a["status"] == "ended" or a["id"] in ending:
            outcomes.append(Conflict("this attempt has already ended", code="attempt_ended"))
        else:
            ending.add(a["id"])
            late = row_clock(a).expired(now, GRACE_MS)
            outcomes.append(Ending(a, "time", a["deadline_ms"]) if late
                            else Ending(a, "submitted", now))
    results = end_all(s, [o for o in outcomes if isinstance(o, Ending)])
    return [Finished(o.reason, candidate_result(catalog.exam_facts(s, o.attempt["exam_id"]),
                                                results[o.attempt["id"]]))
            if isinstance(o, Ending) else o for o in outcomes]


def candidate_result(exam, result: dict | None) -> dict:
    """What the exam's `result_to_candidate` lets the candidate see of a stored result."""
    defn, _ = catalog.exam_rules(exam)
    r = result or {}
    shown = {"receipt": r.get("receipt")}
    if defn.result_to_candidate in ("score", "score_and_pass"):
        shown["sections"] = {k: scoring.public_number(Fraction(v))
                             for k, v in r["sections"].items()}
        shown["total"] = scoring.public_number(Fraction(r["total"]))
    if defn.result_to_candidate == "score_and_pass":
        shown["passed"] = r["passed"]
    return shown
