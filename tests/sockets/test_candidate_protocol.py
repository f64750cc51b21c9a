"""The /candidate namespace as a candidate's browser uses it (CONTRACT §4.1)."""
from __future__ import annotations

import threading

import pytest

from exam_engine import clock
from exam_engine.core.timing import GRACE_MS
from exam_engine.extensions import socketio
from exam_engine.services import sweeper
from tests.conftest import CandidateClient, small_bank

FORBIDDEN = ("correct", "points", "explanation", "SECRET-EXPLANATION")


def _walk(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}", k
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")
    else:
        yield path, value


def test_a_bad_token_is_refused_at_connect(app):
    for auth in ({"token": "forged"}, {}, None):
        sio = socketio.test_client(app, namespace="/candidate", auth=auth)
        assert not sio.is_connected("/candidate")


def test_start_gives_the_form_without_any_key(actions):
    exam, creds = actions.ready_exam(1)
    form = actions.candidate(exam, creds[0]).start()
    assert form["ok"] is True
    assert [s["code"] for s in form["sections"]] == ["TWK", "TIU", "TKP"]
    assert len(form["questions"]) == 12
    assert form["deadline"] - form["server_now"] == pytest.approx(100 * 60_000, abs=2000)
    for path, value in _walk(form):
        assert value not in FORBIDDEN, f"{path} leaks {value!r}"


def test_resume_on_another_pc_returns_the_same_form_answers_and_flags(actions):
    exam, creds = actions.ready_exam(1)
    first = actions.candidate(exam, creds[0])
    form = first.start()
    q1, q2 = form["questions"][0]["id"], form["questions"][5]["id"]
    assert first.answer(q1, "C")["ok"]
    assert first.emit("flag", {"question": q2, "flagged": True}) == {"ok": True}
    first.close()

    second = actions.candidate(exam, creds[0])   # a reload, or another PC
    again = second.start()
    assert again["attempt"] == form["attempt"]
    assert again["questions"] == form["questions"]  # same order, same option order
    assert again["answers"] == {q1: "C"} and again["flags"] == [q2]
    assert again["seqs"] == {q1: 1}


def test_candidates_of_one_exam_get_different_forms(actions):
    exam, creds = actions.ready_exam(6)
    orders = {tuple(q["id"] for q in actions.candidate(exam, c).start()["questions"])
              for c in creds}
    assert len(orders) == 6


