"""Room names and publishing; called only after the change it reports has been committed.

Emits go through Flask-SocketIO, so with EXAM_REDIS_URL set they reach every process over
Redis (DESIGN.md §4). A failed emit is logged and never undoes or delays the stored change.
"""
from __future__ import annotations

import logging

from exam_engine.extensions import socketio

log = logging.getLogger(__name__)
CANDIDATE_NS = "/candidate"


def candidate_room(candidate_id: int) -> str:
    return f"candidate:{candidate_id}"


def exam_room(exam_id: int) -> str:
    """Every candidate socket of one exam."""
    return f"exam:{exam_id}"


def publish(event: str, data: dict, room: str, namespace: str) -> None:
    """Emit to a room on every process; the change it reports is already committed."""
    try:
        socketio.emit(event, data, to=room, namespace=namespace)
    except Exception:  # Redis down or similar: the live screens lag, nothing is lost
        log.exception("publish %s to %s failed", event, room)


def to_candidate(candidate_id: int, event: str, data: dict) -> None:
    """Send to every open socket of one candidate (all their tabs and devices)."""
    publish(event, data, candidate_room(candidate_id), CANDIDATE_NS)


def logout_candidate(candidate_id: int) -> None:
    """Tell every socket of a candidate that its login was reset.

    Each process that holds one of those sockets disconnects it when the event passes
    through (see sockets/candidate.py); the token is already refused everywhere.
    """
    publish("logged_out", {"reason": "login_reset"}, candidate_room(candidate_id),
            CANDIDATE_NS)
    namespace = socketio.server.namespace_handlers.get(CANDIDATE_NS) if socketio.server else None
    if namespace is not None:
        namespace.drop(candidate_id)


def attempt_progress(exam_id: int, attempt_id: int) -> None:
    """An attempt's answers changed; the live screens (proctor, scoreboard) hook in here."""
    for listener in _progress_listeners:
        listener(exam_id, attempt_id)


_progress_listeners: list = []
