"""With several processes, one sweeps at a time and an attempt is ended once."""
from __future__ import annotations

from sqlalchemy import func, select

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.models import Event
from exam_engine.services import sweeper
from exam_engine.services.attempts import end_due


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