def test_a_duplicate_or_stale_seq_is_acked_without_change(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    q = c.start()["questions"][0]["id"]
    first = c.answer(q, "A", seq=5)
    assert first["ok"] and first["seq"] == 5
    dup = c.answer(q, "A", seq=5)
    assert dup["ok"] and dup["seq"] == 5 and dup["saved_at"] == first["saved_at"]
    stale = c.answer(q, "B", seq=3)        # overtaken by seq 5: nothing changes
    assert stale["ok"] and stale["seq"] == 5
    newer = c.answer(q, "D", seq=6)
    assert newer["ok"] and newer["seq"] == 6
    assert c.start()["answers"][q] == "D"


def test_a_question_of_another_attempt_is_refused(actions):
    exam, creds = actions.ready_exam(2)
    mine = {q["id"] for q in actions.candidate(exam, creds[0]).start()["questions"]}
    other = actions.candidate(exam, creds[1])
    theirs = {q["id"] for q in other.start()["questions"]}
    all_ids = {q["id"] for q in small_bank()["questions"]}
    foreign = sorted(all_ids - theirs)[0]
    ack = other.answer(foreign, "A")
    assert ack["ok"] is False and ack["error"] == "unknown_question"
    assert other.answer("no-such-question", "A")["error"] == "unknown_question"
    assert mine  # the first candidate's form exists; the second cannot touch it


def test_bad_payloads_are_refused_and_the_connection_stays(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    q = c.start()["questions"][0]
    cases = [
        ({"question": q["id"], "choice": "Z", "seq": 1}, "invalid_choice"),
        ({"question": q["id"], "choice": ["A", "B"], "seq": 1}, "invalid_choice"),
        ({"question": q["id"], "choice": "A", "seq": 0}, "bad_seq"),
        ({"question": q["id"], "choice": "A", "seq": "1"}, "bad_seq"),
        ({"question": 7, "choice": "A", "seq": 1}, "bad_request"),
    ]
    for payload, code in cases:
        ack = c.emit("answer", payload)
        assert ack["ok"] is False and ack["error"] == code, (payload, ack)
        assert ack["message"]
    assert c.emit("answer", ["not", "an", "object"])["error"] == "bad_request"
    assert c.sio.is_connected("/candidate")
    assert c.answer(q["id"], "A")["ok"]


def test_answers_after_the_deadline_are_refused_with_time_over(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    form = c.start()
    q = form["questions"][0]["id"]
    to_deadline = form["deadline"] - form["server_now"]
    clock.travel(to_deadline + GRACE_MS - 50)      # in transit at the deadline: accepted
    assert c.answer(q, "A")["ok"]
    clock.travel(100)
    ack = c.answer(q, "B")
    assert ack["ok"] is False and ack["error"] == "time_over"


def test_the_server_ends_an_overdue_attempt_at_its_deadline_and_scores_it(actions):
    exam, creds = actions.ready_exam(2)
    c = actions.candidate(exam, creds[0])
    form = c.start()
    q = form["questions"][0]["id"]
    right = actions.key_of(small_bank())[q]
    assert c.answer(q, right)["ok"]
    away = actions.candidate(exam, creds[1])
    away.start()
    away.close()                                   # not connected when time runs out
    c.received()
    clock.travel(form["deadline"] - form["server_now"] + GRACE_MS + 1000)  # both are due
    assert sweeper.sweep() == 2
    assert sweeper.sweep() == 0                    # ending is idempotent
    ended = [m for m in c.received() if m["name"] == "ended"]
    assert ended and ended[0]["args"][0]["reason"] == "time"
    rows = {r["participant_no"]: r for r in actions.results(exam)}
    assert rows[creds[0]["participant_no"]]["status"] == "ended"
    assert rows[creds[0]["participant_no"]]["total"] in (5, 1, 2, 3, 4)
    from exam_engine.extensions import db
    from exam_engine.models import Attempt
    with db.read() as s:
        a = s.get(Attempt, form["attempt"])
        assert a.ended_ms == form["deadline"] and a.end_reason == "time"


def test_two_concurrent_submits_give_one_result(actions, app):
    exam, creds = actions.ready_exam(1)
    token = actions.login(exam, creds[0])
    pcs = [CandidateClient(app, token) for _ in range(2)]
    pcs[0].start()
    acks, barrier = [], threading.Barrier(2)

    def submit(pc):
        barrier.wait()
        acks.append(pc.emit("submit"))

    threads = [threading.Thread(target=submit, args=(pc,)) for pc in pcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a["ok"] for a in acks) == [False, True]
    assert next(a for a in acks if not a["ok"])["error"] == "attempt_ended"
    from exam_engine.extensions import db
    from exam_engine.models import Event
    with db.read() as s:
        kinds = [e.kind for e in s.query(Event).filter(Event.kind == "scored")]
    assert kinds == ["scored"]


def test_sync_reports_the_servers_clock(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    form = c.start()
    ack = c.emit("sync")
    assert ack["ok"] and ack["status"] == "active" and ack["deadline"] == form["deadline"]
    assert abs(ack["server_now"] - form["server_now"]) < 5000


def test_preview_shows_the_outline_without_starting_the_clock(actions):
    exam, creds = actions.ready_exam(1, extra_minutes=15)
    c = actions.candidate(exam, creds[0])
    outline = c.emit("preview")
    assert outline["ok"] and outline["attempt"] is None
    assert outline["duration_minutes"] == 100 and outline["extra_minutes"] == 15
    assert [s["questions"] for s in outline["sections"]] == [4, 4, 4]
    assert c.emit("sync")["error"] == "no_attempt"        # still no clock
    form = c.start()
    assert c.emit("preview")["attempt"] == form["attempt"]

