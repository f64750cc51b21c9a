"""Scoreboard changes: merging what the publisher sends gives exactly the next board."""
from __future__ import annotations

import random

from exam_engine.core import board_diff


def row(no: str, total: int | None, status: str = "ended", rank: int | None = None) -> dict:
    return {"participant_no": no, "name": None, "sections": {} if total is None else
            {"TWK": total}, "total": total, "status": status, "rank": rank}


def ranked(rows: list[dict]) -> list[dict]:
    scored = sorted((r for r in rows if r["total"] is not None),
                    key=lambda r: (-r["total"], r["participant_no"]))
    ranks = {r["participant_no"]: i for i, r in enumerate(scored, start=1)}
    return sorted(({**r, "rank": ranks.get(r["participant_no"])} for r in rows),
                  key=board_diff.order)


def test_a_high_score_entering_sends_one_row_and_the_ranks_that_moved():
    before = ranked([row("P1", 100), row("P2", 90), row("P3", None, "in_progress")])
    after = ranked([row("P1", 100), row("P2", 90), row("P3", 120)])
    change = board_diff.changes(before, after)
    assert [r["participant_no"] for r in change["rows"]] == ["P3"]
    assert change["ranks"] == {"P1": 2, "P2": 3}
    assert change["removed"] == []
    assert board_diff.apply(before, change) == after


def test_nothing_changed_means_an_empty_change():
    board = ranked([row("P1", 100), row("P2", 90)])
    assert board_diff.changes(board, board) == {"rows": [], "ranks": {}, "removed": []}


def test_a_row_that_left_the_board_is_removed():
    before = ranked([row("P1", 100), row("P2", 90)])
    after = ranked([row("P2", 90)])
    change = board_diff.changes(before, after)
    assert change["removed"] == ["P1"]
    assert board_diff.apply(before, change) == after


def test_merging_any_sequence_of_changes_gives_the_server_board():
    rnd = random.Random(11)
    people = [f"P{i:04d}" for i in range(60)]
    board: list[dict] = []
    merged: list[dict] = []
    for _ in range(200):
        rows = [row(no, rnd.choice([None, *range(0, 200, 5)]),
                    rnd.choice(["in_progress", "ended"]))
                for no in people if rnd.random() < 0.95]
        nxt = ranked(rows)
        merged = board_diff.apply(merged, board_diff.changes(board, nxt))
        assert merged == nxt
        board = nxt
