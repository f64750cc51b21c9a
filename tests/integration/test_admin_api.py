"""The admin's HTTP API: banks, exams, candidates, login (CONTRACT §3)."""
from __future__ import annotations

import io

from exam_engine.errors import Unauthorized
from exam_engine.services import auth
from tests.conftest import ADMIN, small_bank, small_exam


def test_a_bank_with_problems_stores_nothing_and_lists_every_problem(actions, client):
    bad = (b"bank: mini\nquestions:\n"
           b"  - id: q1\n    category: TWK\n    type: single\n    text: one\n"
           b"    options:\n      - {key: A, text: a, correct: true}\n"
           b"      - {key: B, text: b, correct: true}\n"
           b"  - id: q2\n    category: TWK\n    type: essay\n    text: two\n"
           b"    options:\n      - {key: A, text: a}\n      - {key: B, text: b}\n")
    r = client.post("/api/v1/banks", headers=ADMIN, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(bad), "mini.yaml")})
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"] == "invalid_bank"
    lines = sorted(p["line"] for p in body["problems"])
    assert len(lines) == 2 and lines[0] in range(3, 9) and lines[1] in range(10, 13)
    assert all(p["field"] and p["message"] for p in body["problems"])
    assert client.get("/api/v1/banks", headers=ADMIN).get_json() == {"banks": []}

    # Asked for it, the sound questions are stored and the others reported as skipped.
    r = client.post("/api/v1/banks", headers=ADMIN, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(bad.replace(b"text: b, correct: true",
                                                          b"text: b")), "mini.yaml"),
                          "skip_invalid": "true"})
    assert r.status_code == 201
    out = r.get_json()
    assert out["imported"] == 1 and len(out["skipped"]) == 1
    assert "essay" in out["skipped"][0]["message"]


def test_reimport_makes_a_new_revision_and_a_running_attempt_keeps_its_own(actions, client):
    exam, creds = actions.ready_exam(2)
    c1 = actions.candidate(exam, creds[0])
    before = c1.start()
    changed = small_bank()
    for q in changed["questions"]:
        q["text"] = "REVISED " + q["text"]
    r = actions.upload_bank(changed)
    assert r.get_json()["revision"] == 2
    banks = client.get("/api/v1/banks", headers=ADMIN).get_json()["banks"]
    assert banks == [{"bank": "skd-mini", "title": "Mini SKD", "revision": 2, "questions": 24}]
    again = c1.start()
    assert again["questions"] == before["questions"]
    assert not any(q["text"].startswith("REVISED") for q in again["questions"])


def test_a_draw_larger_than_its_pool_is_refused_with_the_numbers(actions):
    actions.upload_bank(small_bank())
    r = actions.create_exam(small_exam(count=9))
    assert r.status_code == 422
    messages = " ".join(p["message"] for p in r.get_json()["problems"])
    assert "draws 9 TWK questions" in messages and "holds 8" in messages


def test_an_exam_drawing_from_a_missing_bank_is_refused(actions):
    r = actions.create_exam(small_exam(bank="nope"))
    assert r.status_code == 422
    assert "bank 'nope' does not exist" in r.get_json()["problems"][0]["message"]


def test_exam_definition_problems_come_back_with_fields(actions):
    r = actions.create_exam({"exam": "Bad Code!", "duration_minutes": -5, "sections": []})
    assert r.status_code == 422
    fields = {p["field"] for p in r.get_json()["problems"]}
    assert {"exam", "duration_minutes"} <= fields


def test_open_and_close_move_the_exam_through_its_states(actions, client):
    actions.upload_bank(small_bank())
    actions.create_exam(small_exam())
    code = small_exam()["exam"]
    assert client.post(f"/api/v1/exams/{code}/close", headers=ADMIN).status_code == 409
    r = client.post(f"/api/v1/exams/{code}/open", headers=ADMIN)
    assert r.get_json() == {"exam": code, "status": "open"}
    r = client.post(f"/api/v1/exams/{code}/close", headers=ADMIN)
    assert r.get_json() == {"exam": code, "status": "closed"}
    assert client.post(f"/api/v1/exams/{code}/open", headers=ADMIN).status_code == 409


def test_a_candidate_cannot_start_before_the_exam_opens(actions):
    actions.upload_bank(small_bank())
    actions.create_exam(small_exam())
    creds = actions.register(small_exam()["exam"], 1)
    ack = actions.candidate(small_exam()["exam"], creds[0]).start()
    assert ack["ok"] is False and ack["error"] == "exam_not_open"


