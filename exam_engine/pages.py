"""The candidate's pages: `/` (login) and `/exam`. Everything else happens over sockets."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, session

from exam_engine.errors import ExamError
from exam_engine.services import auth, media

bp = Blueprint("pages", __name__)


@bp.get("/")
def login():
    return render_template("candidate/login.html")


@bp.get("/exam")
def exam():
    return render_template("candidate/exam.html")


@bp.get("/media/<token>")
def candidate_media(token: str):
    """An image of a question on the candidate's own form (the URL is signed for them)."""
    return _image(media.by_token(token))


@bp.get("/media/staff/<int:revision>/<name>")
def staff_media(revision: int, name: str):
    try:
        auth.tokens.staff(session.get("staff_token"))
    except ExamError:
        return {"error": "unauthorized", "message": "log in as staff to see bank images"}, 401
    return _image(media.for_staff(revision, name))


def _image(row) -> Response:
    return Response(row.data, mimetype=row.content_type, headers={
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'"})
