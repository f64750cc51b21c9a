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
from exam_engine.models import Attempt, AttemptItem, Candidate, Exam
from exam_engine.services import catalog, presence
from exam_engine.services.attempts import attempt_clock


def exam_by_code(s: Session, code: object) -> Exam:
    exam = s.execute(select(Exam).where(Exam.code == code)).scalar() \
        if isinstance(code, str) else None
    if exam is None:
        raise NotFound(f"exam {code!r} does not exist", code="exam_not_found")
    return exam


_C, _A = Candidate.__table__, Attempt.__table__
_PERSON = (_C.c.id, _C.c.participant_no, _C.c.name, _C.c.incidents, _C.c.extra_minutes)
_ATTEMPT = (_A.c.id, _A.c.status, _A.c.answered, _A.c.question_count, _A.c.deadline_ms,
            _A.c.started_ms, _A.c.allowed_ms, _A.c.paused_ms, _A.c.paused_since_ms,
            _A.c.result, _A.c.last_answer_seq)


def people(s: Session, exam_id: int, attempt_ids: set[int] | None = None
           ) -> list[tuple[SimpleNamespace, SimpleNamespace | None]]:
    """Every candidate with their attempt (or those of `attempt_ids`), as plain rows."""
    q = (select(*_PERSON, *(c.label(f"a_{c.name}") for c in _ATTEMPT))
         .select_from(_C.outerjoin(_A, _A.c.candidate_id == _C.c.id))
         .where(_C.c.exam_id == exam_id).order_by(_C.c.participant_no))
    if attempt_ids is not None:
        q = q.where(_A.c.id.in_(attempt_ids))
    out = []
    for row in s.execute(q).all():
        m = row._mapping
        person = SimpleNamespace(**{c.name: m[c.name] for c in _PERSON})
        attempt = SimpleNamespace(**{c.name: m[f"a_{c.name}"] for c in _ATTEMPT}) \
            if m["a_id"] is not None else None
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
