"""A real server process and the python-socketio client, under gevent and eventlet."""
from __future__ import annotations

import socketio

from tests.conftest import small_bank

FORBIDDEN_KEYS = {"correct", "points", "explanation"}


class RecordingCandidate:
    """A candidate's socket that keeps every payload the server sends it."""

    def __init__(self, url: str, token: str) -> None:
        self.received: list = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._record, namespace="/candidate")
        self.sio.connect(url, namespaces=["/candidate"], auth={"token": token},
                         transports=["websocket"], wait_timeout=10)
        self.seq = 0

    def _record(self, event, *args):
        self.received.append((event, args))

    def call(self, event: str, data: dict | None = None) -> dict:
        ack = self.sio.call(event, data or {}, namespace="/candidate", timeout=15)
        self.received.append((f"ack:{event}", ack))
        return ack

    def answer(self, question: str, choice) -> dict:
        self.seq += 1
        return self.call("answer", {"question": question, "choice": choice, "seq": self.seq})


def _leaks(value, path="$"):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in FORBIDDEN_KEYS:
                yield f"{path}.{k}"
            yield from _leaks(v, f"{path}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _leaks(v, f"{path}[{i}]")
    elif isinstance(value, str) and "SECRET-EXPLANATION" in value:
        yield path


def test_no_payload_to_a_candidate_holds_a_key_points_or_explanation(server_factory,
                                                                     async_mode):
    server = server_factory(async_mode)
    exam, creds = server.demo_exam(2)
    key = {q["id"]: q for q in small_bank()["questions"]}
    cand = RecordingCandidate(server.url, server.login(exam, creds[0]))
    try:
        form = cand.call("start")
        assert form["ok"] and len(form["questions"]) == 12
        for q in form["questions"]:
            best = next((o["key"] for o in key[q["id"]]["options"] if o.get("correct")), "E")
            assert cand.answer(q["id"], best)["ok"]
        cand.call("flag", {"question": form["questions"][0]["id"], "flagged": True})
        cand.call("sync")
        assert cand.call("start")["answers"]
        result = cand.call("submit")
        assert result["ok"] and result["result"]["total"] == 4 * 5 + 4 * 5 + 4 * 5
        cand.sio.sleep(0.3)  # let the `ended` push arrive
    finally:
        cand.sio.disconnect()
    names = [name for name, _ in cand.received]
    assert "ended" in names
    assert list(_leaks(cand.received)) == []
