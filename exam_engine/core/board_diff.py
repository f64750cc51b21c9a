"""Scoreboard changes: what the publisher sends watchers who merge, and how they merge.

A board is a list of rows ordered by rank (unranked last), then participant number. When a
row enters high on the board every row below it moves a rank, so a change is the rows that
changed in anything but their rank, plus the new ranks of the others: a few kilobytes
where the whole board of a big exam is a hundred. `static/scoreboard/board.js` merges the
same way as `apply` here.
"""
from __future__ import annotations


def changes(before: list[dict], after: list[dict]) -> dict:
    """What turns board `before` into board `after`.

    `rows`: rows that are new or changed in anything but their rank, whole;
    `ranks`: participant number -> rank for the other rows whose rank moved;
    `removed`: participant numbers no longer on the board.
    """
    old = {r["participant_no"]: r for r in before}
    rows, ranks = [], {}
    for row in after:
        prev = old.pop(row["participant_no"], None)
        if prev is row:
            continue
        if prev is None or any(prev.get(k) != v for k, v in row.items() if k != "rank"):
            rows.append(row)
        elif prev["rank"] != row["rank"]:
            ranks[row["participant_no"]] = row["rank"]
    return {"rows": rows, "ranks": ranks, "removed": sorted(old)}


def apply(board: list[dict], change: dict) -> list[dict]:
    """The board after `change`, in the server's order."""
    by_no = {r["participant_no"]: r for r in board}
    for no in change["removed"]:
        by_no.pop(no, None)
    for no, rank in change["ranks"].items():
        if no in by_no:
            by_no[no] = {**by_no[no], "rank": rank}
    for row in change["rows"]:
        by_no[row["participant_no"]] = row
    return sorted(by_no.values(), key=order)


def order(row: dict) -> tuple:
    """The board's order: by rank, unranked rows last, then by participant number."""
    return (row["rank"] is None, row["rank"] or 0, row["participant_no"])
