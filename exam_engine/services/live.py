"""Publishing the live screens: one process at a time, at most four times a second.

The publisher holds the `live` lease. Every tick it reads each exam's event counter; only
an exam whose log grew is recomputed, and only rows that differ from the last ones sent are
published. One publisher across all processes, one tick every 350 ms: a watcher never gets
more than four scoreboard events a second, however fast the answers arrive.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exam_engine import clock, realtime
from exam_engine.extensions import db
from exam_engine.models import Exam, Interest
from exam_engine.services import boards

log = logging.getLogger(__name__)
# A fixed schedule of one tick every 350 ms: under 3 frames a second leave the server, so
# even bunched by the network a watcher never sees more than 4 in any second.
TICK_S = 0.35
CHECKPOINT_EVERY_S = 300    # a signed tree head of each running exam every five minutes


class Publisher:
    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._proctor: dict[int, dict[str, dict]] = {}
        self._board: dict[int, list[dict]] = {}
        self._live = boards.LiveScores()

    def tick(self, sleep=None) -> int:
        """Publish what changed since the last tick; return how many exams changed.

        Only exams that someone watches, on any process, are looked at; between exams the
        task yields, so answers keep flowing while a big room is recomputed.
        """
        now = clock.now_ms()
        with db.read() as s:
            watched = select(Interest.exam_id).where(Interest.until_ms > now)
            exams = s.execute(select(Exam).where(Exam.status != "draft",
                                                 Exam.id.in_(watched))).scalars().all()
        changed = [e for e in exams if self._seen.get(e.id) != e.event_seq]
        pause = sleep or (lambda _s: None)
        for exam in changed:
            self._seen[exam.id] = exam.event_seq
            with db.read() as s:
                rows = boards.proctor_rows(s, exam, now)
            pause(0)    # answers waiting on the hub go first
            self._publish_proctor(exam, rows, pause)
            with db.read() as s:
                board = boards.scoreboard_rows(s, exam, self._live)
            pause(0)
            self._publish_board(exam, board)
            pause(0)
        return len(changed)

    def _publish_proctor(self, exam: Exam, rows: list[dict], pause) -> None:
        last = self._proctor.setdefault(exam.id, {})
        sent = 0
        for row in rows:
            if last.get(row["participant_no"]) != row:
                last[row["participant_no"]] = row
                realtime.publish("candidate", {"exam": exam.code, **row},
                                 realtime.proctor_room(exam.id), realtime.PROCTOR_NS)
                sent += 1
                if sent % 100 == 0:
                    pause(0)

    def _publish_board(self, exam: Exam, rows: list[dict]) -> None:
        if self._board.get(exam.id) != rows:
            self._board[exam.id] = rows
            realtime.publish("scoreboard", {"exam": exam.code, "rows": rows},
                             realtime.board_room(exam.id), realtime.SCOREBOARD_NS)


def run_forever(sleep) -> None:
    """The background task: publish while this process holds the `live` lease."""
    import time

    from exam_engine.services import presence
    from exam_engine.services.sweeper import acquire_lease

    publisher = None
    beat = 0.0
    next_tick = time.monotonic()
    while True:
        try:
            beat -= TICK_S
            if beat <= 0:
                presence.heartbeat()
                note_watchers()
                beat = presence.HEARTBEAT_S
                if acquire_lease("reaper", 30_000):
                    presence.reap()
                    _transparency_round()
            if acquire_lease("live", 5_000):
                publisher = publisher or Publisher()
                publisher.tick(sleep)
            else:
                publisher = None  # another process publishes; start afresh if we take over
        except Exception:
            log.exception("live publisher round failed")
        next_tick = max(next_tick + TICK_S, time.monotonic())
        sleep(max(0.0, next_tick - time.monotonic()))


_last_checkpoint: dict[int, float] = {}


def _transparency_round() -> None:
    """Checkpoint open exams every few minutes; reveal the rules once an exam is done."""
    import time

    from exam_engine.services import transparency

    with db.read() as s:
        exams = s.execute(select(Exam.id, Exam.status).where(Exam.status != "draft")).all()
    for exam_id, status in exams:
        if status == "closed":
            transparency.reveal_if_done(exam_id)
        due = time.monotonic() - _last_checkpoint.get(exam_id, 0) >= CHECKPOINT_EVERY_S
        if due:
            _last_checkpoint[exam_id] = time.monotonic()
            transparency.checkpoint(exam_id)


INTEREST_MS = 15_000


def note_watchers(exam_ids: set[int] | None = None) -> None:
    """Record the exams this process's sockets watch (all of them, or just `exam_ids`)."""
    from exam_engine import process, realtime
    from exam_engine.extensions import socketio

    if exam_ids is None:
        exam_ids = set()
        rooms = socketio.server.manager.rooms if socketio.server else {}
        for ns, prefix in ((realtime.PROCTOR_NS, "proctor:"), (realtime.SCOREBOARD_NS, "board:")):
            for room, members in rooms.get(ns, {}).items():
                if isinstance(room, str) and room.startswith(prefix) and len(members):
                    exam_ids.add(int(room[len(prefix):]))
    if not exam_ids:
        return
    until = clock.now_ms() + INTEREST_MS
    try:
        with db.write() as s:
            for exam_id in exam_ids:
                row = s.get(Interest, (exam_id, process.holder()))
                if row is None:
                    s.add(Interest(exam_id=exam_id, holder=process.holder(), until_ms=until))
                else:
                    row.until_ms = until
    except IntegrityError:  # the heartbeat and a watch raced to insert the same row
        pass
