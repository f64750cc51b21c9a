"""With several processes, one sweeps at a time and an attempt is ended once."""
from __future__ import annotations

from sqlalchemy import func, select

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.models import Attempt, Event
from exam_engine.services import ending, sweeper
from exam_engine.services.attempts import end_due
from tests.conftest import small_bank


def test_the_lease_admits_one_process_until_it_lapses(app):
    assert sweeper.acquire_lease("sweeper", 5_000, holder="proc-a")
    assert not sweeper.acquire_lease("sweeper", 5_000, holder="proc-b")
    assert sweeper.acquire_lease("sweeper", 5_000, holder="proc-a")      # renewal
    clock.travel(6_000)                                                   # proc-a died
    assert sweeper.acquire_lease("sweeper", 5_000, holder="proc-b")
    assert not sweeper.acquire_lease("sweeper", 5_000, holder="proc-a")


def test_ending_an_attempt_twice_changes_nothing_the_second_time(actions):
    exam, creds = actions.ready_exam(1)
    form = actions.candidate(exam, creds[0]).start()
    clock.travel(form["deadline"] - form["server_now"] + 5_000)
    assert end_due(form["attempt"]) is True
    assert end_due(form["attempt"]) is False
    with db.read() as s:
        ended = s.execute(select(func.count()).where(Event.kind == "ended")).scalar()
    assert ended == 1


def test_a_room_at_its_deadline_is_ended_in_batches_each_attempt_scored(actions, monkeypatch):
    exam, creds = actions.ready_exam(sweeper.BATCH + 7)
    key = actions.key_of(small_bank())
    pcs = [actions.candidate(exam, c) for c in creds]
    forms = [pc.start() for pc in pcs]
    for n, (pc, form) in enumerate(zip(pcs, forms, strict=True)):
        for q in [q for q in form["questions"] if q["section"] == "TIU"][:n % 3]:
            assert pc.answer(q["id"], key[q["id"]])["ok"]
    batches = []
    real_end_all = ending.end_all
    monkeypatch.setattr(ending, "end_all", lambda s, endings: batches.append(len(endings))
                        or real_end_all(s, endings))
    clock.travel(forms[0]["deadline"] - forms[0]["server_now"] + 5_000)
    assert sweeper.sweep() == len(creds)
    assert batches == [sweeper.BATCH, 7]
    tiu = {r["participant_no"]: r["sections"]["TIU"] for r in actions.results(exam)}
    assert tiu == {c["participant_no"]: 5 * (n % 3) for n, c in enumerate(creds)}
    for pc, form in zip(pcs, forms, strict=True):
        ended = [m["args"][0] for m in pc.received() if m["name"] == "ended"]
        assert [e["reason"] for e in ended] == ["time"]
        with db.read() as s:
            assert s.get(Attempt, form["attempt"]).ended_ms == form["deadline"]


def test_when_a_batch_fails_the_sweeper_ends_its_attempts_one_by_one(actions, monkeypatch):
    exam, creds = actions.ready_exam(3)
    forms = [actions.candidate(exam, c).start() for c in creds]
    real_end_all = ending.end_all

    def refuses_crowds(s, endings):
        if len(endings) > 1:
            raise RuntimeError("the database gave up on a big transaction")
        return real_end_all(s, endings)

    monkeypatch.setattr(ending, "end_all", refuses_crowds)
    clock.travel(forms[0]["deadline"] - forms[0]["server_now"] + 5_000)
    assert sweeper.sweep() == 3
    assert sweeper.sweep() == 0
