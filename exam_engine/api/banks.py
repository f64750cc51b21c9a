"""Bank upload and listing."""
from __future__ import annotations

from flask import request

from exam_engine.api import bp, staff, uploaded_file
from exam_engine.services import banks
from question_bank.importers import parse_bank_file


@bp.post("/banks")
@staff("admin")
def upload_bank():
    data, filename = uploaded_file()
    skip = request.form.get("skip_invalid", "").lower() in ("1", "true", "yes", "on")
    return banks.import_bank(parse_bank_file(data, filename), filename, skip_invalid=skip), 201


@bp.get("/banks")
@staff("admin")
def list_banks():
    return {"banks": banks.list_banks()}
