"""Two real server processes sharing PostgreSQL and Redis (CONTRACT §1 production layout).

A candidate on the first, a scoreboard watcher and a proctor on the second. Runs when the
suite runs against PostgreSQL (EXAM_TEST_DATABASE_URL); Redis is a private redis-server
that the test starts, so it can also stop and restart it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
import socketio

from tests.e2e.server import free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.environ.get("EXAM_TEST_DATABASE_URL", "").startswith("postgres"),
                       reason="needs PostgreSQL (EXAM_TEST_DATABASE_URL)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


class PrivateRedis:
    def __init__(self, tmp) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp
        self.proc = None

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                import redis

                redis.Redis.from_url(self.url).ping()
                return self
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()


def client(url: str, namespace: str, auth: dict | None = None) -> tuple[socketio.Client, list]:
    got: list = []
    sio = socketio.Client(reconnection=True, reconnection_delay=0.2)
    sio.on("*", lambda event, *args: got.append((event, args[0] if args else None)),
           namespace=namespace)
    sio.connect(url, namespaces=[namespace], auth=auth, transports=["websocket"],
                wait_timeout=10)
    return sio, got


def wait_for(predicate, timeout: float = 10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_two_processes_share_rooms_through_redis_and_survive_its_restart(server_factory,
                                                                        redis_server):
    first = server_factory("gevent", redis_url=redis_server.url)
    second = server_factory("gevent", redis_url=redis_server.url)
    exam, creds = first.demo_exam(2)
    proctor_token = second.api("POST", "/users", json={
        "username": "pengawas", "role": "proctor", "password": "kata-sandi-rahasia"}
    ).json()["token"]

    cand, cand_got = client(first.url, "/candidate", {"token": first.login(exam, creds[0])})
    watcher, board = client(second.url, "/scoreboard")
    proctor, rows = client(second.url, "/proctor", {"token": proctor_token})
    sockets = [cand, watcher, proctor]
    try:
        form = cand.call("start", {}, namespace="/candidate", timeout=10)
        assert watcher.call("watch", {"exam": exam}, namespace="/scoreboard")["ok"]
        snapshot = proctor.call("watch", {"exam": exam}, namespace="/proctor")
        assert {r["participant_no"] for r in snapshot["candidates"]} == \
            {c["participant_no"] for c in creds}

        # Progress made on the first process reaches the proctor on the second.
        q = form["questions"][0]["id"]
        assert cand.call("answer", {"question": q, "choice": "A", "seq": 1},
                         namespace="/candidate")["ok"]
        wait_for(lambda: any(e == "candidate" and r["participant_no"] == creds[0]
                             ["participant_no"] and r["answered"] == 1 for e, r in rows))

        # The proctor's extension on the second process moves the candidate's clock.
        ext = proctor.call("extend", {"exam": exam, "participant_no": creds[0]["participant_no"],
                                      "minutes": 7, "reason": "PC mati"}, namespace="/proctor")
        assert ext["ok"] and ext["deadline"] == form["deadline"] + 7 * 60_000
        wait_for(lambda: any(e == "time" and p["deadline"] == ext["deadline"]
                             for e, p in cand_got))

        # Redis goes away: answers are still stored and acked.
        redis_server.stop()
        ack = cand.call("answer", {"question": q, "choice": "B", "seq": 2},
                        namespace="/candidate", timeout=10)
        assert ack["ok"] and ack["seq"] == 2
        redis_server.start()                       # same port: the processes subscribe again
        time.sleep(3)
        msg = proctor.call("message", {"exam": exam, "participant_no":
                                       creds[0]["participant_no"], "text": "Redis kembali"},
                           namespace="/proctor")
        assert msg["ok"]
        wait_for(lambda: any(e == "message" and p == {"text": "Redis kembali"}
                             for e, p in cand_got), timeout=15)

        # The result reaches the watcher on the other process.
        assert cand.call("submit", {}, namespace="/candidate")["ok"]
        final = wait_for(lambda: [p for e, p in board if e == "scoreboard" and any(
            r["status"] == "ended" for r in p["rows"])])
        row = next(r for r in final[-1]["rows"] if r["participant_no"] == creds[0]
                   ["participant_no"])
        assert row["total"] is not None and row["rank"] == 1
    finally:
        for sio in sockets:
            sio.disconnect()
