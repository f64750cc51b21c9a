"""Candidate registration and candidate login."""
from __future__ import annotations

from flask import g, request

from exam_engine.api import bp, json_body, staff, uploaded_file
from exam_engine.errors import BadRequest
from exam_engine.services import candidates
from question_bank.candidates import parse_candidates_csv, parse_candidates_json


@bp.post("/exams/<code>/candidates")
@staff("admin")
def add_candidates(code: str):
    if request.files:
        data, _filename = uploaded_file()
        rows, problems = parse_candidates_csv(data)
    else:
        items = json_body().get("candidates")
        if not isinstance(items, list):
            raise BadRequest("`candidates` must be a list", field="candidates")
        rows, problems = parse_candidates_json(items)
    return candidates.import_candidates(code, rows, problems, actor=g.staff.username), 201


@bp.post("/candidate/login")
def candidate_login():
    data = json_body()
    return candidates.login(data.get("exam"), data.get("participant_no"), data.get("password"))


@bp.get("/exams/<code>/candidates")
@staff("admin", "proctor", "observer")
def list_candidates(code: str):
    return {"exam": code, "candidates": candidates.listing(code)}


@bp.post("/exams/<code>/candidates/<participant_no>/password")
@staff("admin")
def reissue_password(code: str, participant_no: str):
    """A lost login card: a new password, shown once; the old one stops working."""
    data = request.get_json(silent=True) or {}
    return candidates.reissue_password(code, participant_no, g.staff.username,
                                       data.get("reason"))
