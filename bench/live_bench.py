"""Live screens under load (issue 3): N candidates answering and submitting over one
minute, with W public-scoreboard watchers and P proctors connected.

    .venv/bin/python bench/live_bench.py [--candidates 1000] [--watchers 50] [--proctors 5]
                                         [--database postgresql+psycopg://...]

Two phases on one real server (`python wsgi.py`), each on its own exam with N candidates:
first with no watchers (the baseline), then with the watchers and proctors. Reported: the
delay from a submission's ack to the first scoreboard event that shows that row as ended,
at every watcher (p50/p99 over all submission x watcher pairs); the most scoreboard
events any watcher got in one second; the candidates' answer-ack latency in both phases;
the server's CPU. Everything runs on 127.0.0.1 and stops by itself.
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exam_engine.core import board_diff  # noqa: E402
from tests.conftest import small_bank, small_exam  # noqa: E402
from tests.e2e.server import ServerProcess  # noqa: E402

ANSWERS_EACH = 6


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 1)


def cpu_s(pid: int | str) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


async def login_all(url: str, exam: str, creds: list[dict]) -> list[str]:
    sem = asyncio.Semaphore(16)
    async with aiohttp.ClientSession() as http:
        async def one(c):
            async with sem, http.post(f"{url}/api/v1/candidate/login", json={
                    "exam": exam, "participant_no": c["participant_no"],
                    "password": c["password"]}) as r:
                return (await r.json())["token"]
        return await asyncio.gather(*(one(c) for c in creds))


async def connect(url: str, namespace: str, auth: dict | None, on: dict) -> socketio.AsyncClient:
    sio = socketio.AsyncClient(reconnection=False)
    for event, handler in on.items():
        sio.on(event, handler, namespace=namespace)
    await sio.connect(url, namespaces=[namespace], auth=auth, transports=["websocket"],
                      wait_timeout=30)
    return sio


async def watch(url: str, exam: str, watchers: int, proctor_tokens: list, whole: bool,
                ready, stop, out) -> None:
    """The watchers and proctors, in their own process (their frames would otherwise queue
    behind the candidates' traffic in one event loop, and distort both measurements).

    A watcher watches as the TV page does (`changes: true`, merging each change into its
    board) or, with `whole`, takes the whole board in every event (CONTRACT §4.3 as is).
    """
    # Kept cheap, so the watchers' process takes as little CPU from the server as it can:
    # each event's time, and when each participant was first seen ended. Rows leave the
    # board never, and an ended row stays ended, so a change's rows are all a watcher
    # needs for that; one watcher also merges the whole board, to check it at the end.
    times: list[list[float]] = [[] for _ in range(watchers)]
    first_ended: list[dict[str, float]] = [{} for _ in range(watchers)]
    board: list[dict] = []
    sockets = []
    for w in range(watchers):
        def record(data, w=w, kind="scoreboard"):
            nonlocal board
            now = time.monotonic()
            times[w].append(now)
            seen = first_ended[w]
            for r in data["rows"]:
                if r["status"] == "ended" and r["participant_no"] not in seen:
                    seen[r["participant_no"]] = now
            if w == 0:
                board = data["rows"] if kind == "scoreboard" else board_diff.apply(board,
                                                                                   data)
        sio = await connect(url, "/scoreboard", None, {
            "scoreboard": record,
            "scoreboard_changes": lambda data, w=w: record(data, w, "scoreboard_changes")})
        ack = await sio.call("watch", {"exam": exam, "changes": not whole},
                             namespace="/scoreboard")
        assert ack["ok"]
        if w == 0:
            board = ack["rows"]
        sockets.append(sio)
    # Proctors watch as the dashboard does: one `candidates` event a tick with every row
    # that changed (`batch: true`), counted in events and in rows.
    proctor_events = [0] * len(proctor_tokens)
    proctor_rows = [0] * len(proctor_tokens)
    for i, token in enumerate(proctor_tokens):
        def rows(data, i=i):
            proctor_events[i] += 1
            proctor_rows[i] += len(data["rows"])
        sio = await connect(url, "/proctor", {"token": token}, {"candidates": rows})
        assert (await sio.call("watch", {"exam": exam, "batch": True},
                               namespace="/proctor"))["ok"]
        sockets.append(sio)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.2)
    for sio in sockets:
        await sio.disconnect()
    async with aiohttp.ClientSession() as http, http.get(
            f"{url}/api/v1/public/exams/{exam}/scoreboard") as r:
        final = (await r.json())["rows"]
    out.put({"times": times, "first_ended": first_ended, "board_matches": board == final,
             "proctor_events": sum(proctor_events), "proctor_rows": sum(proctor_rows)})


def _watch_process(url, exam, watchers, tokens, whole, ready, stop, out):
    asyncio.run(watch(url, exam, watchers, tokens, whole, ready, stop, out))


async def phase(url: str, exam: str, creds: list[dict], watchers: int, proctor_tokens: list,
                pid: int, window: float, whole: bool = False) -> dict:
    import multiprocessing as mp

    ready, stop, out = mp.Event(), mp.Event(), mp.Queue()
    watcher_proc = None
    if watchers:
        watcher_proc = mp.Process(target=_watch_process, args=(
            url, exam, watchers, proctor_tokens, whole, ready, stop, out))
        watcher_proc.start()
        while not ready.wait(0.1):
            await asyncio.sleep(0)
    tokens = await login_all(url, exam, creds)
    sem = asyncio.Semaphore(32)

    async def cand(token):
        async with sem:
            sio = await connect(url, "/candidate", {"token": token}, {})
            form = await sio.call("start", {}, namespace="/candidate", timeout=60)
            return sio, form["questions"]

    candidates = await asyncio.gather(*(cand(t) for t in tokens))

    acks: list[float] = []
    when: list[float] = []
    submitted: dict[str, float] = {}
    rnd = random.Random(7)
    cpu0, t0 = cpu_s(pid), time.monotonic()
    wcpu0 = cpu_s(watcher_proc.pid) if watcher_proc else 0.0
    ccpu0 = cpu_s("self")

    async def sit(i, sio, questions):
        # Seven random moments in the minute: six answers, then the submission at the last
        # (so submissions bunch towards the end, about 130 a second in the last seconds).
        times = sorted(rnd.uniform(0, window * 0.9) for _ in range(ANSWERS_EACH + 1))
        for seq, at in enumerate(times[:-1], start=1):
            await asyncio.sleep(max(0, t0 + at - time.monotonic()))
            q = questions[seq % len(questions)]
            sent = time.monotonic()
            ack = await sio.call("answer", {"question": q["id"], "choice": q["options"][0]
                                            ["key"], "seq": seq}, namespace="/candidate",
                                 timeout=60)
            assert ack["ok"], ack
            acks.append((time.monotonic() - sent) * 1000)
            when.append(sent - t0)
        await asyncio.sleep(max(0, t0 + times[-1] - time.monotonic()))
        ack = await sio.call("submit", {}, namespace="/candidate", timeout=60)
        assert ack["ok"], ack
        submitted[creds[i]["participant_no"]] = time.monotonic()

    await asyncio.gather(*(sit(i, sio, qs) for i, (sio, qs) in enumerate(candidates)))
    await asyncio.sleep(2.0)                     # the last coalesced frames
    elapsed, cpu = time.monotonic() - t0, cpu_s(pid) - cpu0
    clients_cpu = {"candidates_process_s": round(cpu_s("self") - ccpu0, 1),
                   "watchers_process_s": round(cpu_s(watcher_proc.pid) - wcpu0, 1)
                   if watcher_proc else None}
    times, first_ended, proctor_events, proctor_rows, board_ok = [], [], 0, 0, None
    if watcher_proc is not None:
        stop.set()
        got = out.get(timeout=120)
        watcher_proc.join(60)
        times, first_ended = got["times"], got["first_ended"]
        board_ok = got["board_matches"]
        proctor_events, proctor_rows = got["proctor_events"], got["proctor_rows"]
    delays, rates = [], []
    for ts, seen in zip(times, first_ended, strict=True):
        delays += [(seen[pno] - at) * 1000 for pno, at in submitted.items() if pno in seen]
        rates.append(max((sum(1 for u in ts if t <= u < t + 1) for t in ts), default=0))
    missing = sum(1 for seen in first_ended for pno in submitted if pno not in seen)
    for sio, _ in candidates:
        await sio.disconnect()
    return {"candidates": len(creds), "watchers": watchers, "proctors": len(proctor_tokens),
            "answers": len(acks), "submissions": len(submitted),
            "ack_ms": {"p50": pct(acks, 50), "p99": pct(acks, 99)},
            # the slowest 1 %: when they were sent (s into the window), and how long
            "slowest_acks": sorted(([round(w, 2), round(a, 1)] for w, a in zip(
                when, acks, strict=True)), key=lambda p: -p[1])[:max(1, len(acks) // 100)],
            "submit_to_row_ms": {"p50": pct(delays, 50), "p99": pct(delays, 99),
                                 "max": pct(delays, 100)} if watchers else None,
            "rows_never_seen": missing, "merged_board_matches_json": board_ok,
            "max_events_per_s_per_watcher": max(rates, default=0),
            "mean_events_per_watcher": round(sum(len(ts) for ts in times) / watchers, 1)
            if watchers else None,
            "proctor_events": proctor_events, "proctor_rows": proctor_rows,
            "server_cpu_s": round(cpu, 1), "clients_cpu": clients_cpu,
            "elapsed_s": round(elapsed, 1),
            "server_cpu_pct": round(100 * cpu / elapsed)}


def register(server: ServerProcess, code: str, n: int) -> list[dict]:
    exam = small_exam(code=code, count=4)
    exam["scoreboard"] = {"public": True, "names": "masked", "mode": "on_submit"}
    assert server.api("POST", "/exams", json=exam).status_code == 201
    assert server.api("POST", f"/exams/{code}/open").status_code == 200
    people = [{"participant_no": f"{code[:1]}{i:05d}", "name": f"Peserta {i}"}
              for i in range(n)]
    r = server.api("POST", f"/exams/{code}/candidates", json={"candidates": people})
    assert r.status_code == 201, r.text
    return r.json()["credentials"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--watchers", type=int, default=50)
    ap.add_argument("--proctors", type=int, default=5)
    ap.add_argument("--window", type=float, default=60.0)
    ap.add_argument("--database", default=None)
    ap.add_argument("--server-log", help="keep a copy of the server's log here")
    ap.add_argument("--whole-boards", action="store_true",
                    help="watchers take the whole board in every event (no `changes`)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database and args.database.startswith("postgres"):
            from exam_engine.extensions import make_engine
            from exam_engine.models import Base

            engine = make_engine(args.database)
            Base.metadata.drop_all(engine)
            engine.dispose()
        server = ServerProcess(Path(tmp), "gevent", database_url=args.database).start(60)
        try:
            import io

            import yaml

            bank = copy.deepcopy(small_bank(per_category=8))
            r = server.api("POST", "/banks", files={"file": ("bank.yaml", io.BytesIO(
                yaml.safe_dump(bank).encode()))})
            assert r.status_code == 201, r.text
            base_creds = register(server, "alone", args.candidates)
            live_creds = register(server, "watched", args.candidates)
            tokens = [server.api("POST", "/users", json={
                "username": f"pengawas{i}", "role": "proctor",
                "password": "kata-sandi-rahasia"}).json()["token"]
                for i in range(args.proctors)]
            pid = server.proc.pid
            alone = asyncio.run(phase(server.url, "alone", base_creds, 0, [], pid, args.window))
            watched = asyncio.run(phase(server.url, "watched", live_creds, args.watchers,
                                        tokens, pid, args.window, args.whole_boards))
        finally:
            server.stop()
            if args.server_log:
                Path(args.server_log).write_text(server.log_path.read_text(errors="replace"))
    kind = "postgresql" if args.database else "sqlite"
    out = {"database": kind, "watchers_take": "whole boards" if args.whole_boards
           else "changes", "without_watchers": alone, "with_watchers": watched}
    print(json.dumps(out, indent=1))
    base, live = alone["ack_ms"]["p99"], watched["ack_ms"]["p99"]
    print(f"\n{kind}: submission ack -> row at watcher p50 "
          f"{watched['submit_to_row_ms']['p50']} ms, p99 {watched['submit_to_row_ms']['p99']} "
          f"ms; max {watched['max_events_per_s_per_watcher']} events/s per watcher; answer ack "
          f"p99 {base} ms alone vs {live} ms watched ({(live / base - 1) * 100:+.0f}%); "
          f"server CPU {alone['server_cpu_pct']}% vs {watched['server_cpu_pct']}%")


if __name__ == "__main__":
    main()
