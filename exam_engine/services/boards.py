"""The rows the live screens show: the proctor's room and the public scoreboard.

Pure reads; the publisher (live.py) decides when to send them.
"""
from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from exam_engine.core import scoring
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


def _people(s: Session, exam_id: int) -> list[tuple[SimpleNamespace, SimpleNamespace | None]]:
    """Every candidate with their attempt, as plain rows (this runs four times a second)."""
    rows = s.execute(
        select(*_PERSON, *(c.label(f"a_{c.name}") for c in _ATTEMPT))
        .select_from(_C.outerjoin(_A, _A.c.candidate_id == _C.c.id))
        .where(_C.c.exam_id == exam_id).order_by(_C.c.participant_no)
    ).all()
    out = []
    for row in rows:
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
    rows = []
    for c, a in _people(s, exam.id):
        row = {"participant_no": c.participant_no, "name": c.name,
               "status": a.status if a else "not_started",
               "connected": c.id in online,
               "answered": a.answered if a else 0,
               "total": a.question_count if a else _question_count(defn),
               "deadline": (a.deadline_ms if a.status == "ended"
                            else attempt_clock(a).deadline(now)) if a else None,
               "incidents": c.incidents,
               "extra_minutes": c.extra_minutes}
        if a is not None and a.result and defn.result_to_candidate != "none":
            row["score"] = scoring.public_number(Fraction(a.result["total"]))
        rows.append(row)
    return rows


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
    people = [(c, a) for c, a in _people(s, exam.id) if a is not None]
    scores: dict[int, scoring.AttemptScore] = {}
    for _c, a in people:
        if a.result:
            scores[a.id] = scoring.AttemptScore(
                sections={k: Fraction(v) for k, v in a.result["sections"].items()},
                total=Fraction(a.result["total"]), section_passed={},
                passed=a.result["passed"])
    if defn.scoreboard.mode == "live":
        running = [a for _c, a in people if not a.result]
        scores.update((live or LiveScores()).score(s, exam, running))
    ranks = scoring.rank([(str(a.id), scores[a.id]) for _c, a in people if a.id in scores],
                         defn.tie_break)
    rows = []
    for c, a in people:
        sc = scores.get(a.id)
        rows.append({
            "participant_no": c.participant_no,
            "name": mask(c.name, defn.scoreboard.names),
            "sections": {k: scoring.public_number(v) for k, v in sc.sections.items()}
            if sc else {},
            "total": scoring.public_number(sc.total) if sc else None,
            "status": a.status,
            "rank": ranks.get(str(a.id)) if sc else None,
        })
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["participant_no"]))
    return rows


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
