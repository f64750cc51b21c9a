"""The verification bundle: everything an oversight team needs, in one JSON Lines file (§5)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from exam_engine import clock
from exam_engine.audit import bundlefile
from exam_engine.extensions import db
from exam_engine.models import Candidate, Event, RulesSecret
from exam_engine.services import results, transparency
from exam_engine.services.boards import exam_by_code


def export(exam_code: str, path: Path, with_names: bool = False) -> dict:
    """Write the exam's bundle (pseudonymous unless `with_names`) and return a summary."""
    with db.read() as s:
        exam_id = exam_by_code(s, exam_code).id
    transparency.checkpoint(exam_id)          # the bundle's last checkpoint covers it all
    record = transparency.published(exam_code)
    published = results.results(exam_code)
    with db.read() as s:
        exam = exam_by_code(s, exam_code)
        people = {c.participant_no: c for c in s.execute(
            select(Candidate).where(Candidate.exam_id == exam.id)).scalars()}
        secret = s.get(RulesSecret, exam.id)
        exam_id = exam.id
    header = {
        "exam": exam_code,
        "title": record["title"],
        "exported": clock.now_ms(),
        "public_key": record["public_key"],
        "commitment": secret.commitment if secret else None,
        "reveal": record.get("reveal"),
        "checkpoints": record["checkpoints"],
        "results": [{"candidate": people[r["participant_no"]].pseudonym,
                     **{k: r[k] for k in ("status", "sections", "total", "passed", "rank")}}
                    for r in published],
    }
    if with_names:
        header["names"] = {c.pseudonym: {"participant_no": c.participant_no, "name": c.name}
                           for c in people.values()}
    with db.read() as s:
        rows = s.execute(select(Event.seq, Event.kind, Event.attempt_id, Event.created_ms,
                                Event.payload, Event.chain)
                         .where(Event.exam_id == exam_id).order_by(Event.seq)
                         .execution_options(yield_per=5000))
        count = bundlefile.write(path, header, (list(r) for r in rows))
    return {"exam": exam_code, "events": count, "checkpoints": len(header["checkpoints"]),
            "revealed": header["reveal"] is not None, "path": str(path)}
