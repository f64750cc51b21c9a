"""The admin console under `/admin/`: thin pages over the HTTP API (banks, exams, candidates).

Every page is a template plus one script; the data comes from `/api/v1` with the session
cookie that `/proctor/login` sets. A page only checks that the session belongs to an admin.
"""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from exam_engine.errors import ExamError
from exam_engine.services import auth

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app) -> None:
    """Register the admin pages on `app`."""
    app.register_blueprint(bp)


@bp.before_request
def _require_admin():
    """No session: to the staff login (back here afterwards). Another role: a 403 page."""
    try:
        who = auth.tokens.staff(session.get("staff_token"))
    except ExamError:
        return redirect(url_for("proctor.login", next=request.full_path.rstrip("?")))
    if who.role != "admin":
        return render_template("admin/forbidden.html", username=who.username,
                               role=who.role), 403
    g.admin_user = who.username
    return None


def _page(template: str, nav: str, **context):
    return render_template(f"admin/{template}", username=g.admin_user, role="admin",
                           nav=nav, **context)


@bp.get("/")
def home():
    return _page("home.html", "home")


@bp.get("/banks")
def banks():
    return _page("banks.html", "banks")


@bp.get("/banks/upload")
def bank_upload():
    return _page("upload.html", "banks")


@bp.get("/banks/<code>")
def bank(code: str):
    return _page("bank.html", "banks", bank=code)


@bp.get("/exams")
def exams():
    return _page("exams.html", "exams")


@bp.get("/exams/new")
def exam_new():
    return _page("exam_new.html", "exams")


@bp.get("/exams/<code>")
def exam(code: str):
    return _page("exam.html", "exams", exam=code)


@bp.get("/exams/<code>/cards")
def cards(code: str):
    return _page("cards.html", "exams", exam=code)
