"""Fixtures shared by every test: an app on a throw-away database, clients, exam actions.

The database is SQLite in a temporary folder, or EXAM_TEST_DATABASE_URL (PostgreSQL in CI),
emptied before each test.
"""
from __future__ import annotations

import io
import json
import os

import pytest
import yaml

from config import TestConfig
from exam_engine import clock, create_app
from exam_engine.extensions import db, socketio
from exam_engine.models import Base

ADMIN = {"Authorization": "Bearer test-admin-token"}


def small_bank(code: str = "skd-mini", per_category: int = 8) -> dict:
    """A bank with TWK/TIU single questions (key A..E rotating) and weighted TKP questions."""
    questions = []
    for cat in ("TWK", "TIU"):
        for i in range(per_category):
            right = "ABCDE"[i % 5]
            questions.append({
                "id": f"{cat.lower()}-{i + 1:03d}", "category": cat, "type": "single",
                "text": f"{cat} question {i + 1}", "explanation": "SECRET-EXPLANATION",
                "options": [{"key": k, "text": f"option {k}", **({"correct": True}
                             if k == right else {})} for k in "ABCDE"]})
    for i in range(per_category):
        questions.append({
            "id": f"tkp-{i + 1:03d}", "category": "TKP", "type": "weighted",
            "text": f"TKP situation {i + 1}",
            "options": [{"key": k, "text": f"response {k}", "points": p}
                        for k, p in zip("ABCDE", (1, 2, 3, 4, 5), strict=True)]})
    return {"bank": code, "title": "Mini SKD", "questions": questions}


def small_exam(code: str = "skd-mini-exam", bank: str = "skd-mini", count: int = 4,
               **overrides) -> dict:
    """An SKD-shaped exam: 5 points a right TWK/TIU answer, TKP weighted; pass marks scaled."""
    exam = {
        "exam": code, "title": "Mini SKD", "duration_minutes": 100,
        "sections": [
            {"code": "TWK", "title": "Tes Wawasan Kebangsaan",
             "draw": [{"bank": bank, "category": "TWK", "count": count}],
             "scoring": {"correct": 5, "wrong": 0, "blank": 0}, "pass_mark": 10},
            {"code": "TIU", "title": "Tes Intelegensia Umum",
             "draw": [{"bank": bank, "category": "TIU", "count": count}],
             "scoring": {"correct": 5, "wrong": 0, "blank": 0}, "pass_mark": 10},
            {"code": "TKP", "title": "Tes Karakteristik Pribadi",
             "draw": [{"bank": bank, "category": "TKP", "count": count}],
             "scoring": "weighted", "pass_mark": 12},
        ],
        "pass_rule": "every_section", "tie_break": ["TKP", "TIU", "TWK"],
        "result_to_candidate": "score_and_pass",
    }
    exam.update(overrides)
    return exam


@pytest.fixture
def app(tmp_path):
    url = os.environ.get("EXAM_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if not url.startswith("sqlite"):
        from exam_engine.extensions import make_engine

        engine = make_engine(url)
        Base.metadata.drop_all(engine)
        engine.dispose()
    os.environ.setdefault("EXAM_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(TestConfig(database_url=url))
    clock.reset()
    from exam_engine.services import presence

    presence.heartbeat()  # this test process counts as a live server process
    yield application
    clock.reset()
    db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class ExamActions:
    """What admins and candidates do, spelled as the product's own steps."""

    def __init__(self, app, client) -> None:
        self.app, self.client = app, client

    def upload_bank(self, bank: dict, filename: str = "bank.yaml", skip_invalid=False):
        data = {"file": (io.BytesIO(yaml.safe_dump(bank, allow_unicode=True).encode()),
                         filename)}
        if skip_invalid:
            data["skip_invalid"] = "true"
        return self.client.post("/api/v1/banks", data=data, headers=ADMIN,
                                content_type="multipart/form-data")

    def create_exam(self, exam: dict):
        return self.client.post("/api/v1/exams", json=exam, headers=ADMIN)

    def open(self, code: str):
        return self.client.post(f"/api/v1/exams/{code}/open", headers=ADMIN)

    def register(self, code: str, n: int = 2, **extra) -> list[dict]:
        people = [{"participant_no": f"P{i + 1:03d}", "name": f"Peserta {i + 1}", **extra}
                  for i in range(n)]
        r = self.client.post(f"/api/v1/exams/{code}/candidates", json={"candidates": people},
                             headers=ADMIN)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["credentials"]

    def ready_exam(self, n: int = 2, bank: dict | None = None, exam: dict | None = None,
                   **candidate_extra) -> tuple[str, list[dict]]:
        """Upload the mini bank, create and open the mini exam, register `n` candidates."""
        assert self.upload_bank(bank or small_bank()).status_code == 201
        exam = exam or small_exam()
        r = self.create_exam(exam)
        assert r.status_code == 201, r.get_json()
        assert self.open(exam["exam"]).status_code == 200
        return exam["exam"], self.register(exam["exam"], n, **candidate_extra)

    def login(self, exam: str, cred: dict) -> str:
        r = self.client.post("/api/v1/candidate/login", json={
            "exam": exam, "participant_no": cred["participant_no"], "password": cred["password"]})
        assert r.status_code == 200, r.get_json()
        return r.get_json()["token"]

    def candidate(self, exam: str, cred: dict) -> CandidateClient:
        return CandidateClient(self.app, self.login(exam, cred))

    def results(self, exam: str) -> list[dict]:
        r = self.client.get(f"/api/v1/exams/{exam}/results", headers=ADMIN)
        assert r.status_code == 200, r.get_json()
        return r.get_json()["results"]

    def key_of(self, bank: dict) -> dict:
        """question id -> the right choice (or the best option for weighted questions)."""
        out = {}
        for q in bank["questions"]:
            if q["type"] == "weighted":
                out[q["id"]] = max(q["options"], key=lambda o: o["points"])["key"]
            else:
                keys = [o["key"] for o in q["options"] if o.get("correct")]
                out[q["id"]] = keys if q["type"] == "multiple" else keys[0]
        return out


class CandidateClient:
    """A candidate's socket on /candidate; every emit returns its ack."""

    def __init__(self, app, token: str) -> None:
        self.sio = socketio.test_client(app, namespace="/candidate", auth={"token": token})
        assert self.sio.is_connected("/candidate")
        self.seq = 0

    def emit(self, event: str, payload: dict | None = None) -> dict:
        ack = self.sio.emit(event, payload or {}, namespace="/candidate", callback=True)
        json.dumps(ack)  # acks must be plain JSON
        return ack

    def start(self) -> dict:
        return self.emit("start")

    def answer(self, question: str, choice, seq: int | None = None) -> dict:
        if seq is None:
            self.seq += 1
            seq = self.seq
        return self.emit("answer", {"question": question, "choice": choice, "seq": seq})

    def received(self) -> list[dict]:
        return self.sio.get_received("/candidate")

    def close(self) -> None:
        if self.sio.is_connected("/candidate"):
            self.sio.disconnect(namespace="/candidate")


@pytest.fixture
def actions(app, client):
    return ExamActions(app, client)


def staff_user(client, role: str, username: str | None = None) -> str:
    """Create a staff account through the API and return its token."""
    r = client.post("/api/v1/users", headers=ADMIN, json={
        "username": username or f"{role}-1", "role": role, "password": "kata-sandi-rahasia"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
