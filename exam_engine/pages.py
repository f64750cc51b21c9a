"""The candidate's pages: `/` (login) and `/exam`. Everything else happens over sockets."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def login():
    return render_template("candidate/login.html")


@bp.get("/exam")
def exam():
    return render_template("candidate/exam.html")