def test_candidates_from_csv_get_passwords_once_stored_only_as_hashes(actions, client):
    actions.upload_bank(small_bank())
    actions.create_exam(small_exam())
    code = small_exam()["exam"]
    csv_file = b"participant_no,name,extra_minutes\n1001,Ani,30\n1002,Budi,\n"
    r = client.post(f"/api/v1/exams/{code}/candidates", headers=ADMIN,
                    content_type="multipart/form-data",
                    data={"file": (io.BytesIO(csv_file), "peserta.csv")})
    assert r.status_code == 201
    creds = r.get_json()["credentials"]
    assert [c["participant_no"] for c in creds] == ["1001", "1002"]
    from exam_engine.extensions import db
    from exam_engine.models import Candidate
    with db.read() as s:
        stored = {c.participant_no: c for c in s.query(Candidate)}
    assert all(creds[i]["password"] not in stored[creds[i]["participant_no"]].password_hash
               for i in range(2))
    assert stored["1001"].extra_minutes == 30
    again = client.post(f"/api/v1/exams/{code}/candidates", headers=ADMIN,
                        json={"candidates": [{"participant_no": "1001", "name": "Ani"}]})
    assert again.status_code == 409


def test_accommodation_adds_extra_minutes_to_the_deadline(actions):
    exam, creds = actions.ready_exam(1, extra_minutes=30)
    form = actions.candidate(exam, creds[0]).start()
    assert abs(form["deadline"] - form["server_now"] - 130 * 60_000) < 2000


def test_wrong_passwords_are_refused_without_saying_which_part_was_wrong(actions, client):
    exam, creds = actions.ready_exam(1)
    for body in ({"exam": exam, "participant_no": creds[0]["participant_no"],
                  "password": "wrong"},
                 {"exam": exam, "participant_no": "nobody", "password": "x"},
                 {"exam": exam}):
        r = client.post("/api/v1/candidate/login", json=body)
        assert r.status_code == 401 and r.get_json()["error"] == "bad_credentials"


def test_admin_endpoints_need_the_admin_token(client):
    assert client.get("/api/v1/banks").status_code == 401
    r = client.get("/api/v1/banks", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
    r = client.get("/api/v1/no-such-thing", headers=ADMIN)
    assert r.status_code == 404 and r.is_json


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert b"<script>" not in r.data


def test_a_candidate_who_started_may_log_in_again_after_closing(actions, client):
    exam, creds = actions.ready_exam(2)
    actions.candidate(exam, creds[0]).start()
    client.post(f"/api/v1/exams/{exam}/close", headers=ADMIN, json={"reason": "waktu"})
    again = actions.candidate(exam, creds[0])            # another PC: the attempt goes on
    assert again.start()["status"] == "active"
    r = client.post("/api/v1/candidate/login", json={
        "exam": exam, "participant_no": creds[1]["participant_no"],
        "password": creds[1]["password"]})
    assert r.status_code == 409 and r.get_json()["error"] == "exam_closed"


def test_a_missing_revision_is_a_404(actions, client):
    actions.upload_bank(small_bank())
    r = client.get("/api/v1/banks/skd-mini?revision=9", headers=ADMIN)
    assert r.status_code == 404 and r.get_json()["error"] == "revision_not_found"


def test_a_lost_card_gets_a_new_password_and_the_old_one_stops(actions, client):
    exam, creds = actions.ready_exam(1)
    old_token = actions.login(exam, creds[0])
    r = client.post(f"/api/v1/exams/{exam}/candidates/{creds[0]['participant_no']}/password",
                    headers=ADMIN, json={"reason": "kartu hilang"})
    assert r.status_code == 200 and r.get_json()["password"] != creds[0]["password"]
    import pytest as _pytest

    with _pytest.raises(Unauthorized):
        auth.tokens.candidate(old_token)
    assert actions.login(exam, {"participant_no": creds[0]["participant_no"],
                                "password": r.get_json()["password"]})
    listed = client.get(f"/api/v1/exams/{exam}/candidates", headers=ADMIN).get_json()
    assert [c["participant_no"] for c in listed["candidates"]] == [creds[0]["participant_no"]]
    assert "password" not in listed["candidates"][0]


def test_a_csv_bank_can_be_named_on_upload(client):
    sheet = (b"category,type,text,option_a,option_b,option_c,option_d,option_e,key,points\n"
             b"TWK,single,Soal satu,a,b,c,d,e,A,\n")
    r = client.post("/api/v1/banks", headers=ADMIN, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(sheet), "Soal TWK.csv"), "bank": "twk-2026",
                          "title": "Bank TWK 2026"})
    assert r.status_code == 201 and r.get_json()["bank"] == "twk-2026"
    banks = client.get("/api/v1/banks", headers=ADMIN).get_json()["banks"]
    assert banks[0]["title"] == "Bank TWK 2026"
