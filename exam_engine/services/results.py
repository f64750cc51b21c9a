"""The exam's results: every candidate's marks, pass verdict and rank (CONTRACT §3)."""
from __future__ import annotations

import csv
import io
from fractions import Fraction

from sqlalchemy import select

from exam_engine.core import scoring
from exam_engine.extensions import db
from exam_engine.models import Attempt, Candidate
from exam_engine.services import catalog
from exam_engine.services.exams import _exam


def results(exam_code: str) -> list[dict]:
    """One row per candidate, ranked among the scored attempts; public numbers."""
    with db.read() as s:
        exam = _exam(s, exam_code)
        defn, rules = catalog.exam_rules(exam)
        rows = s.execute(
            select(Candidate, Attempt).outerjoin(Attempt, Attempt.candidate_id == Candidate.id)
            .where(Candidate.exam_id == exam.id).order_by(Candidate.participant_no)
        ).all()
    scored = [(c.participant_no, _score(a.result)) for c, a in rows
              if a is not None and a.result]
    ranks = scoring.rank(scored, defn.tie_break)
    out = []
    for c, a in rows:
        row = {"participant_no": c.participant_no, "name": c.name,
               "status": a.status if a else "not_started",
               "sections": None, "total": None, "passed": None, "rank": None}
        if a is not None and a.result:
            r = a.result
            row.update(
                sections={k: scoring.public_number(Fraction(v)) for k, v in r["sections"].items()},
                total=scoring.public_number(Fraction(r["total"])),
                passed=r["passed"], rank=ranks[c.participant_no])
        if a is not None and a.end_reason:
            row["end_reason"] = a.end_reason
        out.append(row)
    out.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, row["participant_no"]))
    return out


def _score(result: dict) -> scoring.AttemptScore:
    return scoring.AttemptScore(
        sections={k: Fraction(v) for k, v in result["sections"].items()},
        total=Fraction(result["total"]), section_passed={}, passed=result["passed"])


def results_csv(exam_code: str) -> str:
    """The results as CSV; text cells that a spreadsheet would run as a formula are escaped."""
    rows = results(exam_code)
    with db.read() as s:
        defn, _ = catalog.exam_rules(_exam(s, exam_code))
    sections = [sec.code for sec in defn.sections]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["rank", "participant_no", "name", "status", *sections, "total", "passed"])
    for r in rows:
        marks = [(r["sections"] or {}).get(code, "") for code in sections]
        passed = "" if r["passed"] is None else ("yes" if r["passed"] else "no")
        w.writerow([r["rank"] or "", safe_cell(r["participant_no"]), safe_cell(r["name"]),
                    safe_cell(r["status"]), *marks, "" if r["total"] is None else r["total"],
                    passed])
    return buf.getvalue()


def safe_cell(value: str) -> str:
    """Prefix a quote to text a spreadsheet would treat as a formula (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def results_xlsx(exam_code: str) -> bytes:
    """The results as an Excel sheet; every text cell is stored as text, never a formula."""
    from openpyxl import Workbook

    rows = results(exam_code)
    with db.read() as s:
        defn, _ = catalog.exam_rules(_exam(s, exam_code))
    sections = [sec.code for sec in defn.sections]
    wb = Workbook()
    ws = wb.active
    ws.title = "Hasil"
    ws.append(["rank", "participant_no", "name", "status", *sections, "total", "passed"])
    for r in rows:
        marks = [(r["sections"] or {}).get(code) for code in sections]
        passed = None if r["passed"] is None else ("yes" if r["passed"] else "no")
        ws.append([r["rank"], r["participant_no"], r["name"], r["status"], *marks, r["total"],
                   passed])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"          # '=...' stays text, not a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
