"""PostgreSQL: the writer's batch opens its transaction with its first statements and commits
with its last (exam_engine/pg_batch.py), and is still one transaction, all or nothing."""
from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import select, text, update

from exam_engine.extensions import db
from exam_engine.models import Event, Exam
from exam_engine.services import answers, attempts, auth, bulk_sql, writer
from exam_engine.services.answers import AnswerRequest

pytestmark = pytest.mark.skipif(
    not os.environ.get("EXAM_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="the PostgreSQL batch unit of work")


def answering(actions, n: int = 3):
    """n candidates who started; `batch(seq)` is everyone's answer to their first question."""
    exam, creds = actions.ready_exam(n)
    people = [auth.tokens.candidate(actions.login(exam, c)) for c in creds]
    firsts = [attempts.start(p)["questions"][0] for p in people]

    def batch(seq: int) -> list[AnswerRequest]:
        return [AnswerRequest(p, q["id"], q["options"][seq % 2]["key"], seq)
                for p, q in zip(people, firsts, strict=True)]
    return exam, batch


def sent_to_the_server(monkeypatch) -> tuple[list[str], list[int]]:
    """Every statement text a cursor sends, and the transaction status at each commit()."""
    texts: list[str] = []
    at_commit: list[int] = []
    real_execute, real_commit = psycopg.Cursor.execute, psycopg.Connection.commit

    def execute(self, query, params=None, **kw):
        texts.append(str(query))
        return real_execute(self, query, params, **kw)

    def commit(self):
        at_commit.append(self.info.transaction_status)
        return real_commit(self)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    monkeypatch.setattr(psycopg.Connection, "commit", commit)
    return texts, at_commit


def test_a_batch_of_answers_is_two_round_trips_and_is_committed(actions, monkeypatch):
    exam, batch = answering(actions)
    writer.apply_requests(batch(1))     # the connection prepares its statements once
    texts, at_commit = sent_to_the_server(monkeypatch)
    outcomes = writer.apply_requests(batch(2))
    assert [o["seq"] for o in outcomes] == [2, 2, 2]
    assert len(texts) == 2, texts
    lock, read, write = (t.split("(")[0] for t in [*texts[0].split("; ")[1:], texts[1]])
    assert texts[0] == f"BEGIN; {lock}(%s); {read}(%s, %s)", "BEGIN, the locks, the read"
    assert texts[1].startswith(f"{write}(") and texts[1].endswith("); COMMIT")
    assert len({lock, read, write}) == 3 and lock.startswith("EXECUTE exam_")
    assert at_commit == [psycopg.pq.TransactionStatus.IDLE], "nothing was left to commit"
    with db.read() as s:
        assert len(s.execute(select(Event.seq).where(Event.kind == "answered")).all()) == 6


def test_a_statement_after_the_early_commit_is_refused(actions):
    actions.ready_exam(1)
    with pytest.raises(RuntimeError, match="after the unit of work's COMMIT"):
        with db.write(batch=True) as s:
            s.info["last_statements"] = True
            cur, begin = db.statement_cursor(s)
            cur.execute(f"{begin}SELECT 1{db.commit_with_last(s)}")
            s.execute(update(Exam).values(title="outside any transaction"))
    with db.read() as s:
        assert s.execute(select(Exam.title)).scalar() != "outside any transaction"


def test_orm_statements_in_a_batch_unit_still_roll_back_together(actions):
    actions.ready_exam(1)
    with pytest.raises(LookupError):
        with db.write(batch=True) as s:
            s.execute(update(Exam).values(title="half stored"))
            s.execute(text("SELECT 1"))
            raise LookupError("the unit fails after its first statements")
    with db.read() as s:
        assert s.execute(select(Exam.title)).scalar() != "half stored"


def test_the_connection_goes_back_to_the_pool_transactional(actions):
    exam, batch = answering(actions, 1)
    writer.apply_requests(batch(1))
    with db.write() as s:       # the pool hands back the same connection (last in, first out)
        assert s.connection().connection.dbapi_connection.autocommit is False
        s.execute(update(Exam).values(title="rolled back"))
        s.rollback()
    with db.read() as s:
        assert s.execute(select(Exam.title)).scalar() != "rolled back"


def test_a_failed_batch_leaves_its_prepared_statements_usable(actions, monkeypatch):
    exam, batch = answering(actions)
    writer.apply_requests(batch(1))
    real = psycopg.Cursor.execute

    def broken(self, query, params=None, **kw):
        if str(query).endswith("; COMMIT"):
            query = "SELECT no_such_column; COMMIT"
            params = None
        return real(self, query, params, **kw)

    monkeypatch.setattr(psycopg.Cursor, "execute", broken)
    with pytest.raises(psycopg.errors.UndefinedColumn):
        writer.apply_requests(batch(2))
    monkeypatch.setattr(psycopg.Cursor, "execute", real)
    assert [o["seq"] for o in writer.apply_requests(batch(3))] == [3, 3, 3]
    with db.read() as s:
        seqs = s.execute(select(Event.seq).where(Event.kind == "answered")).scalars().all()
    assert len(seqs) == 6, "batch 2 left nothing behind"


def test_the_read_probes_each_item_by_its_unique_key_before_any_analyze(actions):
    exam, batch = answering(actions, 40)
    reqs = batch(1)
    pairs = sorted((r.who.candidate_id, r.question) for r in reqs)
    with db.write() as s:
        cur = db.cursor(s)
        cur.execute("EXPLAIN " + answers._READ_PG,
                    [bulk_sql.pg_array([c for c, _ in pairs]),
                     bulk_sql.pg_array([q for _, q in pairs], "text")])
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "attempt_items_attempt_id_qid_key" in plan and "qid" in plan.split("Index Cond")[-1]
    assert "Filter" not in plan and "Seq Scan" not in plan, plan


def test_read_sessions_rolling_back_leave_the_writers_statements_alone(actions):
    exam, batch = answering(actions)
    writer.apply_requests(batch(1))
    for _ in range(6):      # psycopg prepares a statement of its own from its 5th run ...
        with db.write() as s:
            s.execute(select(Exam.title).where(Exam.code == exam)).scalar()
    with db.read() as s:    # ... and drops every prepared statement when this rolls back
        s.execute(select(Exam.title).where(Exam.code == exam)).scalar()
    assert [o["seq"] for o in writer.apply_requests(batch(2))] == [2, 2, 2]


def test_statements_lost_behind_the_writers_back_are_prepared_again(actions):
    exam, batch = answering(actions)
    writer.apply_requests(batch(1))
    with db.write(batch=True) as s:     # the pool hands the writer's connection back
        s.connection().connection.dbapi_connection.execute("DEALLOCATE ALL")
    with pytest.raises(psycopg.errors.InvalidSqlStatementName):
        writer.apply_requests(batch(2))
    assert [o["seq"] for o in writer.apply_requests(batch(3))] == [3, 3, 3]
