"""The public board under a burst of answers, against a real server process (§4.3)."""
from __future__ import annotations

import threading
import time

import pytest
import requests
import socketio

from exam_engine.core import board_diff
from tests.conftest import small_bank, small_exam

pytestmark = pytest.mark.e2e


def watcher(url: str, exam: str):
    frames: list[tuple[float, dict]] = []
    sio = socketio.Client(reconnection=False)
    sio.on("scoreboard", lambda data: frames.append((time.monotonic(), data)),
           namespace="/scoreboard")
    sio.connect(url, namespaces=["/scoreboard"], transports=["websocket"], wait_timeout=10)
    snap = sio.call("watch", {"exam": exam}, namespace="/scoreboard", timeout=10)
    assert snap["ok"]
    return sio, frames


def burst(server, exam, creds, key, answers_each: int) -> int:
    sent = []

    def one(cred):
        sio = socketio.Client(reconnection=False)
        sio.connect(server.url, namespaces=["/candidate"], transports=["websocket"],
                    auth={"token": server.login(exam, cred)}, wait_timeout=10)
        qs = sio.call("start", {}, namespace="/candidate", timeout=10)["questions"]
        for seq in range(1, answers_each + 1):
            q = qs[seq % len(qs)]
            choice = key[q["id"]] if seq % 2 else next(
                o["key"] for o in q["options"] if o["key"] != key[q["id"]])
            assert sio.call("answer", {"question": q["id"], "choice": choice, "seq": seq},
                            namespace="/candidate", timeout=10)["ok"]
            sent.append(1)
        sio.call("submit", {}, namespace="/candidate", timeout=10)
        sio.disconnect()

    threads = [threading.Thread(target=one, args=(c,)) for c in creds]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return len(sent)


def max_per_second(frames) -> int:
    times = [t for t, _ in frames]
    return max((sum(1 for u in times if t <= u < t + 1.0) for t in times), default=0)


def test_a_burst_of_answers_gives_at_most_four_events_a_second_and_the_last_is_right(
        live_server):
    exam = small_exam(code="burst", scoreboard={"public": True, "names": "full",
                                                "mode": "live"})
    _code, creds = live_server.demo_exam(10, exam=exam)
    key = {q["id"]: (q["options"][[o.get("correct") for o in q["options"]].index(True)]["key"]
                     if q["type"] != "weighted" else "E") for q in small_bank()["questions"]}
    sio, frames = watcher(live_server.url, "burst")
    try:
        answers = burst(live_server, "burst", creds, key, answers_each=40)
        time.sleep(1.0)                            # the last coalesced frame
    finally:
        sio.disconnect()
    assert answers == 400
    assert len(frames) >= 2
    assert max_per_second(frames) <= 4, [round(t - frames[0][0], 2) for t, _ in frames]
    final = requests.get(f"{live_server.url}/api/v1/public/exams/burst/scoreboard",
                         timeout=10).json()
    assert frames[-1][1]["rows"] == final["rows"]
    assert all(r["status"] == "ended" for r in final["rows"])


def test_on_submit_never_shows_an_unfinished_score_in_any_frame(live_server):
    _code, creds = live_server.demo_exam(6)
    key = {q["id"]: "A" for q in small_bank()["questions"]}
    sio, frames = watcher(live_server.url, "skd-mini-exam")
    try:
        burst(live_server, "skd-mini-exam", creds, key, answers_each=15)
        time.sleep(0.8)
    finally:
        sio.disconnect()
    assert frames
    for _, frame in frames:
        assert set(frame) == {"exam", "rows"}
        for row in frame["rows"]:
            assert set(row) == {"participant_no", "name", "sections", "total", "status", "rank"}
            if row["status"] != "ended":
                assert row["total"] is None and row["sections"] == {}
    assert sum(1 for r in frames[-1][1]["rows"] if r["status"] == "ended") == 6


def changes_watcher(url: str, exam: str):
    """A watcher as the TV page is: `changes: true`, merging what arrives."""
    events: list[tuple[float, str, dict]] = []
    sio = socketio.Client(reconnection=False)
    for kind in ("scoreboard", "scoreboard_changes"):
        sio.on(kind, lambda data, kind=kind: events.append((time.monotonic(), kind, data)),
               namespace="/scoreboard")
    sio.connect(url, namespaces=["/scoreboard"], transports=["websocket"], wait_timeout=10)
    snap = sio.call("watch", {"exam": exam, "changes": True}, namespace="/scoreboard",
                    timeout=10)
    assert snap["ok"]
    return sio, snap["rows"], events


def merged(board: list[dict], events) -> list[list[dict]]:
    boards = []
    for _, kind, data in events:
        board = data["rows"] if kind == "scoreboard" else board_diff.apply(board, data)
        boards.append(board)
    return boards


def test_a_changes_watcher_merges_to_the_exact_board_at_four_events_a_second(live_server):
    exam = small_exam(code="burst-changes", scoreboard={"public": True, "names": "masked",
                                                        "mode": "live"})
    _code, creds = live_server.demo_exam(10, exam=exam)
    key = {q["id"]: (q["options"][[o.get("correct") for o in q["options"]].index(True)]["key"]
                     if q["type"] != "weighted" else "E") for q in small_bank()["questions"]}
    sio, start, events = changes_watcher(live_server.url, "burst-changes")
    try:
        assert burst(live_server, "burst-changes", creds, key, answers_each=30) == 300
        time.sleep(1.0)
    finally:
        sio.disconnect()
    kinds = {kind for _, kind, _ in events}
    assert "scoreboard_changes" in kinds
    assert max_per_second([(t, d) for t, _, d in events]) <= 4
    final = requests.get(f"{live_server.url}/api/v1/public/exams/burst-changes/scoreboard",
                         timeout=10).json()
    assert merged(start, events)[-1] == final["rows"]
    fields = {"participant_no", "name", "sections", "total", "status", "rank"}
    for _, kind, data in events:
        assert set(data) == ({"exam", "rows"} if kind == "scoreboard"
                             else {"exam", "rows", "ranks", "removed"})
        assert all(set(r) == fields for r in data["rows"])


def test_on_submit_changes_never_show_an_unfinished_score(live_server):
    exam = small_exam(code="submit-changes", scoreboard={"public": True, "names": "full",
                                                         "mode": "on_submit"})
    _code, creds = live_server.demo_exam(6, exam=exam)
    key = {q["id"]: "A" for q in small_bank()["questions"]}
    sio, start, events = changes_watcher(live_server.url, "submit-changes")
    try:
        burst(live_server, "submit-changes", creds, key, answers_each=15)
        time.sleep(0.8)
    finally:
        sio.disconnect()
    assert events
    boards = merged(start, events)
    for board in boards:
        for row in board:
            if row["status"] != "ended":
                assert row["total"] is None and row["sections"] == {} and row["rank"] is None
    assert sum(1 for r in boards[-1] if r["status"] == "ended") == 6
