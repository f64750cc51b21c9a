"""Answers from many candidates share transactions; each is acked only once committed."""
from __future__ import annotations

import json
import threading
from dataclasses import replace

from sqlalchemy import func, select

from exam_engine.errors import ExamError
from exam_engine.extensions import db, socketio
from exam_engine.models import Event
from exam_engine.services import answers, attempts, auth, ending, eventlog, writer
from tests.conftest import small_bank


def on_a_slow_disk(monkeypatch) -> list[int]:
    """Every batch takes 20 ms, so requests pile up meanwhile; returns each batch's size."""
    commits: list[int] = []
    real_apply = writer.apply_requests

    def slow_apply(reqs):
        commits.append(len(reqs))
        threading.Event().wait(0.02)
        return real_apply(reqs)

    monkeypatch.setattr(writer, "apply_requests", slow_apply)
    return commits


def all_at_once(people, act) -> None:
    """`act(person)` for everyone at the same time, through a running writer."""
    group = writer.start(socketio.server)
    try:
        threads = [threading.Thread(target=act, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        group.stop()


def test_concurrent_answers_are_committed_together_and_all_stored(actions, monkeypatch):
    exam, creds = actions.ready_exam(12)
    people = [auth.tokens.candidate(actions.login(exam, c)) for c in creds]
    forms = {p.candidate_id: attempts.start(p)["questions"] for p in people}
    commits = on_a_slow_disk(monkeypatch)
    acks: list = []

    def candidate(p):
        for seq, q in enumerate(forms[p.candidate_id], start=1):
            acks.append(answers.record_answer(p, q["id"], q["options"][0]["key"], seq))

    all_at_once(people, candidate)
    assert len(acks) == 12 * 12 and all(a["seq"] >= 1 for a in acks)
    assert max(commits) > 1, "answers waiting together should share a transaction"
    assert len(commits) < len(acks)
    with db.read() as s:
        stored = s.execute(select(func.count()).where(Event.kind == "answered")).scalar()
    assert stored == 12 * 12


def refusing_the_log(real_write):
    """bulk_sql.write as on a broken disk: the database refuses the log's rows."""
    def write(cur, *writes, **how):
        real_write(cur, *[replace(w, table="no_such_table") if w.table == "events" else w
                          for w in writes], **how)
    return write


def test_a_batch_whose_commit_fails_acks_nobody_as_saved_and_stores_nothing(actions,
                                                                          monkeypatch):
    exam, creds = actions.ready_exam(3)
    people = [auth.tokens.candidate(actions.login(exam, c)) for c in creds]
    forms = {p.candidate_id: attempts.start(p)["questions"] for p in people}
    real_write = eventlog.bulk_sql.write
    monkeypatch.setattr(eventlog.bulk_sql, "write", refusing_the_log(real_write))
    group = writer.start(socketio.server)
    try:
        reqs = [answers.AnswerRequest(p, forms[p.candidate_id][0]["id"], "A", 1)
                for p in people]
        outcomes = [group.submit(r) for r in reqs]
        assert all(isinstance(o, ExamError) and o.code == "not_saved" for o in outcomes)
        monkeypatch.setattr(eventlog.bulk_sql, "write", real_write)
        # The next answers go through (the connection the failure left is usable or gone).
        again = [answers.record_answer(p, forms[p.candidate_id][0]["id"], "B", 2)
                 for p in people]
        assert [a["seq"] for a in again] == [2, 2, 2]
    finally:
        group.stop()
    with db.read() as s:
        stored = s.execute(select(Event.payload).where(Event.kind == "answered")).scalars()
        choices = sorted(json.loads(p)["choice"] for p in stored)
    assert choices == ["B", "B", "B"], "the failed batch left answers behind"


def test_submissions_share_transactions_and_each_gets_its_own_score(actions, monkeypatch):
    exam, creds = actions.ready_exam(12)
    people = [auth.tokens.candidate(actions.login(exam, c)) for c in creds]
    forms = {p.candidate_id: attempts.start(p)["questions"] for p in people}
    key = actions.key_of(small_bank())
    right = {}      # candidate -> how many TWK questions they answer right (5 points each)
    for n, p in enumerate(people):
        twk = [q for q in forms[p.candidate_id] if q["section"] == "TWK"][:n % 5]
        for seq, q in enumerate(twk, start=1):
            answers.record_answer(p, q["id"], key[q["id"]], seq)
        right[p.candidate_id] = len(twk)
    commits = on_a_slow_disk(monkeypatch)
    acks = {}
    all_at_once(people, lambda p: acks.__setitem__(p.candidate_id, attempts.submit(p)))
    assert max(commits) > 1 and len(commits) < len(people)
    assert {cid: ack["result"]["sections"]["TWK"] for cid, ack in acks.items()} == {
        cid: 5 * n for cid, n in right.items()}
    with db.read() as s:
        kinds = s.execute(select(Event.kind, func.count()).where(
            Event.kind.in_(("ended", "scored"))).group_by(Event.kind)).all()
    assert dict(kinds) == {"ended": 12, "scored": 12}


def test_in_one_batch_an_answer_before_the_submission_counts_and_one_after_is_refused(
        actions):
    exam, creds = actions.ready_exam(1)
    who = auth.tokens.candidate(actions.login(exam, creds[0]))
    twk = [q for q in attempts.start(who)["questions"] if q["section"] == "TWK"]
    key = actions.key_of(small_bank())
    before = answers.AnswerRequest(who, twk[0]["id"], key[twk[0]["id"]], 1)
    after = answers.AnswerRequest(who, twk[1]["id"], key[twk[1]["id"]], 2)
    outcomes = writer.apply_requests([before, ending.SubmitRequest(who), after,
                                      ending.SubmitRequest(who)])
    assert outcomes[0]["seq"] == 1
    assert outcomes[1].reason == "submitted" and outcomes[1].result["sections"]["TWK"] == 5
    assert isinstance(outcomes[2], ExamError) and outcomes[2].code == "attempt_ended"
    assert isinstance(outcomes[3], ExamError) and outcomes[3].code == "attempt_ended"
    with db.read() as s:
        kinds = list(s.execute(select(Event.kind).where(Event.attempt_id.is_not(None))
                               .order_by(Event.seq)).scalars())
    assert kinds == ["created", "answered", "ended", "scored"]


def test_a_failed_batch_ends_no_attempt(actions, monkeypatch):
    exam, creds = actions.ready_exam(2)
    people = [auth.tokens.candidate(actions.login(exam, c)) for c in creds]
    for p in people:
        attempts.start(p)
    real_write = eventlog.bulk_sql.write
    monkeypatch.setattr(eventlog.bulk_sql, "write", refusing_the_log(real_write))
    group = writer.start(socketio.server)
    try:
        outcomes = [group.submit(ending.SubmitRequest(p)) for p in people]
        assert all(isinstance(o, ExamError) and o.code == "not_saved" for o in outcomes)
        monkeypatch.setattr(eventlog.bulk_sql, "write", real_write)
        assert attempts.sync(people[0])["status"] == "active"
        assert "result" in attempts.submit(people[0])      # and it can be sent again
    finally:
        group.stop()
    assert attempts.sync(people[1])["status"] == "active"
