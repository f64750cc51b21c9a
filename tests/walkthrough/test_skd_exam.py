"""Walkthroughs: start an attempt, answer, submit, check the marks and the results table."""
from __future__ import annotations

import csv
import io

from exam_engine.demo import SKD_EXAM, synthetic_bank
from question_bank.export import bank_to_native
from tests.conftest import ADMIN


def _ids(form: dict, section: str) -> list[str]:
    return [q["id"] for q in form["questions"] if q["section"] == section]


def test_a_full_skd_exam_is_scored_the_moment_it_is_submitted(actions):
    bank = bank_to_native(synthetic_bank())
    assert actions.upload_bank(bank).get_json()["imported"] >= 300
    assert actions.create_exam(SKD_EXAM).status_code == 201
    actions.open(SKD_EXAM["exam"])
    creds = actions.register(SKD_EXAM["exam"], 3)
    key = actions.key_of(bank)
    points = {q["id"]: {o["key"]: o["points"] for o in q["options"]}
              for q in bank["questions"] if q["type"] == "weighted"}

    # Candidate 1 passes every section exactly at, or just over, its mark:
    # TWK 13 right (65), TIU 16 right (80), TKP 41 options worth 4 and 4 worth 3 (176).
    c1 = actions.candidate(SKD_EXAM["exam"], creds[0])
    form = c1.start()
    assert form["ok"] and [s["questions"] for s in form["sections"]] == [30, 35, 45]
    twk, tiu, tkp = _ids(form, "TWK"), _ids(form, "TIU"), _ids(form, "TKP")
    for q in twk[:13] + tiu[:16]:
        assert c1.answer(q, key[q])["ok"]
    for q in twk[13:20]:  # wrong answers score 0
        assert c1.answer(q, next(k for k in "ABCDE" if k != key[q]))["ok"]
    for i, q in enumerate(tkp):
        want = 4 if i < 41 else 3
        assert c1.answer(q, next(k for k, p in points[q].items() if p == want))["ok"]
    result = c1.emit("submit")["result"]
    assert result["sections"] == {"TWK": 65, "TIU": 80, "TKP": 176}
    assert result["total"] == 321 and result["passed"] is True
    from exam_engine.core.checkpoints import decode_receipt

    receipt = decode_receipt(result["receipt"])
    assert receipt["exam"] == SKD_EXAM["exam"] and receipt["scored"]["total"] == 321

    # Candidate 2 has the higher total but fails TWK (60 < 65): every_section -> not passed.
    c2 = actions.candidate(SKD_EXAM["exam"], creds[1])
    form2 = c2.start()
    for q in _ids(form2, "TWK")[:12] + _ids(form2, "TIU") + _ids(form2, "TKP"):
        assert c2.answer(q, key[q])["ok"]
    r2 = c2.emit("submit")["result"]
    assert r2["sections"] == {"TWK": 60, "TIU": 175, "TKP": 225}
    assert r2["total"] == 460 and r2["passed"] is False

    rows = {r["participant_no"]: r for r in actions.results(SKD_EXAM["exam"])}
    first, second, absent = (rows[c["participant_no"]] for c in creds)
    assert second["rank"] == 1 and first["rank"] == 2   # ranked by total, pass or not
    assert first["passed"] is True and second["passed"] is False
    assert first["sections"] == {"TWK": 65, "TIU": 80, "TKP": 176}
    assert absent["status"] == "not_started" and absent["rank"] is None


def test_results_csv_escapes_cells_a_spreadsheet_would_run(actions, client):
    exam, _ = actions.ready_exam(0 or 1)
    r = client.post(f"/api/v1/exams/{exam}/candidates", headers=ADMIN, json={"candidates": [
        {"participant_no": "X-1", "name": "=HYPERLINK(\"http://evil\")"}]})
    assert r.status_code == 201
    body = client.get(f"/api/v1/exams/{exam}/results.csv", headers=ADMIN)
    assert body.status_code == 200 and body.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True))))
    assert rows[0] == ["rank", "participant_no", "name", "status", "TWK", "TIU", "TKP",
                       "total", "passed"]
    names = [row[2] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in names


def test_an_unanswered_attempt_scores_zero_and_fails(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    c.start()
    result = c.emit("submit")["result"]
    assert result == {"sections": {"TWK": 0, "TIU": 0, "TKP": 0}, "total": 0, "passed": False,
                      "receipt": result["receipt"]}
