"""Answers from many candidates share transactions; each is acked only once committed."""
from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from exam_engine.errors import ExamError
from exam_engine.extensions import db, socketio
from exam_engine.models import Event
from exam_engine.services import answers, attempts, auth, eventlog


def test_concurrent_answers_are_committed_together_and_all_stored(actions, monkeypatch):
    exam, creds = actions.ready_exam(12)
    people = [auth.tokens.candidate(actions.login(exam, c)) for c in creds]
    forms = {p.candidate_id: attempts.start(p)["questions"] for p in people}
    writer = answers.start_writer(socketio.server)
    commits = []
    real_apply = answers.apply_batch

    def slow_apply(reqs):   # a slow disk: answers pile up while one batch commits
        commits.append(len(reqs))
        threading.Event().wait(0.02)
        return real_apply(reqs)

    monkeypatch.setattr(answers, "apply_batch", slow_apply)
    acks: list = []

    def candidate(p):
        for seq, q in enumerate(forms[p.candidate_id], start=1):
            acks.append(answers.record_answer(p, q["id"], q["options"][0]["key"], seq))

    try:
        threads = [threading.Thread(target=candidate, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        writer.stop()
    assert len(acks) == 12 * 12 and all(a["seq"] >= 1 for a in acks)
    assert max(commits) > 1, "answers waiting together should share a transaction"
    assert len(commits) < len(acks)
    with db.read() as s:
        stored = s.execute(select(func.count()).where(Event.kind == "answered")).scalar()
    assert stored == 12 * 12


def test_a_batch_whose_commit_fails_acks_nobody_as_saved_and_stores_nothing(actions,
                                                                          monkeypatch):
    exam, creds = actions.ready_exam(3)
    people = [auth.tokens.candidate(actions.login(exam, c)) for c in creds]
    forms = {p.candidate_id: attempts.start(p)["questions"] for p in people}
    real_insert = eventlog.bulk_sql.insert_rows

    def broken_disk(cur, table, columns, rows):   # the database refuses the log's rows
        real_insert(cur, "no_such_table", columns, rows)

    monkeypatch.setattr(eventlog.bulk_sql, "insert_rows", broken_disk)
    writer = answers.start_writer(socketio.server)
    try:
        reqs = [answers.AnswerRequest(p, forms[p.candidate_id][0]["id"], "A", 1)
                for p in people]
        outcomes = [writer.submit(r) for r in reqs]
        assert all(isinstance(o, ExamError) and o.code == "not_saved" for o in outcomes)
        monkeypatch.setattr(eventlog.bulk_sql, "insert_rows", real_insert)
        # The next answers go through (the connection the failure left is usable or gone).
        again = [answers.record_answer(p, forms[p.candidate_id][0]["id"], "B", 2)
                 for p in people]
        assert [a["seq"] for a in again] == [2, 2, 2]
    finally:
        writer.stop()
    with db.read() as s:
        stored = s.execute(select(Event.payload).where(Event.kind == "answered")).scalars()
        choices = sorted(json.loads(p)["choice"] for p in stored)
    assert choices == ["B", "B", "B"], "the failed batch left answers behind"
