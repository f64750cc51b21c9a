"""What anyone may read: health and the public scoreboard."""
from __future__ import annotations

from exam_engine.api import bp
from exam_engine.services import boards


@bp.get("/health")
def health():
    return {"ok": True}


@bp.get("/public/exams/<code>/scoreboard")
def public_scoreboard(code: str):
    return boards.public_scoreboard(code)


@bp.get("/public/exams/<code>/transparency")
def transparency_record(code: str):
    """The key, the rules commitment (and reveal), every signed checkpoint with proofs."""
    from exam_engine.services import transparency

    return transparency.published(code)


@bp.get("/public/exams/<code>/proof/<int:seq>")
def inclusion_proof(code: str, seq: int):
    """The inclusion proof of one event (a receipt's score) in the latest checkpoint."""
    from exam_engine.services import transparency

    return transparency.inclusion(code, seq)
