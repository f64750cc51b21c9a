"""Verifiable results: an exam's bundle re-checked by the standalone verifier (issue 5)."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from exam_engine.audit import bundlefile
from exam_engine.core import ed25519, merkle
from exam_engine.core.checkpoints import decode_receipt, encode_receipt, tree_head_bytes
from exam_engine.core.ledger import event_bytes
from exam_engine.extensions import db
from exam_engine.models import Attempt, Event
from exam_engine.services import proctoring, transparency
from exam_engine.services.proctoring import Action
from tests.conftest import ADMIN, small_bank

ROOT = Path(__file__).resolve().parents[2]
# The verifier must run with none of the server's frameworks importable.
NO_FRAMEWORKS = ("import sys\n"
                 "for m in ('flask', 'sqlalchemy', 'flask_socketio', 'socketio', 'redis',"
                 " 'psycopg', 'yaml', 'werkzeug'): sys.modules[m] = None\n"
                 "from exam_engine.audit.__main__ import main\n"
                 "sys.exit(main(sys.argv[1:]))\n")


def run_verifier(bundle: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", NO_FRAMEWORKS, "verify", str(bundle), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})


def sit_exam(actions, n: int) -> tuple[str, list[dict], dict]:
    """n candidates answer (some right, some wrong, some changed), one pause, one extension,
    one force-submit; everyone else submits; the exam closes and its rules are revealed."""
    exam, creds = actions.ready_exam(n)
    key = actions.key_of(small_bank())
    rnd = random.Random(7)
    receipts = {}
    for i, cred in enumerate(creds):
        c = actions.candidate(exam, cred)
        qs = c.start()["questions"]
        for q in qs:
            pick = key[q["id"]] if rnd.random() < 0.6 else rnd.choice("ABCDE")
            c.answer(q["id"], rnd.choice("ABCDE"))
            c.answer(q["id"], pick)                     # a changed answer: 2 events
        act = Action("pengawas", exam, cred["participant_no"], "uji")
        if i == 0:
            proctoring.pause(act)
            proctoring.resume(act)
        if i == 1:
            proctoring.extend(act, 10)
        if i == 2:
            proctoring.force_submit(act)
            continue
        receipts[cred["participant_no"]] = c.emit("submit")["result"]["receipt"]
    r = actions.client.post(f"/api/v1/exams/{exam}/close", headers=ADMIN,
                            json={"reason": "selesai"})
    assert r.status_code == 200
    return exam, creds, receipts


def export(runner, exam: str, path: Path) -> Path:
    out = runner.invoke(args=["audit", "export", exam, "--out", str(path)])
    assert out.exit_code == 0, out.output
    return path


def test_a_whole_exam_verifies_clean_in_a_separate_process(actions, runner, tmp_path):
    exam, creds, receipts = sit_exam(actions, 50)
    bundle = export(runner, exam, tmp_path / "bundle.jsonl")
    header = bundlefile.read_header(bundle)
    assert header["reveal"] is not None and len(header["checkpoints"]) >= 2
    assert creds[0]["participant_no"] not in bundle.read_text()   # pseudonymous by default
    proc = run_verifier(bundle)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("VERIFIED: exam skd-mini-exam")
    assert "50 attempts re-scored" in proc.stdout

    receipt = receipts[creds[5]["participant_no"]]
    assert run_verifier(bundle, "--receipt", receipt).returncode == 0
    changed = decode_receipt(receipt)
    changed["scored"]["total"] = changed["scored"]["total"] + 1      # one digit changed
    bad = run_verifier(bundle, "--receipt", encode_receipt(changed))
    assert bad.returncode == 1 and "does not match the logged score" in bad.stdout


def test_checkpoints_read_the_log_in_steps_and_stay_provable(actions, runner, tmp_path,
                                                             monkeypatch):
    # A process catches up on the log a few rows at a time (a thousand in production), as
    # after a restart in the middle of a big exam; proofs must not change.
    monkeypatch.setattr(transparency, "CATCH_UP_ROWS", 7)
    transparency.forget()
    exam, _, _ = sit_exam(actions, 6)
    transparency.forget()
    record = transparency.published(exam)
    last = record["checkpoints"][-1]
    with db.read() as s:
        seq, kind, attempt, at, payload = s.execute(
            select(Event.seq, Event.kind, Event.attempt_id, Event.created_ms, Event.payload)
            .where(Event.kind == "answered").order_by(Event.seq.desc()).limit(1)).one()
    proof = transparency.inclusion(exam, seq)
    assert proof["checkpoint"]["size"] == last["size"] > 7
    leaf = merkle.leaf_hash(event_bytes(seq, kind, attempt, at, payload))
    assert merkle.verify_inclusion(leaf, seq - 1, last["size"],
                                   [bytes.fromhex(h) for h in proof["proof"]],
                                   bytes.fromhex(last["root"]))
    proc = run_verifier(export(runner, exam, tmp_path / "bundle.jsonl"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_verifier_refuses_an_unreadable_bundle(tmp_path):
    (tmp_path / "x.json").write_text("{not json")
    proc = run_verifier(tmp_path / "x.json")
    assert proc.returncode == 2 and proc.stdout.startswith("UNREADABLE")


@pytest.fixture
def sat(actions):
    exam, creds, _ = sit_exam(actions, 6)
    with db.read() as s:
        attempts = {a.id: a for a in s.execute(select(Attempt)).scalars()}
        answered = s.execute(select(Event).where(Event.kind == "answered")
                             .order_by(Event.seq)).scalars().all()
    return exam, creds, attempts, answered


def pseudonym_of(attempt_id: int) -> str:
    with db.read() as s:
        payload = s.execute(select(Event.payload).where(Event.attempt_id == attempt_id,
                                                        Event.kind == "created")).scalar()
    return json.loads(payload)["candidate"]


def tampered(runner, exam, tmp_path) -> str:
    proc = run_verifier(export(runner, exam, tmp_path / "b.json"))
    assert proc.returncode == 1, proc.stdout
    return proc.stdout


def test_a_stored_answer_changed_in_the_database_is_caught(sat, runner, tmp_path):
    exam, _creds, _attempts, answered = sat
    ev = answered[-1]
    p = json.loads(ev.payload)
    p["choice"] = "E" if p["choice"] != "E" else "D"
    with db.write() as s:
        s.execute(text("UPDATE events SET payload = :p WHERE id = :id"),
                  {"p": json.dumps(p, sort_keys=True, separators=(",", ":")), "id": ev.id})
    out = tampered(runner, exam, tmp_path)
    assert f"candidate {pseudonym_of(ev.attempt_id)}, event #{ev.seq} (answered)" in out


def test_a_changed_score_is_caught(sat, runner, tmp_path):
    exam, _creds, attempts, _ = sat
    a = next(iter(attempts.values()))
    result = dict(a.result, total="999")
    with db.write() as s:
        s.execute(text("UPDATE attempts SET result = :r WHERE id = :id"),
                  {"r": json.dumps(result), "id": a.id})
    out = tampered(runner, exam, tmp_path)
    assert f"candidate {pseudonym_of(a.id)}: published total 999" in out


def test_a_deleted_event_is_caught(sat, runner, tmp_path):
    exam, _creds, _attempts, answered = sat
    ev = answered[len(answered) // 2]
    with db.write() as s:
        s.execute(text("DELETE FROM events WHERE id = :id"), {"id": ev.id})
    out = tampered(runner, exam, tmp_path)
    assert f"events #{ev.seq}..#{ev.seq} are missing" in out
    assert "its root does not match" in out


def test_a_truncated_log_is_caught(sat, runner, tmp_path):
    exam, *_ = sat
    path = export(runner, exam, tmp_path / "b.json")
    header, events = bundlefile.read(path)
    header.pop("format")
    bundlefile.write(path, header, events[:-5])
    proc = run_verifier(path)
    assert proc.returncode == 1 and "the log was truncated" in proc.stdout


def test_a_checkpoint_re_signed_over_another_root_is_caught(sat, runner, tmp_path):
    exam, *_ = sat
    path = export(runner, exam, tmp_path / "b.json")
    header, events = bundlefile.read(path)
    header.pop("format")
    cp = header["checkpoints"][-1]
    cp["root"] = "00" * 32
    secret = bytes.fromhex(_signing_secret())      # even the engine's own key cannot hide it
    cp["signature"] = ed25519.sign(secret, tree_head_bytes(exam, cp["size"], cp["root"],
                                                           cp["time"])).hex()
    bundlefile.write(path, header, events)
    proc = run_verifier(path)
    assert proc.returncode == 1
    assert f"checkpoint of size {cp['size']}: its root does not match" in proc.stdout
    assert f"checkpoint of size {cp['size']}: not consistent with" in proc.stdout


def _signing_secret() -> str:
    return transparency.signer._secret.hex()


def test_a_revealed_key_that_does_not_match_its_commitment_is_caught(sat, runner, tmp_path):
    exam, *_ = sat
    with db.read() as s:
        ev = s.execute(select(Event).where(Event.kind == "revealed")).scalar_one()
    p = json.loads(ev.payload)
    first = p["material"]["pools"]["skd-mini"]["categories"]["TWK"][0]
    first["key"] = ["E"] if first["key"] != ["E"] else ["D"]
    with db.write() as s:
        s.execute(text("UPDATE events SET payload = :p WHERE id = :id"),
                  {"p": json.dumps(p, sort_keys=True, separators=(",", ":"),
                                   ensure_ascii=False), "id": ev.id})
    out = tampered(runner, exam, tmp_path)
    assert f"event #{ev.seq} (revealed): the revealed rules do not match the commitment" in out


def test_the_announcement_and_public_bundle_wait_until_the_results_are_final(actions, client,
                                                                             tmp_path):
    exam, creds = actions.ready_exam(2)
    c = actions.candidate(exam, creds[0])
    c.start()
    c.emit("submit")
    assert client.get(f"/api/v1/public/exams/{exam}/announcement").status_code == 409
    assert client.get(f"/api/v1/public/exams/{exam}/bundle").status_code == 409
    client.post(f"/api/v1/exams/{exam}/close", headers=ADMIN, json={"reason": "selesai"})
    body = client.get(f"/api/v1/public/exams/{exam}/announcement").get_json()
    assert [r["participant_no"] for r in body["rows"]] == [creds[0]["participant_no"]]
    assert body["final_checkpoint"]["size"] > 0
    bundle = client.get(f"/api/v1/public/exams/{exam}/bundle")
    assert bundle.status_code == 200
    assert creds[0]["participant_no"] not in bundle.get_data(as_text=True)
    path = tmp_path / "public.json"
    path.write_bytes(bundle.data)
    assert run_verifier(path).returncode == 0
    record = client.get(f"/api/v1/public/exams/{exam}/transparency").get_json()
    assert record["revealed"] and record["commitment"]
    receipt = decode_receipt(c.emit("start")["result"]["receipt"])
    proof = client.get(f"/api/v1/public/exams/{exam}/proof/{receipt['seq']}").get_json()
    assert proof["checkpoint"]["size"] >= receipt["seq"] and proof["proof"]


def test_a_corrected_key_needs_a_second_admin_and_the_verifier_replays_it(actions, client,
                                                                          runner, tmp_path):
    from tests.conftest import bearer, staff_user

    exam, creds, _ = sit_exam(actions, 5)
    first, second = staff_user(client, "admin", "ani"), staff_user(client, "admin", "budi")
    before = {r["participant_no"]: r["total"] for r in actions.results(exam)}
    from exam_engine.models import AttemptItem

    with db.read() as s:                      # a TWK question someone actually had
        question = s.execute(select(AttemptItem.qid).where(AttemptItem.section == "TWK")
                             .limit(1)).scalar()
    old_key = actions.key_of(small_bank())[question]
    new_key = "B" if old_key != "B" else "C"
    r = client.post(f"/api/v1/exams/{exam}/corrections", headers=bearer(first), json={
        "question": question, "change": {"key": [new_key]}, "reason": "banding: kunci salah"})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    cid = r.get_json()["id"]
    assert {r["participant_no"]: r["total"] for r in actions.results(exam)} == before
    same = client.post(f"/api/v1/exams/{exam}/corrections/{cid}/approve", headers=bearer(first))
    assert same.status_code == 403                # the requester cannot approve it
    ok = client.post(f"/api/v1/exams/{exam}/corrections/{cid}/approve", headers=bearer(second))
    assert ok.status_code == 200 and ok.get_json()["status"] == "applied"
    assert ok.get_json()["rescored"] >= 1
    with db.read() as s:
        kinds = [k for (k,) in s.execute(text("SELECT kind FROM events ORDER BY seq"))]
    assert "corrected" in kinds and kinds.count("rescored") == ok.get_json()["rescored"]
    proc = run_verifier(export(runner, exam, tmp_path / "corrected.json"))
    assert proc.returncode == 0, proc.stdout
