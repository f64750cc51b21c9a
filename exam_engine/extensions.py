"""Unbound singletons, joined to an app by init_app in create_app (STYLE habit 1)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask_socketio import SocketIO
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

socketio = SocketIO()


class Database:
    """The engine and session factory, plus the write discipline for SQLite.

    SQLite takes one writer at a time; under gevent a blocked writer would stall the whole
    process inside the C library, so writers queue on an in-process lock first and then
    open their transaction with BEGIN IMMEDIATE (so a CLI process never deadlocks with us).
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.is_sqlite = False
        self._write_lock = threading.RLock()

    def init_app(self, app, url: str) -> None:
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        app.extensions["exam_db"] = self

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; it never writes."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception."""
        lock = self._write_lock if self.is_sqlite else None
        if lock:
            lock.acquire()
        try:
            with self.sessions() as session:
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

    @staticmethod
    def cursor(session: Session):
        """A driver cursor on the session's connection, inside its transaction.

        For the few hot statements (the answer path) that skip SQLAlchemy's statement
        machinery; everything else goes through the ORM or Core.
        """
        return session.connection().connection.dbapi_connection.cursor()


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
    # At most 30 connections a process (PostgreSQL's default max_connections is 100, and a
    # site runs several processes): handlers beyond that wait for a pooled connection
    # rather than opening more. No ping per checkout (a round trip each time, measurable
    # under load); connections are recycled instead, and a dead one fails its statement.
    return create_engine(url, pool_size=20, max_overflow=10, pool_timeout=30,
                         pool_recycle=1800, pool_use_lifo=True)


def _sqlite_setup(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            # Checkpoint every ~40 MB of WAL rather than every 4 MB, with a 64 MB page
            # cache: a page rewritten by many group commits is copied back once (measured
            # on the autosave benchmark's database: 0.60 -> 0.40 ms a commit).
            cur.execute("PRAGMA wal_autocheckpoint=10000")
            cur.execute("PRAGMA cache_size=-64000")
        # FULL: a commit reaches the disk before we acknowledge (DESIGN.md §6).
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
