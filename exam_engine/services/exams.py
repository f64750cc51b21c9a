"""Creating an exam from its definition, and opening and closing it (CONTRACT §2.2)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from exam_engine import clock
from exam_engine.errors import Conflict, Invalid, NotFound
from exam_engine.extensions import db
from exam_engine.models import Exam
from exam_engine.services import catalog, transparency
from exam_engine.services.banks import category_counts
from exam_engine.services.eventlog import EventLog
from question_bank.exam_definition import ExamDefinition


def create_exam(defn: ExamDefinition, actor: str = "admin") -> dict:
    """Store a new exam in `draft` after checking every draw against the banks."""
    with db.write() as s:
        if s.execute(select(Exam.id).where(Exam.code == defn.code)).scalar() is not None:
            raise Conflict(f"exam {defn.code} already exists", code="exam_exists")
        _check_draws(s, defn)
        now = clock.now_ms()
        exam = Exam(code=defn.code, title=defn.title, status="draft",
                    definition=defn.to_dict(), pinned={}, event_seq=0, created_ms=now)
        s.add(exam)
        s.flush()
        EventLog.of(s, exam.id).lock().append(
            "exam_created", {"exam": defn.code, "by": actor, "definition": defn.to_dict()},
            now)
    return {"exam": defn.code, "status": "draft"}


def _check_draws(s: Session, defn: ExamDefinition) -> dict[str, int]:
    """Refuse draws larger than their pools, naming the numbers; return revisions used."""
    problems, revisions = [], {}
    for i, section in enumerate(defn.sections):
        for j, d in enumerate(section.draws):
            rev, cats = category_counts(s, d.bank)
            field = f"sections[{i}].draw[{j}]"
            if not rev:
                problems.append({"line": None, "field": f"{field}.bank",
                                 "message": f"bank {d.bank!r} does not exist"})
                continue
            revisions[d.bank] = rev
            have = cats.get(d.category, {"count": 0, "types": {}})
            if d.count > have["count"]:
                problems.append({"line": None, "field": f"{field}.count", "message": (
                    f"section {section.code} draws {d.count} {d.category} questions but "
                    f"bank {d.bank} revision {rev} holds {have['count']}")})
            if section.scoring.weighted and set(have["types"]) - {"weighted"}:
                problems.append({"line": None, "field": f"sections[{i}].scoring", "message": (
                    f"section {section.code} is scored by option points but {d.category} "
                    f"in bank {d.bank} holds non-weighted questions")})
    if not problems:
        problems = _id_collisions(s, defn, revisions)
    if problems:
        raise Invalid(f"exam {defn.code}: {len(problems)} problem(s) with its draws",
                      code="invalid_exam", problems=problems)
    return revisions


def _id_collisions(s: Session, defn: ExamDefinition, revisions: dict[str, int]) -> list[dict]:
    """A candidate sees questions by id, so the pools of one exam must not share an id."""
    seen: dict[str, str] = {}
    problems = []
    for i, section in enumerate(defn.sections):
        for j, d in enumerate(section.draws):
            for q in catalog.pool(s, d.bank, revisions[d.bank], d.category):
                where = f"{d.bank}/{d.category}"
                if q.qid in seen and seen[q.qid] != where:
                    problems.append({"line": None, "field": f"sections[{i}].draw[{j}]",
                                     "message": f"question id {q.qid!r} is in both "
                                                f"{seen[q.qid]} and {where}"})
                seen.setdefault(q.qid, where)
    return problems[:20]


def _exam(s: Session, code: str, lock: bool = False) -> Exam:
    q = select(Exam).where(Exam.code == code)
    exam = s.execute(q.with_for_update() if lock else q).scalar()
    if exam is None:
        raise NotFound(f"exam {code!r} does not exist", code="exam_not_found")
    return exam


def open_exam(code: str, actor: str = "admin", reason: str | None = None) -> dict:
    """Open an exam: pin the bank revisions its forms are drawn from, then admit candidates."""
    with db.write() as s:
        exam = _exam(s, code, lock=True)
        if exam.status == "open":
            return {"exam": code, "status": "open"}
        if exam.status == "closed":
            raise Conflict(f"exam {code} is closed and cannot reopen", code="exam_closed")
        exam.pinned = _check_draws(s, ExamDefinition.from_dict(exam.definition))
        exam.status = "open"
        now = clock.now_ms()
        log = EventLog.of(s, exam.id).lock()
        log.append("exam_opened", {"exam": code, "by": actor, "reason": reason,
                                   "revisions": dict(sorted(exam.pinned.items()))}, now)
        transparency.commit(s, exam, log, now)
        exam_id = exam.id
    transparency.checkpoint(exam_id)
    return {"exam": code, "status": "open"}


def close_exam(code: str, actor: str = "admin", reason: str | None = None) -> dict:
    """Close an exam: no new attempts start; running attempts still end by their clock."""
    with db.write() as s:
        exam = _exam(s, code, lock=True)
        if exam.status == "draft":
            raise Conflict(f"exam {code} was never opened", code="exam_not_open")
        if exam.status == "open":
            exam.status = "closed"
            EventLog.of(s, exam.id).lock().append(
                "exam_closed", {"exam": code, "by": actor, "reason": reason}, clock.now_ms())
        exam_id = exam.id
    transparency.checkpoint(exam_id)
    transparency.reveal_if_done(exam_id)
    return {"exam": code, "status": "closed"}


def exam_by_code(code: str) -> Exam:
    with db.read() as s:
        return _exam(s, code)


def list_exams() -> list[dict]:
    """Every exam with its status, newest first."""
    with db.read() as s:
        rows = s.execute(select(Exam).order_by(Exam.created_ms.desc())).scalars().all()
        return [{"exam": e.code, "title": e.title, "status": e.status,
                 "duration_minutes": e.definition.get("duration_minutes")} for e in rows]


def exam_detail(code: str) -> dict:
    """An exam's definition, status, pinned revisions and how many candidates it has."""
    from sqlalchemy import func

    from exam_engine.models import Candidate

    with db.read() as s:
        exam = _exam(s, code)
        count = s.execute(select(func.count()).select_from(Candidate)
                          .where(Candidate.exam_id == exam.id)).scalar()
        return {"exam": exam.code, "title": exam.title, "status": exam.status,
                "definition": exam.definition, "revisions": exam.pinned, "candidates": count}
