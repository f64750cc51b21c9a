"""PostgreSQL units of work for the group-commit writer, in as few round trips as the
statements allow (DESIGN.md §6, docs/architecture.md).

psycopg opens every transaction with a BEGIN of its own, a round trip, and sends each
statement on its own: five round trips for a batch of answers. Here the batch's connection
runs in autocommit mode and the unit sends BEGIN itself, in one text with its first
statements, and COMMIT with its last (`StatementCursor`): a batch of answers is two round
trips. Statements from the ORM or Core in such a unit still get their BEGIN first, one
round trip as before. The statements go as `EXECUTE` of statements the connection has
prepared (`StatementCursor.prepared`): sent as plain text PostgreSQL would parse and plan
every batch's statements anew, which cost more than the round trips saved (measured).

Those connections are the writer's own (`engine_for_batches`), with psycopg's automatic
preparing off: after a rollback psycopg sends `DEALLOCATE ALL` if it has prepared anything
itself, which took the writer's statements with it whenever a read session had used the
same pooled connection (every batch then failed on "prepared statement does not exist",
bench/run.py's N=1,000 scenario, docs/benchmarks.md). Should they go all the same, the
batch fails, the connection's statements are forgotten, and the next batch prepares them
again.
"""
from __future__ import annotations

import re
import weakref

from psycopg import ClientCursor, errors
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

_IDLE = 0          # psycopg.pq.TransactionStatus.IDLE
_STATE = "exam_batch_state"     # in the pooled connection's info
_COMMITTED = "committed"


def engine_for_batches(url: str) -> Engine:
    """The writer's own small pool: autocommit (BEGIN sent by the unit), and no prepared
    statements but the writer's. One batch runs at a time a process; the spares cover
    a caller applying requests itself while the writer runs (the CLI, tests)."""
    batches = create_engine(url, pool_size=2, max_overflow=3, pool_timeout=30,
                            pool_recycle=1800, pool_use_lifo=True,
                            isolation_level="AUTOCOMMIT",
                            connect_args={"prepare_threshold": None})

    @event.listens_for(batches, "begin")
    def _on_begin(conn):
        conn.info[_STATE] = None

    @event.listens_for(batches, "before_cursor_execute")
    def _before(conn, _cursor, _statement, _params, _context, _many):
        begin_now(conn.connection.dbapi_connection, conn.info)

    return batches


def begin_now(raw, info: dict) -> None:
    """Before a statement sent on its own: BEGIN, if nothing has opened the transaction."""
    _refuse_after_commit(info)
    if raw.info.transaction_status == _IDLE:
        raw.execute("BEGIN")


def statement_cursor(conn: Connection) -> tuple[StatementCursor, str]:
    raw = conn.connection.dbapi_connection
    if not raw.autocommit:
        raise RuntimeError("a statement cursor needs a batch unit (db.write(batch=True))")
    _refuse_after_commit(conn.info)
    return StatementCursor(raw), "BEGIN; " if raw.info.transaction_status == _IDLE else ""


def commit_with_last(conn: Connection) -> str:
    if not conn.connection.dbapi_connection.autocommit:
        return ""
    conn.info[_STATE] = _COMMITTED
    return "; COMMIT"


def _refuse_after_commit(info: dict) -> None:
    if info.get(_STATE) == _COMMITTED:
        raise RuntimeError("a statement after the unit of work's COMMIT")


class StatementCursor(ClientCursor):
    """Sends its statements and their parameters as one text, so one `execute` may hold
    several statements (`"BEGIN; " + a + "; " + b`) and the results come back in order
    (`nextset`)."""

    def execute(self, query, params=None, **kw):
        try:
            return super().execute(query, params, **kw)
        except errors.InvalidSqlStatementName:
            _PREPARED.pop(self.connection, None)    # prepared again by the next batch
            raise

    def prepared(self, sql: str) -> str:
        """`sql` (with `%s` placeholders, each parameter's type cast where it is used) as
        an `EXECUTE` of a statement this connection prepares the first time it sees it."""
        known = _PREPARED.setdefault(self.connection, {})
        execute = known.get(sql)
        if execute is None:
            name = f"exam_{len(known)}"
            numbered = iter(range(1, sql.count("%s") + 1))
            self.execute(f"PREPARE {name} AS " + re.sub("%s", lambda _: f"${next(numbered)}",
                                                         sql))
            execute = known[sql] = f"EXECUTE {name}({', '.join(['%s'] * sql.count('%s'))})"
        return execute


# Per connection: the statements it has prepared (PREPARE outlives a rolled-back
# transaction; a new connection starts empty).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
