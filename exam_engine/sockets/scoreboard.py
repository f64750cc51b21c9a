"""The `/scoreboard` namespace: public, read-only, no auth (CONTRACT §4.3)."""
from __future__ import annotations

from flask_socketio import Namespace, join_room

from exam_engine import realtime
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
        """Public -> server: the board now; coalesced `scoreboard` events follow."""
        board = boards.public_scoreboard(data.get("exam"))
        with db.read() as s:
            exam_id = boards.exam_by_code(s, board["exam"]).id
        join_room(realtime.board_room(exam_id))
        live.note_watchers({exam_id})
        return board
