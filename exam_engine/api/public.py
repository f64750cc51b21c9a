"""Anything anyone may read (the public scoreboard arrives with the live screens)."""
from __future__ import annotations

from exam_engine.api import bp


@bp.get("/health")
def health():
    return {"ok": True}
