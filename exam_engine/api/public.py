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


@bp.get("/public/exams/<code>/announcement")
def announcement(code: str):
    """The final results with the final checkpoint (once the rules are revealed)."""
    from exam_engine.services import transparency

    return transparency.announcement(code)


@bp.get("/public/exams/<code>/bundle")
def public_bundle(code: str):
    """The pseudonymous verification bundle, once the results are final."""
    return _bundle(code, with_names=False, public=True)


def _bundle(code: str, with_names: bool, public: bool):
    import tempfile
    from pathlib import Path

    from flask import Response

    from exam_engine.services import bundle, transparency

    if public:
        transparency.announcement(code)   # refuses until the results are final
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        bundle.export(code, path, with_names=with_names)
        body = path.read_bytes()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{code}-bundle.json"'})
