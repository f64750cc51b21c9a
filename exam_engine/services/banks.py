"""Storing a question bank as a new revision: all or nothing (CONTRACT §2.1)."""
from __future__ import annotations

from sqlalchemy import func, select

from exam_engine import clock
from exam_engine.errors import Invalid, NotFound
from exam_engine.extensions import db
from exam_engine.models import Bank, BankRevision, Question
from exam_engine.services import media
from question_bank.model import ParsedBank

CHUNK = 2_000


def import_bank(parsed: ParsedBank, source: str, skip_invalid: bool = False,
                media_files: dict[str, bytes] | None = None, progress=None) -> dict:
    """Store the parsed bank (and its images) as its next revision; all or nothing.

    `progress(n)` is called as each chunk of n questions is written (one transaction).
    """
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
        if parsed.title and parsed.title != parsed.code:   # a file without a title keeps it
            bank.title = parsed.title
        rev = BankRevision(bank_id=bank.id, revision=bank.latest_revision, title=bank.title,
                           source=source[:300], question_count=len(parsed.questions),
                           created_ms=now)
        s.add(rev)
        s.flush()
        for start in range(0, len(parsed.questions), CHUNK):
            chunk = parsed.questions[start:start + CHUNK]
            s.execute(Question.__table__.insert(), [
                {"revision_id": rev.id, "position": start + i, "qid": q.id,
                 "category": q.category, "type": q.type, "text": q.text,
                 "options": [_option(o) for o in q.options], "difficulty": q.difficulty,
                 "tags": list(q.tags), "explanation": q.explanation}
                for i, q in enumerate(chunk)])
            if progress:
                progress(len(chunk))
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


def bank_detail(code: str, revision: int | None = None) -> dict:
    """A bank's revisions and, for one revision, its counts per category and type."""
    with db.read() as s:
        bank = s.execute(select(Bank).where(Bank.code == code)).scalar()
        if bank is None:
            raise NotFound(f"bank {code!r} does not exist", code="bank_not_found")
        revs = s.execute(select(BankRevision).where(BankRevision.bank_id == bank.id)
                         .order_by(BankRevision.revision.desc())).scalars().all()
        if revision and revision not in {r.revision for r in revs}:
            raise NotFound(f"bank {code} has no revision {revision}", code="revision_not_found")
        rev_no, cats = category_counts(s, code, revision)
    return {"bank": code, "title": bank.title, "revision": rev_no,
            "revisions": [{"revision": r.revision, "source": r.source,
                           "questions": r.question_count, "created": r.created_ms}
                          for r in revs],
            "categories": cats}


def questions_of(code: str, revision: int | None = None, category: str | None = None,
                 offset: int = 0, limit: int = 50) -> dict:
    """Questions as staff see them: the candidate's rendering plus the key and points."""
    from exam_engine.rendering import render_markdown

    with db.read() as s:
        rev = _revision(s, code, revision)
        q = select(Question).where(Question.revision_id == rev.id)
        if category:
            q = q.where(Question.category == category)
        total = s.execute(select(func.count()).select_from(q.subquery())).scalar()
        rows = s.execute(q.order_by(Question.position).offset(max(0, offset))
                         .limit(min(max(1, limit), 500))).scalars().all()
    items = []
    for row in rows:
        items.append({
            "id": row.qid, "category": row.category, "type": row.type, "text": row.text,
            "html": render_markdown(media.rewrite_for_staff(row.text, rev.id)),
            "options": [{**o, "html": render_markdown(
                media.rewrite_for_staff(o["text"], rev.id), inline=True)} for o in row.options],
            "explanation": row.explanation, "difficulty": row.difficulty, "tags": row.tags})
    return {"bank": code, "revision": rev.revision, "total": total, "offset": offset,
            "questions": items}


def export_native(code: str, revision: int | None = None) -> ParsedBank:
    """The bank's revision back as the bank model (for the native YAML export)."""
    from question_bank.model import Option
    from question_bank.model import Question as BankQuestion

    with db.read() as s:
        rev = _revision(s, code, revision)
        bank = s.execute(select(Bank).where(Bank.code == code)).scalar_one()
        rows = s.execute(select(Question).where(Question.revision_id == rev.id)
                         .order_by(Question.position)).scalars().all()
    return ParsedBank(code=code, title=bank.title, questions=[BankQuestion(
        id=r.qid, category=r.category, type=r.type, text=r.text,
        options=tuple(Option(o["key"], o["text"], bool(o.get("correct")), o.get("points"))
                      for o in r.options),
        difficulty=r.difficulty, tags=tuple(r.tags or ()), explanation=r.explanation)
        for r in rows])


def _revision(s, code: str, revision: int | None) -> BankRevision:
    bank = s.execute(select(Bank).where(Bank.code == code)).scalar()
    if bank is None:
        raise NotFound(f"bank {code!r} does not exist", code="bank_not_found")
    rev = s.execute(select(BankRevision).where(
        BankRevision.bank_id == bank.id,
        BankRevision.revision == (revision or bank.latest_revision))).scalar()
    if rev is None:
        raise NotFound(f"bank {code} has no revision {revision}", code="revision_not_found")
    return rev


def dry_run(parsed: ParsedBank, source: str) -> dict:
    """What an import would store, and every problem, without storing anything."""
    cats: dict[str, dict] = {}
    for q in parsed.questions:
        entry = cats.setdefault(q.category, {"count": 0, "types": {}})
        entry["count"] += 1
        entry["types"][q.type] = entry["types"].get(q.type, 0) + 1
    return {"dry_run": True, "bank": parsed.code, "title": parsed.title, "source": source,
            "questions": len(parsed.questions), "categories": cats,
            "problems": [p.as_dict() for p in parsed.problems],
            "bank_code_from": "file name" if parsed.code_from_filename else "file"}
