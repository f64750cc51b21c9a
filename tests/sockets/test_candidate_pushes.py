"""What the server pushes to a candidate when a proctor acts (CONTRACT §4.1 server events)."""
from __future__ import annotations

import time

import pytest

from exam_engine import clock
from exam_engine.errors import BadRequest, Conflict
from exam_engine.services import proctoring
from exam_engine.services.proctoring import Action


def pushed(candidate, name):
    # The test client hands over the reserved `message` event's payload unwrapped.
    return [m["args"][0] if isinstance(m["args"], list) else m["args"]
            for m in candidate.received() if m["name"] == name]


def act(exam, cred, reason="PC mati, pindah ke PC cadangan"):
    return Action("proctor-1", exam, cred["participant_no"], reason)


def test_an_extension_moves_the_deadline_and_the_candidate_hears_time(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    form = c.start()
    c.received()
    out = proctoring.extend(act(exam, creds[0]), 10)
    assert out["deadline"] == form["deadline"] + 10 * 60_000
    [time_event] = pushed(c, "time")
    assert time_event["deadline"] == out["deadline"] and "server_now" in time_event
    assert c.emit("sync")["deadline"] == out["deadline"]


def test_a_pause_stops_the_clock_and_refuses_answers_until_resumed(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    form = c.start()
    q = form["questions"][0]["id"]
    c.received()
    proctoring.pause(act(exam, creds[0], "gangguan listrik"))
    assert pushed(c, "paused") == [{"reason": "gangguan listrik"}]
    ack = c.answer(q, "A")
    assert ack["ok"] is False and ack["error"] == "paused"
    clock.travel(5 * 60_000)                        # five minutes paused
    assert c.emit("sync")["status"] == "paused"
    out = proctoring.resume(act(exam, creds[0], "listrik menyala"))
    assert out["deadline"] == pytest.approx(form["deadline"] + 5 * 60_000, abs=1000)
    assert pushed(c, "time")[0]["deadline"] == out["deadline"]
    assert c.answer(q, "A")["ok"]


def test_a_paused_attempt_is_not_ended_by_the_sweeper(actions):
    from exam_engine.services import sweeper

    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    form = c.start()
    proctoring.pause(act(exam, creds[0]))
    clock.travel(form["deadline"] - form["server_now"] + 60_000)
    assert sweeper.sweep() == 0
    proctoring.resume(act(exam, creds[0]))
    assert c.emit("sync")["status"] == "active"


def test_force_submit_ends_and_scores_and_tells_the_candidate(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    c.start()
    c.received()
    out = proctoring.force_submit(act(exam, creds[0], "kecurangan"))
    assert out["result"]["total"] == 0
    [ended] = pushed(c, "ended")
    assert ended["reason"] == "proctor" and ended["result"]["total"] == 0
    assert c.emit("submit")["error"] == "attempt_ended"


def test_messages_reach_one_candidate_or_all(actions):
    exam, creds = actions.ready_exam(2)
    a, b = (actions.candidate(exam, cred) for cred in creds)
    a.received(), b.received()
    proctoring.message("proctor-1", exam, creds[0]["participant_no"], "Sisa waktu 10 menit")
    assert pushed(a, "message") == [{"text": "Sisa waktu 10 menit"}] and pushed(b, "message") == []
    proctoring.message("proctor-1", exam, None, "Harap tenang")
    assert pushed(a, "message") == [{"text": "Harap tenang"}]
    assert pushed(b, "message") == [{"text": "Harap tenang"}]


def test_a_login_reset_drops_the_socket_and_refuses_the_old_token(actions, app):
    from exam_engine.extensions import socketio

    exam, creds = actions.ready_exam(1)
    token = actions.login(exam, creds[0])
    c = actions.candidate(exam, creds[0])
    q = c.start()["questions"][0]["id"]
    assert c.answer(q, "B")["ok"]
    proctoring.reset_login(act(exam, creds[0], "peserta pindah PC"))
    assert not c.sio.is_connected("/candidate")
    again = socketio.test_client(app, namespace="/candidate", auth={"token": token})
    assert not again.is_connected("/candidate")
    fresh = actions.candidate(exam, creds[0])       # a new login works; the answer stayed
    assert fresh.start()["answers"] == {q: "B"}


def test_a_login_reset_on_another_process_refuses_the_next_answer_here(actions,
                                                                         monkeypatch):
    from sqlalchemy import update

    from exam_engine.extensions import db
    from exam_engine.models import Candidate
    from exam_engine.services import auth

    exam, creds = actions.ready_exam(2)
    c, other = actions.candidate(exam, creds[0]), actions.candidate(exam, creds[1])
    q = c.start()["questions"][0]["id"]
    q2 = other.start()["questions"][0]["id"]
    assert c.answer(q, "B")["ok"]
    with db.write() as s:   # what the other process's reset wrote; no message reached us
        s.execute(update(Candidate).where(Candidate.participant_no == creds[0]["participant_no"])
                  .values(login_generation=Candidate.login_generation + 1))
    monkeypatch.setattr(auth, "GENERATION_TTL_S", 0.0)     # the cache's second is up
    ack = c.answer(q, "C")
    assert ack["ok"] is False and ack["error"] == "logged_out"
    assert other.answer(q2, "A")["ok"]                      # the rest of the room goes on
    monkeypatch.setattr(auth, "GENERATION_TTL_S", 3600.0)   # what is held stays held...
    with db.write() as s:                                   # ...through a second reset
        s.execute(update(Candidate).where(Candidate.participant_no == creds[0]["participant_no"])
                  .values(login_generation=Candidate.login_generation + 1))
    again = actions.candidate(exam, creds[0])    # a token newer than what is held: read now
    assert again.answer(q, "D")["ok"]


def test_answers_arriving_while_the_resets_are_read_again_wait_for_no_read_of_their_own(
        actions, monkeypatch):
    from contextlib import contextmanager

    from exam_engine.services import auth

    exam, creds = actions.ready_exam(3)
    who = [auth.tokens.candidate(actions.login(exam, cred)) for cred in creds]
    assert auth.tokens.still_valid(who[0])           # the exam's resets are held
    reads, real_read = [], auth.db.read

    @contextmanager
    def counted_read():
        reads.append(1)
        if len(reads) == 1:       # the others answer while the first check's read is out
            assert auth.tokens.still_valid(who[1]) and auth.tokens.still_valid(who[2])
        with real_read() as s:
            yield s

    monkeypatch.setattr(auth, "GENERATION_TTL_S", 0.05)
    monkeypatch.setattr(auth.db, "read", counted_read)
    time.sleep(0.06)                                        # what is held is due again
    assert auth.tokens.still_valid(who[0])
    assert len(reads) == 1


def test_every_proctor_action_needs_a_reason_and_is_refused_when_it_cannot_apply(actions):
    exam, creds = actions.ready_exam(1)
    with pytest.raises(BadRequest):
        proctoring.extend(act(exam, creds[0], " "), 5)
    with pytest.raises(Conflict) as not_started:
        proctoring.pause(act(exam, creds[0]))
    assert not_started.value.code == "no_attempt"
    c = actions.candidate(exam, creds[0])
    form = c.start()
    clock.travel(form["deadline"] - form["server_now"] + 10_000)
    with pytest.raises(Conflict) as late:          # too late to pause: time is over
        proctoring.pause(act(exam, creds[0]))
    assert late.value.code == "time_over"


def test_an_extension_during_a_pause_keeps_the_candidate_paused(actions):
    exam, creds = actions.ready_exam(1)
    c = actions.candidate(exam, creds[0])
    c.start()
    proctoring.pause(act(exam, creds[0], "listrik padam"))
    c.received()
    proctoring.extend(act(exam, creds[0], "ganti rugi waktu"), 5)
    [time_event] = pushed(c, "time")
    assert time_event["status"] == "paused"
    assert c.emit("sync")["status"] == "paused"
