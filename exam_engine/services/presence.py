"""Who is connected, on which process, and the incidents a proctor must see.

Presence rows make every socket findable from any process (to mark a candidate connected,
or to drop a socket after a login reset or a revoked token). A process that dies leaves
rows behind; its heartbeat stops, and the lease holder removes them.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select

from exam_engine import clock, process
from exam_engine.extensions import db
from exam_engine.models import Attempt, Candidate, Presence, Process
from exam_engine.services import bulk_sql
from exam_engine.services.eventlog import EventLog

HEARTBEAT_S = 5
DEAD_AFTER_MS = 20_000
INCIDENT_KINDS = ("disconnect", "reconnect", "second_device", "hidden", "blur")


def _live_holders(s, now: int):
    return select(Process.holder).where(Process.heartbeat_ms > now - DEAD_AFTER_MS)


def heartbeat() -> None:
    """Say this process is alive (called every few seconds by each process)."""
    now = clock.now_ms()
    with db.write() as s:
        row = s.get(Process, process.holder())
        if row is None:
            s.add(Process(holder=process.holder(), heartbeat_ms=now))
        else:
            row.heartbeat_ms = now


def reap() -> int:
    """Forget sockets of processes that stopped beating (run by the lease holder)."""
    now = clock.now_ms()
    with db.write() as s:
        dead = s.execute(delete(Presence).where(Presence.holder.not_in(_live_holders(s, now))))
        s.execute(delete(Process).where(Process.heartbeat_ms < now - 10 * DEAD_AFTER_MS))
        return dead.rowcount or 0


def candidate_connected(sid: str, namespace: str, candidate_id: int, exam_id: int) -> None:
    """Record a candidate's socket; a second live socket or a return is an incident."""
    now = clock.now_ms()
    with db.write() as s:
        log = EventLog.of(s, exam_id).lock()
        others = s.execute(select(func.count()).select_from(Presence).where(
            Presence.candidate_id == candidate_id,
            Presence.holder.in_(_live_holders(s, now)))).scalar()
        s.add(Presence(sid=sid, namespace=namespace, holder=process.holder(), exam_id=exam_id,
                       candidate_id=candidate_id, since_ms=now))
        attempt = _attempt(s, candidate_id)
        if others:
            _incident(s, log, candidate_id, attempt, "second_device", now)
        elif attempt is not None and attempt.status != "ended":
            _incident(s, log, candidate_id, attempt, "reconnect", now)


def candidate_disconnected(sid: str, candidate_id: int, exam_id: int) -> None:
    now = clock.now_ms()
    with db.write() as s:
        log = EventLog.of(s, exam_id).lock()
        s.execute(delete(Presence).where(Presence.sid == sid))
        attempt = _attempt(s, candidate_id)
        if attempt is not None and attempt.status != "ended":
            _incident(s, log, candidate_id, attempt, "disconnect", now)


def report(candidate_id: int, exam_id: int, kind: str) -> None:
    """An incident the candidate's page reports (the page was hidden or lost focus)."""
    now = clock.now_ms()
    with db.write() as s:
        log = EventLog.of(s, exam_id).lock()
        attempt = _attempt(s, candidate_id)
        if attempt is not None and attempt.status != "ended":
            _incident(s, log, candidate_id, attempt, kind, now)


def staff_connected(sid: str, namespace: str, token_id: int | None) -> None:
    with db.write() as s:
        s.add(Presence(sid=sid, namespace=namespace, holder=process.holder(),
                       staff_token_id=token_id, since_ms=clock.now_ms()))


def forget(sid: str) -> None:
    with db.write() as s:
        s.execute(delete(Presence).where(Presence.sid == sid))


def sockets(*, candidate_id: int | None = None, token_ids: list[int] | None = None
            ) -> list[tuple[str, str]]:
    """(sid, namespace) of the open sockets of a candidate or of some staff tokens."""
    with db.read() as s:
        q = select(Presence.sid, Presence.namespace)
        if candidate_id is not None:
            q = q.where(Presence.candidate_id == candidate_id)
        else:
            q = q.where(Presence.staff_token_id.in_(token_ids or []))
        return [(sid, ns) for sid, ns in s.execute(q).all()]


def connected_candidates(s, exam_id: int, candidate_ids: set[int] | None = None) -> set[int]:
    """Candidates of the exam (or of `candidate_ids`) with a socket on a live process.

    Plain SQL: the live publisher asks every tick (boards.people says why).
    """
    if candidate_ids is not None and not candidate_ids:
        return set()
    sql = ("SELECT p.candidate_id FROM presence p JOIN processes h ON h.holder = p.holder"
           " WHERE p.exam_id = ? AND p.candidate_id IS NOT NULL AND h.heartbeat_ms > ?")
    args: list = [exam_id, clock.now_ms() - DEAD_AFTER_MS]
    if candidate_ids is not None:
        where, ids = bulk_sql.id_in("p.candidate_id", sorted(candidate_ids))
        sql += f" AND {where}"
        args += ids
    cur = db.cursor(s)
    cur.execute(db.sql(sql), args)
    return {cid for (cid,) in cur.fetchall()}


def _attempt(s, candidate_id: int) -> Attempt | None:
    return s.execute(select(Attempt).where(Attempt.candidate_id == candidate_id)).scalar()


def _incident(s, log: EventLog, candidate_id: int, attempt: Attempt | None, kind: str,
              now: int) -> None:
    cand = s.get(Candidate, candidate_id)
    cand.incidents += 1
    payload = {"candidate": cand.pseudonym, "kind": kind, "at": now}
    if attempt is not None:
        payload["attempt"] = attempt.id
    log.append("incident", payload, now, attempt.id if attempt else None)
