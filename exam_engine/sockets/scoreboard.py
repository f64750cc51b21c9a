"""The `/scoreboard` namespace: public, read-only, no auth (CONTRACT §4.3)."""
from __future__ import annotations

from flask_socketio import Namespace, join_room

from exam_engine import realtime
from exam_engine.errors import BadRequest
from exam_engine.extensions import db
from exam_engine.services import boards, live
from exam_engine.sockets import acked


class ScoreboardNamespace(Namespace):
    """Anyone may watch a public board; nothing but the board's rows is ever sent."""

    def __init__(self, namespace: str = realtime.SCOREBOARD_NS) -> None:
        super().__init__(namespace)

    def on_connect(self, auth_data=None):
        return True

    @acked
    def on_watch(self, data):
        """Public -> server: the board now; coalesced `scoreboard` events follow.

        With `"changes": true` (an extension of CONTRACT §4.3, what the TV page asks for)
        `scoreboard_changes` events follow instead, each with only the rows that changed
        and the new ranks, and a whole `scoreboard` event every few seconds.
        """
        changes = data.get("changes", False)
        if not isinstance(changes, bool):
            raise BadRequest("`changes` must be true or false", field="changes")
        board = boards.public_scoreboard(data.get("exam"))
        with db.read() as s:
            exam_id = boards.exam_by_code(s, board["exam"]).id
        join_room(realtime.board_changes_room(exam_id) if changes
                  else realtime.board_room(exam_id))
        live.note_watchers({exam_id})
        return board
