"""Appending to an exam's event log inside the caller's transaction (DESIGN.md §1)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from exam_engine.core import chain
from exam_engine.core.canonical import canonical_json
from exam_engine.core.ledger import event_bytes
from exam_engine.extensions import db
from exam_engine.models import Exam
from exam_engine.services import bulk_sql


@dataclass(frozen=True)
class Appended:
    """An event appended in this transaction (its row is written at commit)."""

    seq: int


class EventLog:
    """The exam's log for one transaction.

    `lock()` takes the exam row (FOR UPDATE on PostgreSQL; SQLite writers are serialized
    already), which both hands out the per-exam sequence numbers and makes every write to an
    exam queue behind the same lock, taken first, so transactions never deadlock.
    """

    def __init__(self, session: Session, exam_id: int) -> None:
        self.session = session
        self.exam_id = exam_id
        self._next: int | None = None
        self._first: int | None = None
        self._head: bytes = b""
        self._rows: list[tuple] = []

    @classmethod
    def of(cls, session: Session, exam_id: int) -> EventLog:
        """The log of `exam_id` in this session's transaction (one object per exam)."""
        logs = session.info.setdefault("event_logs", {})
        if exam_id not in logs:
            logs[exam_id] = cls(session, exam_id)
        return logs[exam_id]

    def lock(self) -> EventLog:
        if self._next is None:
            # Plain SQL on the session's connection: every write takes this lock, and the
            # ORM's statement machinery cost more than the read (profiled).
            cur = db.cursor(self.session)
            cur.execute(db.sql("SELECT event_seq, chain_head FROM exams WHERE id = ?"
                               + ("" if db.is_sqlite else " FOR UPDATE")), (self.exam_id,))
            row = cur.fetchone()
            if row is None:
                raise LookupError(f"exam {self.exam_id} does not exist")
            self.locked_at(*row)
        return self

    def locked_at(self, last: int, head: str | None) -> EventLog:
        """The lock as the caller took it with its own statement (the answer path's
        `_lock_exams`, sent in one flight with its reads of the attempts and items)."""
        if self._next is None:
            self._next = self._first = last + 1
            self._head = bytes.fromhex(head) if head else chain.GENESIS
        return self

    def append(self, kind: str, payload: dict, now_ms: int, attempt_id: int | None = None
               ) -> Appended:
        """Add one event; rows and the exam's counter are written together before commit."""
        self.lock()
        text = canonical_json(payload)
        self._head = chain.chain_next(
            self._head, event_bytes(self._next, kind, attempt_id, now_ms, text))
        self._rows.append((self.exam_id, attempt_id, self._next, kind, text, now_ms,
                           self._head.hex()))
        self._next += 1
        return Appended(self._next - 1)

    def flush_counter(self) -> None:
        if self._rows:
            # One statement for every event of the transaction (a batch of answers may
            # hold hundreds), after the ORM has written the rows they refer to.
            self.session.flush()
            bulk_sql.write(db.cursor(self.session), *self.take_writes())

    def take_writes(self) -> list[bulk_sql.Write]:
        """The events appended since the last write and the exam's new counter, for the
        caller to send (the answer path sends them with its own writes, one statement on
        PostgreSQL); from here on they count as written."""
        if not self._rows:
            return []
        rows, self._rows = self._rows, []
        last, head = self._next - 1, self._head.hex()
        # An Exam this session has loaded sees the new counter too (sessions here keep
        # their objects after commit).
        loaded = self.session.identity_map.get(identity_key(Exam, self.exam_id))
        if loaded is not None:
            set_committed_value(loaded, "event_seq", last)
            set_committed_value(loaded, "chain_head", head)
        return [bulk_sql.Insert("events", _EVENT_COLUMNS, rows),
                bulk_sql.Update("exams", _COUNTER_COLUMNS, [(last, head, self.exam_id)])]

    @staticmethod
    def writes_of(session: Session) -> list[bulk_sql.Write]:
        """`take_writes` of every exam's log in this transaction, one write a table."""
        taken = [log.take_writes() for log in session.info.get("event_logs", {}).values()]
        return [bulk_sql.Insert("events", _EVENT_COLUMNS,
                                [row for t in taken if t for row in t[0].rows]),
                bulk_sql.Update("exams", _COUNTER_COLUMNS,
                                [row for t in taken if t for row in t[1].rows])]


# Written by the driver (bulk_sql): the ORM's bulk insert, then Core's, cost more than the
# rows themselves in the answer benchmark (profiled).
_EVENT_COLUMNS = ("exam_id:bigint", "attempt_id:bigint", "seq:bigint", "kind:text",
                  "payload:text", "created_ms:bigint", "chain:text")
_COUNTER_COLUMNS = ("event_seq:bigint", "chain_head:text")


@event.listens_for(Session, "before_commit")
def _write_counters(session: Session) -> None:
    for log in session.info.pop("event_logs", {}).values():
        log.flush_counter()


@event.listens_for(Session, "after_rollback")
def _forget_counters(session: Session) -> None:
    session.info.pop("event_logs", None)
