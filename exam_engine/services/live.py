"""Publishing the live screens: one process at a time, at most four times a second.

The publisher holds the `live` lease. Every tick it reads each exam's event counter; only
an exam whose log grew is recomputed, and only rows that differ from the last ones sent are
published. One publisher across all processes, one tick every 350 ms: a watcher never gets
more than four scoreboard events a second, however fast the answers arrive.
"""
from __future__ import annotations

import logging
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exam_engine import clock, realtime
from exam_engine.core import board_diff, scoring
from exam_engine.extensions import Pacer, db
from exam_engine.models import Exam, Interest
from exam_engine.services import boards, catalog, presence

log = logging.getLogger(__name__)
# A fixed schedule of one tick every 350 ms: under 3 frames a second leave the server, so
# even bunched by the network a watcher never sees more than 4 in any second.
TICK_S = 0.35
# And never less than this from the end of one tick (where it sends) to the start of the
# next: a tick held up by a busy server used to be followed at once by the next one on the
# schedule, and a watcher got 5 events in a second (bench/live_bench.py).
MIN_GAP_S = 0.3
CHECKPOINT_EVERY_S = 300    # a signed tree head of each running exam every five minutes
WHOLE_BOARD_S = 60          # changes-only watchers get the whole board once a minute


class Publisher:
    def __init__(self) -> None:
        self._rooms: dict[int, _Room] = {}
        self._live = boards.LiveScores()

    def tick(self, sleep=None) -> int:
        """Publish what changed since the last tick; return how many exams changed.

        Only exams that someone watches, on any process, are looked at, and of those only
        the candidates whose attempts logged something since the last tick are read again
        (everyone every FULL_READ_S). Between steps the task yields, so answers keep
        flowing while a big room is worked on.
        """
        now = clock.now_ms()
        with db.read() as s:
            watched = select(Interest.exam_id).where(Interest.until_ms > now)
            exams = s.execute(select(Exam).where(Exam.status != "draft",
                                                 Exam.id.in_(watched))).scalars().all()
        pause = sleep or (lambda _s: None)
        changed = 0
        for exam in exams:
            room = self._rooms.setdefault(exam.id, _Room())
            if room.seq == exam.event_seq:
                continue
            changed += 1
            try:
                self._publish(exam, room, now, pause)
            except Exception:
                self._rooms.pop(exam.id, None)  # start afresh: read everyone next tick
                raise
        return changed

    def _publish(self, exam: Exam, room: _Room, now: int, pause) -> None:
        pause(0)    # answers waiting on the hub go first
        with db.read() as s:
            touched = room.refresh(s, exam, now, self._live)
        pause(0)
        defn, _ = catalog.exam_rules(exam)
        changed = []
        for cid in touched:
            c, a = room.people[cid]
            row = boards.proctor_row(defn, c, a, cid in room.online, now)
            if room.proctor.get(cid) != row:
                room.proctor[cid] = row
                changed.append(row)
        pause(0)
        if changed:
            self._publish_proctor_rows(exam, changed, pause)
        # The board in steps of a millisecond or two, each followed by a yield: a big
        # room's board is a few milliseconds of work a tick, and answers waiting behind it
        # showed in the candidates' ack latency (bench/live_bench.py).
        pause(0)
        ranks = room.ranking.ranks()
        pause(0)
        board = room.ordered_board(ranks)
        pause(0)
        self._publish_board(exam, room, board, pause)
        pause(0)

    def _publish_proctor_rows(self, exam: Exam, rows: list[dict], pause) -> None:
        """One `candidates` event for batch watchers; a `candidate` a row for the others."""
        realtime.publish("candidates", {"exam": exam.code, "rows": rows},
                         realtime.proctor_batch_room(exam.id), realtime.PROCTOR_NS)
        room = realtime.proctor_room(exam.id)
        if realtime.may_have_members(room, realtime.PROCTOR_NS):
            for row in rows:
                realtime.publish("candidate", {"exam": exam.code, **row}, room,
                                 realtime.PROCTOR_NS)
                pause(0)

    def _publish_board(self, exam: Exam, room: _Room, rows: list[dict], pause) -> None:
        before = room.board
        if before == rows:
            return
        room.board = rows
        whole = {"exam": exam.code, "rows": rows}
        if realtime.may_have_members(realtime.board_room(exam.id), realtime.SCOREBOARD_NS):
            realtime.publish("scoreboard", whole, realtime.board_room(exam.id),
                             realtime.SCOREBOARD_NS)
            pause(0)
        if before is None or time.monotonic() - room.whole_at >= WHOLE_BOARD_S:
            room.whole_at = time.monotonic()
            # Now and then the whole board, as insurance: changes heal by themselves (a
            # watcher who joined between a read and a publish is exact a tick later), and
            # a watcher who reconnects gets the whole board in its `watch` ack.
            realtime.publish("scoreboard", whole, realtime.board_changes_room(exam.id),
                             realtime.SCOREBOARD_NS)
        else:
            realtime.publish("scoreboard_changes", {"exam": exam.code, **board_diff.changes(
                before, rows)}, realtime.board_changes_room(exam.id), realtime.SCOREBOARD_NS)


FULL_READ_S = 30.0


