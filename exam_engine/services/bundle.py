"""The verification bundle: everything an oversight team needs, in one JSON file (§5)."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.models import Candidate, Event, RulesSecret
from exam_engine.services import results, transparency
from exam_engine.services.boards import exam_by_code

FORMAT = "exam-engine-bundle/1"


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
        events = [[e.seq, e.kind, e.attempt_id, e.created_ms, e.payload, e.chain]
                  for e in s.execute(select(Event).where(Event.exam_id == exam.id)
                                     .order_by(Event.seq)).scalars()]
    bundle = {
        "format": FORMAT,
        "exam": exam_code,
        "title": record["title"],
        "exported": clock.now_ms(),
        "public_key": record["public_key"],
        "commitment": secret.commitment if secret else None,
        "reveal": record.get("reveal"),
        "checkpoints": record["checkpoints"],
        "events": events,
        "results": [{"candidate": people[r["participant_no"]].pseudonym,
                     **{k: r[k] for k in ("status", "sections", "total", "passed", "rank")}}
                    for r in published],
    }
    if with_names:
        bundle["names"] = {c.pseudonym: {"participant_no": c.participant_no, "name": c.name}
                           for c in people.values()}
    path.write_text(json.dumps(bundle, separators=(",", ":"), ensure_ascii=False))
    return {"exam": exam_code, "events": len(events), "checkpoints": len(bundle["checkpoints"]),
            "revealed": bundle["reveal"] is not None, "path": str(path)}
