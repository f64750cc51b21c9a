"""Banks: upload (or dry run), list, inspect, preview, export, templates."""
from __future__ import annotations

import yaml
from flask import Response, request

from exam_engine.api import bp, staff, uploaded_file
from exam_engine.errors import BadRequest
from exam_engine.services import banks
from question_bank.export import bank_to_native
from question_bank.importers import parse_upload


def _flag(name: str) -> bool:
    return request.form.get(name, request.args.get(name, "")).lower() in ("1", "true", "yes",
                                                                          "on")


@bp.post("/banks")
@staff("admin")
def upload_bank():
    data, filename = uploaded_file()
    parsed, media = parse_upload(data, filename)
    _named(parsed)
    if _flag("dry_run"):
        report = banks.dry_run(parsed, filename)
        return report, 422 if report["problems"] and not _flag("skip_invalid") else 200
    return banks.import_bank(parsed, filename, skip_invalid=_flag("skip_invalid"),
                             media_files=media), 201


def _named(parsed) -> None:
    """Form fields `bank` and `title` name a bank whose file names none (CSV, XLSX, ...)."""
    import re

    code, title = request.form.get("bank", "").strip(), request.form.get("title", "").strip()
    if code:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", code) or len(code) > 64:
            raise BadRequest("`bank` must be a code of a-z, 0-9 and '-'", field="bank")
        parsed.code, parsed.code_from_filename = code, False
        parsed.problems = [p for p in parsed.problems if p.field != "bank"]
    if title:
        parsed.title = title[:300]


@bp.get("/banks")
@staff("admin")
def list_banks():
    return {"banks": banks.list_banks()}


def _revision_arg() -> int | None:
    value = request.args.get("revision")
    if value is None:
        return None
    if not value.isdigit():
        raise BadRequest("`revision` must be a number", field="revision")
    return int(value)


@bp.get("/banks/<code>")
@staff("admin")
def bank_detail(code: str):
    return banks.bank_detail(code, _revision_arg())


@bp.get("/banks/<code>/questions")
@staff("admin")
def bank_questions(code: str):
    return banks.questions_of(code, _revision_arg(), request.args.get("category"),
                              request.args.get("offset", 0, type=int),
                              request.args.get("limit", 50, type=int))


@bp.get("/banks/<code>/export")
@staff("admin")
def export_bank(code: str):
    native = bank_to_native(banks.export_native(code, _revision_arg()))
    body = yaml.safe_dump(native, allow_unicode=True, sort_keys=False, width=100)
    return Response(body, mimetype="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{code}.yaml"'})


@bp.get("/banks/template.<fmt>")
@staff("admin")
def bank_template(fmt: str):
    from question_bank.csv_import import template_csv, template_xlsx

    if fmt == "csv":
        return Response(template_csv(), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="template-soal.csv"'})
    if fmt == "xlsx":
        return Response(template_xlsx(), headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": 'attachment; filename="template-soal.xlsx"'})
    raise BadRequest("the template comes as .csv or .xlsx")
