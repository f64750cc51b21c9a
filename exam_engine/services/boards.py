"""The rows the live screens show: the proctor's room and the public scoreboard.

Pure reads; the publisher (live.py) decides when to send them.
"""
from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from exam_engine.core import board_diff, scoring
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptItem, Exam
from exam_engine.services import bulk_sql, catalog, presence
from exam_engine.services.attempts import attempt_clock


def exam_by_code(s: Session, code: object) -> Exam:
    exam = s.execute(select(Exam).where(Exam.code == code)).scalar() \
        if isinstance(code, str) else None
    if exam is None:
        raise NotFound(f"exam {code!r} does not exist", code="exam_not_found")
    return exam


_PERSON = ("id", "participant_no", "name", "incidents", "extra_minutes")
_ATTEMPT = ("id", "status", "answered", "question_count", "deadline_ms", "started_ms",
            "allowed_ms", "paused_ms", "paused_since_ms", "result", "last_answer_seq")
_COLUMNS = ", ".join([f"c.{n}" for n in _PERSON] + [f"a.{n}" for n in _ATTEMPT])


def people(s: Session, exam_id: int, attempt_ids: set[int] | None = None
           ) -> list[tuple[SimpleNamespace, SimpleNamespace | None]]:
    """Every candidate with their attempt (or those of `attempt_ids`), as plain rows.

    Plain SQL on the driver: the publisher reads the candidates its tick touched, in one
    step the sockets wait behind, and through SQLAlchemy's statements and rows that step
    took 10 ms a tick and up to 55 ms (bench/live_bench.py).
    """
    cur = db.cursor(s)
    if attempt_ids is None:
        cur.execute(db.sql(f"SELECT {_COLUMNS} FROM candidates c LEFT JOIN attempts a"
                           " ON a.candidate_id = c.id WHERE c.exam_id = ?"
                           " ORDER BY c.participant_no"), (exam_id,))
    elif not attempt_ids:
        return []
    else:
        where, args = bulk_sql.id_in("a.id", sorted(attempt_ids))
        cur.execute(db.sql(f"SELECT {_COLUMNS} FROM attempts a JOIN candidates c"
                           f" ON c.id = a.candidate_id WHERE {where} AND a.exam_id = ?"
                           " ORDER BY c.participant_no"), [*args, exam_id])
    split = len(_PERSON)
    out = []
    for row in cur.fetchall():
        person = SimpleNamespace(**dict(zip(_PERSON, row[:split], strict=True)))
        attempt = None
        if row[split] is not None:
            attempt = SimpleNamespace(**dict(zip(_ATTEMPT, row[split:], strict=True)))
            attempt.result = bulk_sql.read_json(attempt.result)
        out.append((person, attempt))
    return out


def proctor_rows(s: Session, exam: Exam, now: int) -> list[dict]:
    """One row per candidate: status, connected, progress, deadline, score, incidents."""
    defn, _ = catalog.exam_rules(exam)
    online = presence.connected_candidates(s, exam.id)
    return [proctor_row(defn, c, a, c.id in online, now) for c, a in people(s, exam.id)]


def proctor_row(defn, c: SimpleNamespace, a: SimpleNamespace | None, connected: bool,
                now: int) -> dict:
    row = {"participant_no": c.participant_no, "name": c.name,
           "status": a.status if a else "not_started",
           "connected": connected,
           "answered": a.answered if a else 0,
           "total": a.question_count if a else _question_count(defn),
           "deadline": (a.deadline_ms if a.status == "ended"
                        else attempt_clock(a).deadline(now)) if a else None,
           "incidents": c.incidents,
           "extra_minutes": c.extra_minutes}
    if a is not None and a.result and defn.result_to_candidate != "none":
        row["score"] = scoring.public_number(Fraction(a.result["total"]))
    return row


def _question_count(defn) -> int:
    return sum(d.count for sec in defn.sections for d in sec.draws)


def mask(name: str, how: str) -> str | None:
    """`full` shows the name, `masked` its initials only, `hidden` nothing."""
    if how == "full":
        return name
    if how == "masked":
        return " ".join(part[0].upper() + "." for part in name.split() if part)
    return None


