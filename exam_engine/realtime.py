"""Room names and publishing; called only after the change it reports has been committed.

Emits go through Flask-SocketIO, so with EXAM_REDIS_URL set they reach every process over
Redis (DESIGN.md §4). A failed emit is logged and never undoes or delays the stored change.
"""
from __future__ import annotations

import logging

from exam_engine.extensions import socketio

log = logging.getLogger(__name__)
CANDIDATE_NS = "/candidate"
PROCTOR_NS = "/proctor"
SCOREBOARD_NS = "/scoreboard"


def candidate_room(candidate_id: int) -> str:
    return f"candidate:{candidate_id}"


def exam_room(exam_id: int) -> str:
    """Every candidate socket of one exam."""
    return f"exam:{exam_id}"


def proctor_room(exam_id: int) -> str:
    return f"proctor:{exam_id}"


def proctor_batch_room(exam_id: int) -> str:
    """Proctors that asked for one `candidates` event a tick (`watch` with `"batch": true`)."""
    return f"proctor-batch:{exam_id}"


def board_room(exam_id: int) -> str:
    return f"board:{exam_id}"


def board_changes_room(exam_id: int) -> str:
    """Watchers that asked for changes only (`watch` with `"changes": true`)."""
    return f"board-changes:{exam_id}"


def may_have_members(room: str, namespace: str) -> bool:
    """False only when nobody can be in `room`: one process, and none of its sockets."""
    from socketio import PubSubManager

    server = socketio.server
    if server is None or isinstance(server.manager, PubSubManager):
        return True     # other processes share the room through the message queue
    return bool(server.manager.rooms.get(namespace, {}).get(room))


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

    The token is already refused everywhere; the sockets are found through their presence
    rows and dropped on whichever process holds them.
    """
    from exam_engine.services import auth, presence

    auth.tokens.forget_generations()
    publish("logged_out", {"reason": "login_reset"}, candidate_room(candidate_id),
            CANDIDATE_NS)
    _disconnect(presence.sockets(candidate_id=candidate_id))


def drop_staff_tokens(token_ids: list[int]) -> None:
    """Disconnect every socket opened with these (now revoked) staff tokens."""
    from exam_engine.services import presence

    _disconnect(presence.sockets(token_ids=token_ids))


def _disconnect(sockets: list[tuple[str, str]]) -> None:
    # With a message queue, python-socketio routes a disconnect to the process holding sid.
    for sid, namespace in sockets:
        try:
            socketio.server.disconnect(sid, namespace=namespace)
        except Exception:
            log.exception("could not disconnect %s", sid)
