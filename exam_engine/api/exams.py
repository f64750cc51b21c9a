"""Exams: create, open, close, results."""
from __future__ import annotations

from flask import Response, g, request

from exam_engine.api import bp, json_body, staff, uploaded_file
from exam_engine.errors import Invalid
from exam_engine.services import exams, results
from question_bank.exam_definition import parse_exam_definition


@bp.post("/exams")
@staff("admin")
def create_exam():
    if request.files:
        data, filename = uploaded_file()
        defn, problems = parse_exam_definition(data, filename)
    else:
        defn, problems = parse_exam_definition(None, None, obj=json_body())
    if problems or defn is None:
        raise Invalid(f"the exam definition has {len(problems)} problem(s); nothing was stored",
                      code="invalid_exam", problems=[p.as_dict() for p in problems])
    return exams.create_exam(defn, actor=g.staff.username), 201


def _reason() -> str | None:
    data = request.get_json(silent=True)
    return data.get("reason") if isinstance(data, dict) else None


@bp.post("/exams/<code>/open")
@staff("admin", "proctor")
def open_exam(code: str):
    return exams.open_exam(code, actor=g.staff.username, reason=_reason())


@bp.post("/exams/<code>/close")
@staff("admin", "proctor")
def close_exam(code: str):
    return exams.close_exam(code, actor=g.staff.username, reason=_reason())


@bp.get("/exams/<code>/results")
@staff("admin", "observer")
def exam_results(code: str):
    return {"exam": code, "results": results.results(code)}


@bp.get("/exams/<code>/results.csv")
@staff("admin", "observer")
def exam_results_csv(code: str):
    return Response(results.results_csv(code), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{code}-results.csv"'})


@bp.get("/exams/<code>/audit")
@staff("admin", "proctor", "observer")
def exam_audit(code: str):
    from exam_engine.services import audit

    return {"exam": code, "actions": audit.trail(code)}


@bp.get("/exams/<code>/incidents")
@staff("admin", "proctor", "observer")
def exam_incidents(code: str):
    from exam_engine.services import audit

    return {"exam": code, "incidents": audit.incidents(code)}


@bp.get("/exams")
@staff("admin", "proctor", "observer")
def list_exams():
    from exam_engine.services import exams as exam_service

    return {"exams": exam_service.list_exams()}


@bp.get("/exams/<code>/results.xlsx")
@staff("admin", "observer")
def exam_results_xlsx(code: str):
    return Response(results.results_xlsx(code), headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="{code}-results.xlsx"'})


@bp.get("/exams/<code>")
@staff("admin", "proctor", "observer")
def exam_detail(code: str):
    from exam_engine.services import exams as exam_service

    return exam_service.exam_detail(code)


@bp.get("/exams/<code>/bundle")
@staff("admin", "observer")
def exam_bundle(code: str):
    """The verification bundle (names included with ?with_names=true)."""
    from exam_engine.api.public import _bundle

    return _bundle(code, with_names=request.args.get("with_names") == "true", public=False)


@bp.post("/exams/<code>/corrections")
@staff("admin")
def request_correction(code: str):
    """An admin asks for a corrected key after the exam closed (pending a second admin)."""
    from exam_engine.api import json_body
    from exam_engine.services import corrections

    data = json_body()
    return corrections.request(code, g.staff.username, data.get("question"),
                               data.get("change"), data.get("reason")), 201


@bp.post("/exams/<code>/corrections/<int:correction_id>/approve")
@staff("admin")
def approve_correction(code: str, correction_id: int):
    from exam_engine.services import corrections

    return corrections.approve(code, correction_id, g.staff.username)


@bp.get("/exams/<code>/corrections")
@staff("admin", "observer")
def list_corrections(code: str):
    from exam_engine.services import corrections

    return {"exam": code, "corrections": corrections.listing(code)}
