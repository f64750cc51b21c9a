"""Storing a question bank as a new revision: all or nothing (CONTRACT §2.1)."""
from __future__ import annotations

from sqlalchemy import func, select

from exam_engine import clock
from exam_engine.errors import Invalid
from exam_engine.extensions import db
from exam_engine.models import Bank, BankRevision, Question
from exam_engine.services import media
from question_bank.model import ParsedBank


def import_bank(parsed: ParsedBank, source: str, skip_invalid: bool = False,
                media_files: dict[str, bytes] | None = None) -> dict:
    """Store the parsed bank (and its images) as its next revision; all or nothing."""
    problems = [p.as_dict() for p in parsed.problems]
    if problems and not skip_invalid or not parsed.questions or not parsed.code:
        raise Invalid(
            f"{source}: {len(problems) or 'no'} problem(s); nothing was stored"
            if problems else f"{source}: no question could be read; nothing was stored",
            code="invalid_bank", problems=problems,
        )
    now = clock.now_ms()
    with db.write() as s:
        bank = s.execute(select(Bank).where(Bank.code == parsed.code)
                         .with_for_update()).scalar()
        if bank is None:
            bank = Bank(code=parsed.code, title=parsed.title or parsed.code, latest_revision=0)
            s.add(bank)
            s.flush()
        bank.latest_revision += 1
        bank.title = parsed.title or bank.title
        rev = BankRevision(bank_id=bank.id, revision=bank.latest_revision, title=bank.title,
                           source=source[:300], question_count=len(parsed.questions),
                           created_ms=now)
        s.add(rev)
        s.flush()
        s.execute(Question.__table__.insert(), [
            {"revision_id": rev.id, "position": i, "qid": q.id, "category": q.category,
             "type": q.type, "text": q.text, "options": [_option(o) for o in q.options],
             "difficulty": q.difficulty, "tags": list(q.tags), "explanation": q.explanation}
            for i, q in enumerate(parsed.questions)
        ])
        media.store(s, rev.id, media_files or {})
        revision = bank.latest_revision
    answer = {"bank": parsed.code, "revision": revision, "imported": len(parsed.questions),
              "skipped": problems, "media": len(media_files or {})}
    if parsed.code_from_filename:
        answer["bank_code_from"] = "file name"
    return answer


def _option(o) -> dict:
    out = {"key": o.key, "text": o.text}
    if o.correct:
        out["correct"] = True
    if o.points is not None:
        out["points"] = o.points
    return out


def list_banks() -> list[dict]:
    """Every bank with its latest revision and that revision's question count."""
    with db.read() as s:
        rows = s.execute(
            select(Bank.code, Bank.title, Bank.latest_revision, BankRevision.question_count)
            .join(BankRevision, (BankRevision.bank_id == Bank.id)
                  & (BankRevision.revision == Bank.latest_revision))
            .order_by(Bank.code)
        ).all()
    return [{"bank": c, "title": t, "revision": r, "questions": n} for c, t, r, n in rows]


def category_counts(s, bank: str, revision: int | None = None) -> tuple[int, dict[str, dict]]:
    """The revision used (latest by default) and, per category, its count and types."""
    b = s.execute(select(Bank).where(Bank.code == bank)).scalar()
    if b is None:
        return 0, {}
    rev_no = revision or b.latest_revision
    rev = s.execute(select(BankRevision).where(BankRevision.bank_id == b.id,
                                               BankRevision.revision == rev_no)).scalar_one()
    rows = s.execute(select(Question.category, Question.type, func.count())
                     .where(Question.revision_id == rev.id)
                     .group_by(Question.category, Question.type)).all()
    out: dict[str, dict] = {}
    for category, qtype, n in rows:
        entry = out.setdefault(category, {"count": 0, "types": {}})
        entry["count"] += n
        entry["types"][qtype] = n
    return rev_no, out
