"""Pages: `/proctor/` (staff login, dashboard, audit) and `/scoreboard/<exam>` (public)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for

from exam_engine.errors import ExamError
from exam_engine.services import auth

bp = Blueprint("proctor", __name__, template_folder="templates")


def _staff():
    try:
        return auth.tokens.staff(session.get("staff_token"))
    except ExamError:
        return None


@bp.get("/proctor/login")
def login():
    return render_template("proctor/login.html")


@bp.get("/proctor/")
def dashboard():
    who = _staff()
    if who is None:
        return redirect(url_for("proctor.login"))
    if who.role == "observer":          # observers read the audit trail, they do not act
        return redirect(url_for("proctor.audit"))
    return render_template("proctor/dashboard.html", username=who.username, role=who.role)


@bp.get("/proctor/audit")
def audit():
    who = _staff()
    if who is None:
        return redirect(url_for("proctor.login"))
    return render_template("proctor/audit.html", username=who.username, role=who.role)


@bp.get("/scoreboard/<exam>")
def scoreboard(exam: str):
    return render_template("scoreboard/board.html", exam=exam)
