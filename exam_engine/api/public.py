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