class LiveScores:
    """Running scores of unfinished attempts, recomputed only for attempts that changed."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[int, scoring.AttemptScore]] = {}

    def score(self, s: Session, exam: Exam, attempts: list[Attempt]
              ) -> dict[int, scoring.AttemptScore]:
        stale = [a for a in attempts
                 if self._cache.get(a.id, (None,))[0] != a.last_answer_seq]
        if stale:
            _defn, rules = catalog.exam_rules(exam)
            items = s.execute(select(AttemptItem).where(
                AttemptItem.attempt_id.in_([a.id for a in stale]))
                .order_by(AttemptItem.attempt_id, AttemptItem.position)).scalars().all()
            views = catalog.questions(s, list({it.question_id for it in items}))
            by_attempt: dict[int, list[AttemptItem]] = {}
            for it in items:
                by_attempt.setdefault(it.attempt_id, []).append(it)
            forms = [[views[it.question_id].item_key(it.section) for it in by_attempt[a.id]]
                     for a in stale]
            sheets = [{it.qid: it.choice for it in by_attempt[a.id]} for a in stale]
            for a, sc in zip(stale, scoring.score_batch(rules, forms, sheets), strict=True):
                self._cache[a.id] = (a.last_answer_seq, sc)
        return {a.id: self._cache[a.id][1] for a in attempts}


def scoreboard_rows(s: Session, exam: Exam, live: LiveScores | None = None) -> list[dict]:
    """Public rows: rank, number, name as the exam allows, section marks, total, status.

    With `mode: on_submit` an unfinished attempt shows no score at all.
    """
    defn, _ = catalog.exam_rules(exam)
    started = [(c, a) for c, a in people(s, exam.id) if a is not None]
    scores = board_scores(s, exam, [a for _c, a in started], live)
    return ranked_board(defn, {a.id: board_row(defn, c, a, scores.get(a.id))
                               for c, a in started}, scores)


def board_scores(s: Session, exam: Exam, attempts: list, live: LiveScores | None
                 ) -> dict[int, scoring.AttemptScore]:
    """The scores a board may show: finished attempts, and running ones in `mode: live`."""
    defn, _ = catalog.exam_rules(exam)
    scores = {a.id: _result_score(a.result) for a in attempts if a.result}
    if defn.scoreboard.mode == "live":
        running = [a for a in attempts if not a.result]
        scores.update((live or LiveScores()).score(s, exam, running))
    return scores


def _result_score(result: dict) -> scoring.AttemptScore:
    return scoring.AttemptScore(
        sections={k: Fraction(v) for k, v in result["sections"].items()},
        total=Fraction(result["total"]), section_passed={}, passed=result["passed"])


def board_row(defn, c: SimpleNamespace, a: SimpleNamespace,
              score: scoring.AttemptScore | None) -> dict:
    """One public row, all but its rank."""
    return {"participant_no": c.participant_no,
            "name": mask(c.name, defn.scoreboard.names),
            "sections": {k: scoring.public_number(v) for k, v in score.sections.items()}
            if score else {},
            "total": scoring.public_number(score.total) if score else None,
            "status": a.status}


def ranked_board(defn, rows: dict[int, dict], scores: dict[int, scoring.AttemptScore]
                 ) -> list[dict]:
    """The board: `rows` (attempt id -> row without rank) ranked by `scores`, in order."""
    ranks = scoring.rank([(str(aid), scores[aid]) for aid in rows if aid in scores],
                         defn.tie_break)
    board = [{**row, "rank": ranks.get(str(aid))} for aid, row in rows.items()]
    board.sort(key=board_diff.order)
    return board


def public_scoreboard(code: str) -> dict:
    """The public board of an exam whose scoreboard is public."""
    with db.read() as s:
        exam = exam_by_code(s, code)
        defn, _ = catalog.exam_rules(exam)
        if not defn.scoreboard.public:
            raise NotFound(f"exam {code} has no public scoreboard", code="not_public")
        return {"exam": exam.code, "title": exam.title, "status": exam.status,
                "sections": [{"code": sec.code, "title": sec.title, "pass_mark": sec.pass_mark}
                             for sec in defn.sections],
                "rows": scoreboard_rows(s, exam)}
