"""The group-commit writer (DESIGN.md §6): answers and submissions, many to a transaction.

Callers hand their request to one background task, which applies every request waiting at
that moment in one transaction, commits once, and only then wakes each caller with its own
outcome. A failed commit acks nobody as saved. Requests are applied in the order they came:
an answer queued before a submission of the same attempt is in its score, and one queued
after it is refused.

A request type brings its own batch step: `apply_in(session, requests) -> outcomes`, inside
the writer's transaction (answers.AnswerRequest, ending.SubmitRequest).
"""
from __future__ import annotations

import logging
from itertools import groupby

from exam_engine.errors import ExamError
from exam_engine.extensions import db

log = logging.getLogger(__name__)
MAX_BATCH = 500


def perform(req):
    """The outcome of one request, once committed: through the writer when it runs, at
    once otherwise (the CLI, tests without a server)."""
    if current is not None and current.running:
        return current.submit(req)
    return apply_requests([req])[0]


def apply_requests(reqs: list) -> list:
    """Apply requests in order in one transaction; each gets its outcome or its refusal."""
    outcomes: list = []
    groups = [(kind, list(run)) for kind, run in groupby(reqs, key=type)]
    with db.write(batch=True) as s:
        for n, (kind, run) in enumerate(groups, 1):
            # The last group's last statement may carry the COMMIT (db.commit_with_last).
            s.info["last_statements"] = n == len(groups)
            outcomes += kind.apply_in(s, run)
    return outcomes


class GroupCommitWriter:
    """One background task that commits everybody's waiting requests together."""

    def __init__(self, server) -> None:
        self._server = server           # the python-socketio server: async-mode primitives
        self._queue = server.eio.create_queue()
        self._empty = server.eio.get_queue_empty_exception()
        self.running = False

    def start(self) -> None:
        self.running = True
        self._server.start_background_task(self._run)

    def stop(self) -> None:
        self.running = False
        self._queue.put(None)

    def submit(self, req):
        done = self._server.eio.create_event()
        slot: list = []
        self._queue.put((req, slot, done))
        if not done.wait(timeout=30):
            return ExamError("not stored in time; it is safe to send it again",
                             code="not_saved")
        return slot[0]

    def _run(self) -> None:
        while self.running:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            if db.is_sqlite:
                # SQLite's calls hold the loop for the whole batch, so nobody queued a
                # request meanwhile: let every connection with one ready hand it in. On
                # PostgreSQL the batch waited on its round trips and requests queued then;
                # the next batch goes at once, and the acks of the last go out while it
                # waits (closed loop, alternated: 51.7-55.0 % of the echo against
                # 42.9-53.1 % with the pause, docs/benchmarks.md).
                self._server.sleep(0)
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except self._empty:
                    break
                if nxt is None:
                    self.running = False
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list) -> None:
        try:
            outcomes = apply_requests([req for req, _, _ in batch])
        except Exception:  # the whole transaction failed: nobody's request is stored
            log.exception("batch of %d requests failed", len(batch))
            outcomes = [ExamError("not stored (server error); it is safe to send it again",
                                  code="not_saved")] * len(batch)
        for (_, slot, done), outcome in zip(batch, outcomes, strict=True):
            slot.append(outcome)
            done.set()


current: GroupCommitWriter | None = None


def start(server) -> GroupCommitWriter:
    global current
    current = GroupCommitWriter(server)
    current.start()
    return current
