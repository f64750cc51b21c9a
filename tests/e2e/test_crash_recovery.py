"""SIGKILL the server mid-exam: every acknowledged answer survives and candidates carry on."""
from __future__ import annotations

import gc
import json
import random
import threading
import time

import pytest
import socketio
from sqlalchemy import create_engine, text

from tests.conftest import small_bank


class PersistentCandidate:
    """A candidate client that, like the browser's outbox, resends until an answer is acked."""

    def __init__(self, url: str, token: str, seed: int) -> None:
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2,
                                   reconnection_delay_max=0.5)
        self.sio.connect(url, namespaces=["/candidate"], auth={"token": token},
                         transports=["websocket"], wait_timeout=10)
        self.rnd = random.Random(seed)
        self.seq = 0
        self.acked: list[tuple[str, int, object]] = []
        self.acks_after_restart = 0
        self.result = None
        self.questions: list[dict] = []

    def call(self, event: str, data: dict) -> dict:
        """Retry until the server answers: the outbox's job in the browser."""
        for _ in range(300):
            try:
                return self.sio.call(event, data, namespace="/candidate", timeout=2)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.SocketIOError):
                time.sleep(0.1)
        raise AssertionError(f"{event} never acknowledged")

    def run(self, stop: threading.Event, restarted: threading.Event) -> None:
        self.questions = self.call("start", {})["questions"]
        while not stop.is_set():
            q = self.rnd.choice(self.questions)
            self.seq += 1
            choice = self.rnd.choice([o["key"] for o in q["options"]])
            ack = self.call("answer", {"question": q["id"], "choice": choice, "seq": self.seq})
            assert ack["ok"], ack
            if ack.get("duplicate"):
                continue
            self.acked.append((q["id"], self.seq, choice))
            if restarted.is_set():
                self.acks_after_restart += 1
            time.sleep(self.rnd.uniform(0.0, 0.02))
        self.result = self.call("submit", {})


# The client library's websockets to the killed server are left for the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.e2e
def test_acknowledged_answers_survive_a_sigkill(server_factory, tmp_path):
    server = server_factory("gevent")
    exam, creds = server.demo_exam(8, bank=small_bank())
    clients = [PersistentCandidate(server.url, server.login(exam, c), i)
               for i, c in enumerate(creds)]
    stop, restarted = threading.Event(), threading.Event()
    threads = [threading.Thread(target=c.run, args=(stop, restarted)) for c in clients]
    for t in threads:
        t.start()
    time.sleep(2.0)
    before = sum(len(c.acked) for c in clients)
    server.kill()                                   # SIGKILL, mid-answer
    time.sleep(0.5)
    server.start()
    restarted.set()
    time.sleep(2.5)
    stop.set()
    for t in threads:
        t.join(60)
    for c in clients:
        c.sio.disconnect()
    gc.collect()  # reclaim the dead server's client sockets here, under this test's filters

    assert before > 50, "the candidates should have been answering before the kill"
    assert all(c.acks_after_restart > 0 for c in clients), "every candidate carried on"
    assert all(c.result and c.result["ok"] for c in clients)

    engine = create_engine(server.env["EXAM_DATABASE_URL"])
    with engine.connect() as conn:
        stored = {(json.loads(p)["attempt"], json.loads(p)["question"], json.loads(p)["seq"]):
                  json.loads(p)["choice"] for (p,) in conn.execute(
                      text("SELECT payload FROM events WHERE kind = 'answered'"))}
        attempt_of = dict(conn.execute(text(
            "SELECT c.participant_no, a.id FROM attempts a "
            "JOIN candidates c ON c.id = a.candidate_id")).all())
    engine.dispose()
    lost = [(cred["participant_no"], q, seq) for c, cred in zip(clients, creds, strict=True)
            for q, seq, choice in c.acked
            if stored.get((attempt_of[cred["participant_no"]], q, seq)) != choice]
    assert lost == [], f"acknowledged answers lost: {lost[:10]}"
    print(f"{before} answers acked before the kill, "
          f"{sum(len(c.acked) for c in clients)} in all, 0 lost")
