"""The public pages: transparency record, receipt check, final results. No login.

The views are thin: each renders a template, and the browser fetches the public JSON
(`/api/v1/public/...`) and checks every proof and signature itself, so that a reader
trusts the mathematics rather than this server's word.
"""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("public_pages", __name__)


@bp.get("/transparency/<exam>")
def transparency(exam: str):
    """The exam's key, rules commitment and signed checkpoints, checked in the browser."""
    return render_template("public/transparency.html", exam=exam)


@bp.get("/verify")
def verify():
    """A candidate's receipt, checked against a signed checkpoint (the code may follow '#')."""
    return render_template("public/verify.html")


@bp.get("/results/<exam>")
def results(exam: str):
    """The final ranked results with the final checkpoint."""
    return render_template("public/results.html", exam=exam)


def init_app(app) -> None:
    app.register_blueprint(bp)
