"""Ending attempts whose time ran out, connected or not (DESIGN.md §5).

One process at a time sweeps, holding a lease row in the database; ending is idempotent,
so even two overlapping sweeps would change nothing twice.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exam_engine import clock, process
from exam_engine.core.timing import GRACE_MS
from exam_engine.extensions import db
from exam_engine.models import Attempt, Lock
from exam_engine.services.attempts import end_overdue

log = logging.getLogger(__name__)
BATCH = 50


def acquire_lease(name: str, ttl_ms: int, holder: str | None = None) -> bool:
    """Take or renew the named lease; False while another holder's lease is current."""
    holder = holder or process.holder()
    now = clock.now_ms()
    try:
        with db.write() as s:
            lock = s.get(Lock, name, with_for_update=True)
            if lock is None:
                s.add(Lock(name=name, holder=holder, until_ms=now + ttl_ms))
                return True
            if lock.holder != holder and lock.until_ms > now:
                return False
            lock.holder, lock.until_ms = holder, now + ttl_ms
            return True
    except IntegrityError:  # another process inserted the row first
        return False


def due_attempts(limit: int = 200) -> list[int]:
    """Active attempts past their deadline plus the transit grace."""
    cutoff = clock.now_ms() - GRACE_MS
    with db.read() as s:
        return list(s.execute(
            select(Attempt.id).where(Attempt.status == "active", Attempt.deadline_ms < cutoff)
            .order_by(Attempt.deadline_ms).limit(limit)
        ).scalars())


def sweep() -> int:
    """End every attempt that is out of time; return how many this call ended.

    A room at its deadline is ended in transactions of up to BATCH attempts, scored
    together (attempts.end_overdue). A batch that fails is tried one by one, so that one
    bad attempt does not keep the others running.
    """
    ended = 0
    due = due_attempts()
    for start in range(0, len(due), BATCH):
        chunk = due[start:start + BATCH]
        try:
            ended += end_overdue(chunk)
        except Exception:
            log.exception("could not end %d attempts together; trying one by one", len(chunk))
            for attempt_id in chunk:
                try:
                    ended += end_overdue([attempt_id])
                except Exception:
                    log.exception("could not end attempt %s", attempt_id)
    return ended


def run_forever(sleep, interval_s: float) -> None:
    """The background task: sweep whenever this process holds the lease."""
    ttl = int(max(interval_s * 5, 5) * 1000)
    while True:
        try:
            if acquire_lease("sweeper", ttl):
                sweep()
        except Exception:
            log.exception("sweeper round failed")
        sleep(interval_s)