class _Room:
    """The publisher's picture of one exam, kept up to date by what its log says changed.

    `people` holds every candidate with their attempt; a tick reads again only the
    candidates whose attempts have events after `seq` (plus paused ones, whose deadline
    moves by itself). An event of no attempt (candidates added, a message to all), or
    FULL_READ_S gone by (a dead process's sockets reaped, say), reads everyone.
    """

    def __init__(self) -> None:
        self.seq = -1
        self.read_at = 0.0
        self.people: dict[int, tuple] = {}        # candidate id -> (person, attempt or None)
        self.online: set[int] = set()
        self.paused: set[int] = set()             # attempt ids paused: read every tick
        self.rows: dict[int, dict] = {}           # attempt id -> board row but its rank
        self.dirty: set[int] = set()              # attempt ids whose row changed since
        self.ranked: dict[int, dict] = {}         # attempt id -> board row last ordered
        self.ranking: scoring.Ranking | None = None   # of the scores the board may show
        self.proctor: dict[int, dict] = {}        # candidate id -> proctor row last sent
        self.board: list[dict] | None = None      # board last sent
        self.ordered: list[dict] | None = None    # board last ordered, and its ranks
        self.ordered_ranks: dict[int, int] = {}
        self.whole_at = 0.0                       # when changes watchers last got it all

    def refresh(self, s, exam: Exam, now: int, live: boards.LiveScores) -> list[int]:
        """Read what changed up to the exam's `event_seq`; return the candidates touched."""
        attempt_ids = None
        if self.seq >= 0 and time.monotonic() - self.read_at < FULL_READ_S:
            cur = db.cursor(s)      # plain SQL, as boards.people says why
            cur.execute(db.sql("SELECT DISTINCT attempt_id FROM events"
                               " WHERE exam_id = ? AND seq > ? AND seq <= ?"),
                        (exam.id, self.seq, exam.event_seq))
            logged = {aid for (aid,) in cur.fetchall()}
            if None not in logged:
                attempt_ids = logged | self.paused
        self.seq = exam.event_seq
        if attempt_ids is None:
            self.read_at = time.monotonic()
            everyone = boards.people(s, exam.id)
            online = presence.connected_candidates(s, exam.id)
            # Only rows that differ from what is held are worked on again.
            pairs = [(c, a) for c, a in everyone
                     if self.people.get(c.id) != (c, a) or (c.id in online) != (c.id in
                                                                           self.online)]
            self.people = {c.id: (c, a) for c, a in everyone}
            self.online = online
            gone = set(self.rows) - {a.id for _c, a in everyone if a is not None}
            if gone:
                self.ordered = None
            for aid in gone:
                self.paused.discard(aid)
                self.rows.pop(aid, None)
                self.ranked.pop(aid, None)
                if self.ranking is not None:
                    self.ranking.discard(aid)
        else:
            pairs = boards.people(s, exam.id, attempt_ids) if attempt_ids else []
            self.people.update((c.id, (c, a)) for c, a in pairs)
            ids = {c.id for c, _a in pairs}
            self.online = (self.online - ids) | presence.connected_candidates(s, exam.id, ids)
        defn, _ = catalog.exam_rules(exam)
        if self.ranking is None:
            self.ranking = scoring.Ranking(defn.tie_break)
        for _c, a in pairs:
            if a is not None and a.status == "paused":
                self.paused.add(a.id)
            elif a is not None:
                self.paused.discard(a.id)
        started = [a for _c, a in pairs if a is not None]
        fresh = boards.board_scores(s, exam, started, live)
        for c, a in pairs:
            if a is None:
                continue
            score = fresh.get(a.id)
            if score is None:
                self.ranking.discard(a.id)
            else:
                self.ranking.set(a.id, score)
            row = boards.board_row(defn, c, a, score)
            if self.rows.get(a.id) != row:
                self.rows[a.id] = row
                self.dirty.add(a.id)
        return [c.id for c, _a in pairs]

    def ordered_board(self, ranks: dict[int, int]) -> list[dict]:
        """The board in order; a row that did not change is the very object sent last.

        When no row and no rank changed (answers in `mode: on_submit` change neither), it
        is the very list built last time: sorting a thousand rows for nothing was a third
        of a tick.
        """
        if not self.dirty and self.ordered is not None and ranks == self.ordered_ranks:
            return self.ordered
        board = []
        for aid, base in self.rows.items():
            rank = ranks.get(aid)
            row = self.ranked.get(aid)
            if row is None or aid in self.dirty or row["rank"] != rank:
                row = self.ranked[aid] = {**base, "rank": rank}
            board.append(row)
        self.dirty.clear()
        board.sort(key=board_diff.order)
        self.ordered, self.ordered_ranks = board, ranks
        return board


def run_forever(sleep) -> None:
    """The background task: publish while this process holds the `live` lease."""
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
                _timed_tick(publisher)
            else:
                publisher = None  # another process publishes; start afresh if we take over
        except Exception:
            log.exception("live publisher round failed")
        next_tick = max(next_tick + TICK_S, time.monotonic() + MIN_GAP_S)
        sleep(max(0.0, next_tick - time.monotonic()))


def _timed_tick(publisher: Publisher) -> None:
    """One tick, in slices; a tick longer than TICK_S is logged with its pauses."""
    pacer = Pacer()
    started = time.perf_counter()
    changed = publisher.tick(pacer)
    took = time.perf_counter() - started
    if took > TICK_S:
        log.warning("live tick took %.0f ms, %.0f ms of it in %d pauses for the sockets "
                    "(longest %.0f ms); %d exams changed", took * 1000, pacer.waited_s * 1000,
                    pacer.pauses, pacer.longest_s * 1000, changed)


_last_checkpoint: dict[int, float] = {}


def _transparency_round() -> None:
    """Checkpoint open exams every few minutes; reveal the rules once an exam is done."""
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
        watched = ((realtime.PROCTOR_NS, "proctor:"), (realtime.PROCTOR_NS, "proctor-batch:"),
                   (realtime.SCOREBOARD_NS, "board:"),
                   (realtime.SCOREBOARD_NS, "board-changes:"))
        for ns, prefix in watched:
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
