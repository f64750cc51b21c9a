"""Unbound singletons, joined to an app by init_app in create_app (STYLE habit 1)."""
from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask_socketio import SocketIO
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

socketio = SocketIO()
log = logging.getLogger(__name__)


class Database:
    """The engine and session factory, plus the write discipline for SQLite.

    SQLite takes one writer at a time; under gevent a blocked writer would stall the whole
    process inside the C library, so writers queue on an in-process lock first and then
    open their transaction with BEGIN IMMEDIATE (so a CLI process never deadlocks with us).
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.batch_engine: Engine | None = None
        self.batch_sessions: sessionmaker[Session] | None = None
        self.is_sqlite = False
        self.sqlite_file: str | None = None
        self._write_lock = threading.RLock()

    def init_app(self, app, url: str) -> None:
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        database = self.engine.url.database if self.is_sqlite else None
        self.sqlite_file = database if database and database != ":memory:" else None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.batch_engine = self.engine
        if not self.is_sqlite:
            from exam_engine import pg_batch

            self.batch_engine = pg_batch.engine_for_batches(url)
        self.batch_sessions = sessionmaker(self.batch_engine, expire_on_commit=False)
        app.extensions["exam_db"] = self

    def dispose(self) -> None:
        """Close every pooled connection (the writer's own pool too)."""
        self.engine.dispose()
        if self.batch_engine is not self.engine:
            self.batch_engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; it never writes."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self, batch: bool = False) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception.

        `batch` (the group-commit writer's): on PostgreSQL, BEGIN may travel with the first
        statement and COMMIT with the last (`statement_cursor`, `commit_with_last`).
        """
        lock = self._write_lock if self.is_sqlite else None
        if lock:
            lock.acquire()
        try:
            with (self.batch_sessions if batch else self.sessions)() as session:
                if self.is_sqlite:
                    session.connection(execution_options={"sqlite_immediate": True})
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            if lock:
                lock.release()

    def sql(self, text: str) -> str:
        """SQL written with `?` placeholders, in the driver's own style."""
        return text if self.is_sqlite else text.replace("?", "%s")

    def cursor(self, session: Session):
        """A driver cursor on the session's connection, inside its transaction.

        For the few hot statements (the answer path) that skip SQLAlchemy's statement
        machinery; everything else goes through the ORM or Core.
        """
        conn = session.connection()
        raw = conn.connection.dbapi_connection
        if not self.is_sqlite and raw.autocommit:     # a batch unit of work
            from exam_engine import pg_batch

            pg_batch.begin_now(raw, conn.info)
        return raw.cursor()

    @staticmethod
    def statement_cursor(session: Session):
        """PostgreSQL, in a batch unit of work: a cursor that sends several statements in
        one round trip (pg_batch.StatementCursor), and the `"BEGIN; "` that must go first
        if the transaction is not open yet (else `""`)."""
        from exam_engine import pg_batch

        return pg_batch.statement_cursor(session.connection())

    def commit_with_last(self, session: Session) -> str:
        """`"; COMMIT"` if the caller's next statement may carry the unit's commit: a batch
        unit on PostgreSQL whose writer said no statement follows
        (`session.info["last_statements"]`). Else `""`. From then on the unit refuses any
        other statement: it would run outside the transaction."""
        if self.is_sqlite or not session.info.get("last_statements"):
            return ""
        from exam_engine import pg_batch

        return pg_batch.commit_with_last(session.connection())


db = Database()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and full durability on commit."""
    if url.startswith("sqlite"):
        from sqlalchemy.pool import StaticPool

        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )
        _sqlite_setup(engine, memory)
        return engine
    # At most 30 connections a process for requests, plus the answer writer's 5
    # (pg_batch.engine_for_batches; PostgreSQL's default max_connections is 100, and a
    # site runs several processes): handlers beyond that wait for a pooled connection
    # rather than opening more. No ping per checkout (a round trip each time, measurable
    # under load); connections are recycled instead, and a dead one fails its statement.
    return create_engine(url, pool_size=20, max_overflow=10, pool_timeout=30,
                         pool_recycle=1800, pool_use_lifo=True)


class WalCheckpointer:
    """Copies SQLite's WAL back into the database file on a native thread, every second,
    so that no commit on the event loop ever has to.

    A checkpoint inside a commit stopped every socket of the process for up to 190 ms,
    two or three times a minute (measured: the slowest answer acks of bench/live_bench.py
    clustered at those moments). PASSIVE never waits for readers or writers; sqlite3
    releases the GIL while it copies and fsyncs, so the event loop runs meanwhile.
    """

    INTERVAL_S = 1.0

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def checkpoint(self) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                         check_same_thread=False)
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def run_forever(self, sleep) -> None:
        while True:
            try:
                off_the_loop(self.checkpoint)
            except Exception:
                log.exception("WAL checkpoint failed (the next commit past 40 MB does it)")
            sleep(self.INTERVAL_S)


PAUSE_MOST_S = 0.005


def pause_for_io(most_s: float = PAUSE_MOST_S) -> None:
    """Step aside until every socket with something to read has been served, or `most_s`.

    Long work on the event loop (the live publisher's tick, a checkpoint catching up on the
    log) calls this between its steps. Under gevent a zero sleep is not enough: the hub runs
    queued callbacks for up to its switch interval (5 ms) before it polls the sockets again,
    so an answer that arrived meanwhile still waited; `gevent.idle()` returns once the hub
    has nothing else to do. Unbounded, that starved the work itself: with a thousand
    candidates answering the hub was rarely idle, and a publisher tick of 20 ms of work
    spent up to 2.7 s waiting in its pauses (bench/live_bench.py, docs/benchmarks.md). The
    timeout still lets the hub poll the sockets at least once before the work goes on.
    """
    gevent_monkey = sys.modules.get("gevent.monkey")
    if gevent_monkey is not None and gevent_monkey.is_module_patched("socket"):
        import gevent

        with gevent.Timeout(most_s, False):
            gevent.idle()
    elif socketio.server is not None:
        socketio.sleep(0)


class Pacer:
    """Long work on the event loop in slices: called between steps, it steps aside for the
    sockets (`pause_for_io`) only once the work has run `slice_s` since it last did.

    A pause costs a pass through everything runnable, which under load is tens or hundreds
    of milliseconds: pausing between every step made a publisher tick of 20 ms of work last
    seconds. Slices bound both sides: answers wait at most a slice behind the work, and
    the work pauses about once a slice. Once its pauses have taken `budget_s` in all, the
    work runs to its end: the server is saturated, answers queue anyway, and a publisher
    waiting behind them is what the watchers saw (submission -> row 1.4-2.3 s in the
    bench's last seconds). It counts its pauses, for the publisher's log.
    """

    def __init__(self, slice_s: float = 0.003, budget_s: float = 0.025) -> None:
        self.slice_s = slice_s
        self.budget_s = budget_s
        self.resumed = time.perf_counter()
        self.pauses = 0
        self.waited_s = 0.0
        self.longest_s = 0.0

    def __call__(self, _seconds: float = 0) -> None:
        started = time.perf_counter()
        if started - self.resumed < self.slice_s or self.waited_s >= self.budget_s:
            return
        pause_for_io()
        self.resumed = time.perf_counter()
        waited = self.resumed - started
        self.pauses += 1
        self.waited_s += waited
        self.longest_s = max(self.longest_s, waited)


def native_thread_runner():
    """A function that runs a blocking call on a native thread, or None under plain threads."""
    gevent_monkey = sys.modules.get("gevent.monkey")
    if gevent_monkey is not None and gevent_monkey.is_module_patched("socket"):
        from gevent import get_hub

        return get_hub().threadpool.apply
    patcher = sys.modules.get("eventlet.patcher")
    if patcher is not None and patcher.is_monkey_patched("socket"):
        from eventlet import tpool

        return tpool.execute
    return None


def off_the_loop(fn, *args):
    """`fn(*args)` on a native thread while the event loop serves everyone else (or here,
    under plain threads). For CPU work that releases the GIL: password hashing (pbkdf2 and
    scrypt), which on the loop froze every socket of the process, 27 s for an import of
    1,000 candidates and 25 ms for each login of an exam's opening rush (gevent's
    blocking monitor, docs/benchmarks.md)."""
    run = native_thread_runner()
    return run(lambda: fn(*args)) if run else fn(*args)


def _sqlite_setup(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            # A commit checkpoints only past ~40 MB of WAL, a backstop: the server copies
            # the WAL back on a native thread (WalCheckpointer). With a 64 MB page cache.
            cur.execute("PRAGMA wal_autocheckpoint=10000")
            cur.execute("PRAGMA cache_size=-64000")
        # FULL: a commit reaches the disk before we acknowledge (DESIGN.md §6).
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Straight to the driver: through exec_driver_sql the BEGIN of every transaction
        # was 4 % of the server's samples under load (py-spy, bench/live_bench.py).
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
