"""Load generator: N simulated candidates over real Socket.IO websockets, then a durability check.

Each simulated candidate logs in over HTTP (`POST /api/v1/candidate/login`), connects to the
`/candidate` namespace with the websocket transport, sends `start`, and then answers random
questions of its form: one answer every `--interval` seconds (each gap drawn uniformly from
interval × [1 - jitter, 1 + jitter], the first one at a random offset so that arrivals are
spread evenly), or with `--interval 0` as fast as acks come back (closed loop: the next answer
leaves as soon as the previous ack arrives). All candidates are connected and started before
the measured window opens; the window lasts `--duration` seconds.

Reported: acknowledged answers per second, ack latency (p50/p95/p99/max, ms, measured from
the moment the answer is handed to the socket to the moment its ack is read), errors by code,
connect failures, and the CPU time used during the window by the load generator itself, by the
server process(es) and by PostgreSQL (all on the same machine, competing for the same cores).

Afterwards (unless `--echo`) the database is opened directly with SQLAlchemy and every
acknowledged answer is looked up: an `answered` event with its attempt, question, seq and
choice must exist, and `attempt_items.seq` must be at least the acked seq. The verdict line is
`lost acknowledged answers: 0` (or the count and the first of them); the exit status is 1 when
any is lost.

    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:5000 --creds creds.json \\
        --database-url sqlite:////tmp/x/exam.sqlite3 --candidates 200 --interval 10 --duration 60
    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:5055 --echo --candidates 100 \\
        --interval 0 --duration 30

`--creds` is a JSON file `{"exam": code, "credentials": [{"participant_no", "password"}]}`
(what `bench/run.py` writes after registering candidates through the admin API).
Many clients in one process run on one asyncio loop; `--workers K` splits them over K processes.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import multiprocessing as mp
import os
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

NS = "/candidate"
MAX_CANDIDATES = 5000
MAX_DURATION_S = 1800


# ---------------------------------------------------------------------------------------------
# One worker process: an asyncio loop with many Socket.IO clients


@dataclass
class WorkerResult:
    latencies_ms: list = field(default_factory=list)   # every answer acked ok within the window
    sent_s: list = field(default_factory=list)         # when each was sent, s into the window
    acked: list = field(default_factory=list)          # (participant_no, attempt, qid, seq, choice)
    acked_in_window: int = 0
    duplicates: int = 0
    errors: Counter = field(default_factory=Counter)   # answer errors by code
    connect_failures: Counter = field(default_factory=Counter)
    login_ms: list = field(default_factory=list)
    connect_ms: list = field(default_factory=list)
    start_ms: list = field(default_factory=list)
    late_sends: int = 0                                 # open loop: sent after their slot
    cpu_s: float = 0.0                                  # this process, during the window
    ready: int = 0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def _login(session, url: str, exam: str, cred: dict, timeout: float) -> str:
    import aiohttp

    async with session.post(f"{url}/api/v1/candidate/login", json={
            "exam": exam, "participant_no": cred["participant_no"],
            "password": cred["password"]}, timeout=aiohttp.ClientTimeout(total=timeout)) as r:
        body = await r.json(content_type=None)
        if r.status != 200:
            raise RuntimeError(f"login_{r.status}_{body.get('error', '')}")
        return body["token"]


class Candidate:
    def __init__(self, cfg: dict, cred: dict | None, index: int, res: WorkerResult) -> None:
        self.cfg = cfg
        self.cred = cred
        self.no = cred["participant_no"] if cred else f"echo-{index}"
        self.res = res
        self.rnd = random.Random(cfg["seed"] * 100_003 + index)
        self.sio = None
        self.attempt = None
        self.questions: list[tuple[str, list[str]]] = []
        # seq must grow with every answer of the attempt; a time-based base lets the same
        # candidates be driven again against the same database.
        self.seq = time.time_ns() // 1000
        self.t0 = 0.0

    async def setup(self, session, gate: asyncio.Semaphore) -> bool:
        import socketio

        cfg, res = self.cfg, self.res
        async with gate:
            try:
                token = "echo"
                if not cfg["echo"]:
                    t = time.perf_counter()
                    token = await _login(session, cfg["url"], cfg["exam"], self.cred,
                                         cfg["setup_timeout"])
                    res.login_ms.append((time.perf_counter() - t) * 1000)
                self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
                t = time.perf_counter()
                await self.sio.connect(cfg["url"], auth={"token": token},
                                       transports=["websocket"], namespaces=[NS],
                                       wait_timeout=cfg["setup_timeout"])
                res.connect_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                ack = await self.sio.call("start", {}, namespace=NS,
                                          timeout=cfg["setup_timeout"])
                res.start_ms.append((time.perf_counter() - t) * 1000)
            except Exception as exc:  # counted, reported; the candidate sits the run out
                res.connect_failures[_reason(exc)] += 1
                await self._close()
                return False
        if not isinstance(ack, dict) or not ack.get("ok"):
            code = ack.get("error", "bad_ack") if isinstance(ack, dict) else "bad_ack"
            res.connect_failures[f"start_{code}"] += 1
            await self._close()
            return False
        self.attempt = ack.get("attempt")
        self.questions = [(q["id"], [o["key"] for o in q["options"]])
                          for q in ack["questions"]]
        res.ready += 1
        return True

    async def run(self, t_start: float, t_end: float) -> None:
        """Answer until the window closes (perf_counter times)."""
        self.t0 = t_start
        interval, jitter = self.cfg["interval"], self.cfg["jitter"]
        if interval > 0:
            slot = t_start + self.rnd.uniform(0, interval)
            while slot < t_end:
                delay = slot - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -0.05:
                    self.res.late_sends += 1
                if not await self._answer(t_end):
                    return
                slot += interval * self.rnd.uniform(1 - jitter, 1 + jitter)
        else:
            while time.perf_counter() < t_end:
                if not await self._answer(t_end):
                    return

    async def _answer(self, t_end: float) -> bool:
        """One answer and its ack; False when this candidate cannot go on."""
        qid, keys = self.rnd.choice(self.questions)
        choice = self.rnd.choice(keys)
        self.seq += 1
        seq = self.seq
        t = time.perf_counter()
        try:
            ack = await self.sio.call("answer", {"question": qid, "choice": choice, "seq": seq},
                                      namespace=NS, timeout=self.cfg["ack_timeout"])
        except Exception as exc:
            self.res.errors[_reason(exc)] += 1
            return self.sio.connected
        done = time.perf_counter()
        if isinstance(ack, dict) and ack.get("ok"):
            if ack.get("seq") != seq:
                self.res.errors["wrong_seq_in_ack"] += 1
            if ack.get("duplicate"):
                self.res.duplicates += 1
            self.res.latencies_ms.append((done - t) * 1000)
            self.res.sent_s.append(t - self.t0)
            self.res.acked.append((self.no, self.attempt, qid, seq, choice))
            if done <= t_end:
                self.res.acked_in_window += 1
        else:
            code = ack.get("error", "bad_ack") if isinstance(ack, dict) else "bad_ack"
            self.res.errors[code] += 1
        return True

    async def _close(self) -> None:
        if self.sio is not None:
            try:
                await asyncio.wait_for(self.sio.disconnect(), 5)
            except Exception:
                pass


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:60] if str(exc).strip() else ""
    name = type(exc).__name__
    if name in ("TimeoutError", "CancelledError"):
        return "ack_timeout" if name == "TimeoutError" else "cancelled"
    return f"{name}: {text}" if text else name


async def _worker_async(cfg: dict, creds: list, first_index: int, n: int, ready_cb, go_wait
                        ) -> WorkerResult:
    import aiohttp

    res = WorkerResult()
    cands = [Candidate(cfg, creds[i] if not cfg["echo"] else None, first_index + i, res)
             for i in range(n)]
    gate = asyncio.Semaphore(cfg["connect_concurrency"])
    connector = aiohttp.TCPConnector(limit=cfg["connect_concurrency"] * 2)
    async with aiohttp.ClientSession(connector=connector) as session:
        oks = await asyncio.wait_for(
            asyncio.gather(*(c.setup(session, gate) for c in cands)),
            cfg["setup_timeout"] * max(4, math.ceil(n / cfg["connect_concurrency"])))
    live = [c for c, ok in zip(cands, oks, strict=True) if ok]
    # The clients' own garbage collections must not count as the server's latency: what
    # is alive after set-up is never collected, and full collections wait for the end.
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1_000_000)
    ready_cb(len(live))
    delay_to_go = await asyncio.get_running_loop().run_in_executor(None, go_wait)
    await asyncio.sleep(max(0.0, delay_to_go))
    t_start = time.perf_counter()
    t_end = t_start + cfg["duration"]
    cpu0 = _cpu()
    await asyncio.wait_for(asyncio.gather(*(c.run(t_start, t_end) for c in live)),
                           cfg["duration"] + cfg["ack_timeout"] + 30)
    res.cpu_s = _cpu() - cpu0
    await asyncio.gather(*(c._close() for c in cands))
    return res


def _worker_process(cfg: dict, creds: list, first_index: int, n: int, conn) -> None:
    """Entry of a worker process: report readiness, wait for `go`, send the result back."""
    def ready(count: int) -> None:
        conn.send(("ready", count))

    def go_wait() -> float:
        # The go message carries the wall-clock start time, common to every worker.
        if not conn.poll(cfg["setup_timeout"] * 40):
            raise TimeoutError("no go from the parent")
        start_at = conn.recv()
        return start_at - time.time()

    try:
        res = asyncio.run(_worker_async(cfg, creds, first_index, n, ready, go_wait))
        conn.send(("result", res))
    except BaseException as exc:  # reported to the parent, which fails the run
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# The parent: split, start, measure CPU, merge, verify, report


def _proc_cpu_s(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _postgres_pids() -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(name))
            except OSError:
                pass
    return pids


def _machine_busy() -> tuple[float, float]:
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


class CpuWatch:
    """CPU seconds used in the window by given pids, by PostgreSQL, and by the whole machine."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.tck = os.sysconf("SC_CLK_TCK")

    def snap(self) -> dict:
        pg = {p: _proc_cpu_s(p) for p in _postgres_pids()}
        return {"pids": {p: _proc_cpu_s(p) for p in self.pids}, "pg": pg,
                "machine": _machine_busy(), "t": time.perf_counter()}

    def delta(self, a: dict, b: dict) -> dict:
        wall = b["t"] - a["t"]
        servers = sum((b["pids"][p] or 0) - (a["pids"][p] or 0) for p in self.pids)
        pg = sum((v or 0) - (a["pg"].get(p) or 0) for p, v in b["pg"].items())
        busy_ticks = b["machine"][0] - a["machine"][0]
        busy = busy_ticks / max(1, b["machine"][1] - a["machine"][1])
        return {"wall_s": round(wall, 2), "server_cpu_s": round(servers, 2),
                "postgres_cpu_s": round(pg, 2), "machine_busy_pct": round(100 * busy, 1),
                "machine_busy_cpu_s": round(busy_ticks / self.tck, 2),
                "cores": os.cpu_count()}


def _pct(sorted_vals: list, p: float) -> float | None:
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, math.ceil(p / 100 * len(sorted_vals)) - 1))
    return round(sorted_vals[k], 2)


def run(cfg: dict, creds: list, watch_pids: list[int]) -> dict:
    n = cfg["count"]
    workers = max(1, min(cfg["workers"], n))
    slices = [(i * n // workers, (i + 1) * n // workers) for i in range(workers)]
    ctx = mp.get_context("spawn")
    procs, conns = [], []
    for lo, hi in slices:
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker_process,
                        args=(cfg, creds[lo:hi] if creds else [], lo, hi - lo, child),
                        daemon=True)
        p.start()
        procs.append(p)
        conns.append(parent)
    t_setup = time.perf_counter()
    ready = 0
    setup_limit = cfg["setup_timeout"] * max(4, math.ceil(n / cfg["connect_concurrency"])) + 60
    for c in conns:
        if not c.poll(setup_limit):
            raise SystemExit("a worker did not finish connecting in time")
        kind, value = c.recv()
        if kind != "ready":
            raise SystemExit(f"worker failed during setup: {value}")
        ready += value
    setup_s = time.perf_counter() - t_setup
    watch = CpuWatch(watch_pids)
    start_at = time.time() + 0.5
    for c in conns:
        c.send(start_at)
    time.sleep(max(0.0, start_at - time.time()))
    before = watch.snap()
    if cfg.get("window_file"):
        open(cfg["window_file"], "w").close()
    # CPU is sampled at the end of the window (in-flight acks that finish later are not in it).
    time.sleep(cfg["duration"])
    after = watch.snap()
    results: list[WorkerResult] = []
    for c in conns:
        if not c.poll(cfg["ack_timeout"] + 90):
            raise SystemExit("a worker did not report in time")
        kind, value = c.recv()
        if kind != "result":
            raise SystemExit(f"worker failed: {value}")
        results.append(value)
    for p in procs:
        p.join(10)
    return summarize(cfg, results, ready, setup_s, watch.delta(before, after))


def summarize(cfg: dict, results: list[WorkerResult], ready: int, setup_s: float,
              cpu: dict) -> dict:
    lat = sorted(x for r in results for x in r.latencies_ms)
    timeline = sorted(((ms, t) for r in results
                       for ms, t in zip(r.latencies_ms, r.sent_s, strict=True)), reverse=True)
    errors, failures = Counter(), Counter()
    for r in results:
        errors.update(r.errors)
        failures.update(r.connect_failures)
    in_window = sum(r.acked_in_window for r in results)

    def stats(key: str) -> dict:
        vals = sorted(x for r in results for x in getattr(r, key))
        return {"n": len(vals), "p50": _pct(vals, 50), "p99": _pct(vals, 99),
                "max": _pct(vals, 100)}

    cpu = dict(cpu, loadgen_cpu_s=round(sum(r.cpu_s for r in results), 2))
    # What else ran on the machine meanwhile (kernel networking, other users' processes).
    cpu["other_cpu_s"] = round(cpu["machine_busy_cpu_s"] - cpu["server_cpu_s"]
                               - cpu["loadgen_cpu_s"] - cpu["postgres_cpu_s"], 2)
    # Cost per answer: unlike answers/s, barely moved by what else the machine is doing.
    if in_window:
        cpu["server_ms_per_answer"] = round(1000 * cpu["server_cpu_s"] / in_window, 3)
        cpu["server_and_pg_ms_per_answer"] = round(
            1000 * (cpu["server_cpu_s"] + cpu["postgres_cpu_s"]) / in_window, 3)
    return {
        "target": "echo" if cfg["echo"] else "engine",
        "url": cfg["url"], "candidates": cfg["count"], "connected": ready,
        "workers": len(results), "interval_s": cfg["interval"], "jitter": cfg["jitter"],
        "duration_s": cfg["duration"],
        "acked": len(lat), "acked_in_window": in_window,
        "answers_per_s": round(in_window / cfg["duration"], 1),
        "offered_per_s": (round(ready / cfg["interval"], 1) if cfg["interval"] else None),
        "latency_ms": {"p50": _pct(lat, 50), "p95": _pct(lat, 95), "p99": _pct(lat, 99),
                       "max": _pct(lat, 100),
                       "mean": round(sum(lat) / len(lat), 2) if lat else None},
        # The slowest 1 %, each with when it was sent: a stall shows as a cluster.
        "slowest_acks": [{"sent_s": round(t, 3), "ms": round(ms, 2)}
                         for ms, t in timeline[:max(10, len(timeline) // 100)]],
        "errors": dict(errors), "connect_failures": dict(failures),
        "duplicate_acks": sum(r.duplicates for r in results),
        "late_sends": sum(r.late_sends for r in results),
        "setup": {"seconds": round(setup_s, 1), "login_ms": stats("login_ms"),
                  "connect_ms": stats("connect_ms"), "start_ms": stats("start_ms")},
        "cpu": cpu,
        "_acked": [a for r in results for a in r.acked],
    }


def verify(database_url: str, exam: str, acked: list) -> dict:
    """Every acked (attempt, question, seq, choice) must be in the log and in attempt_items."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            exam_id = conn.execute(text("SELECT id FROM exams WHERE code = :c"),
                                   {"c": exam}).scalar_one()
            logged, saved_at = set(), {}
            for (payload,) in conn.execute(text(
                    "SELECT payload FROM events WHERE exam_id = :e AND kind = 'answered'"),
                    {"e": exam_id}):
                p = json.loads(payload)
                logged.add((p["attempt"], p["question"], p["seq"],
                            json.dumps(p["choice"], sort_keys=True)))
                saved_at[(p["attempt"], p["seq"])] = p["at"]
            attempt_ids = sorted({a[1] for a in acked})
            items = {}
            for i in range(0, len(attempt_ids), 500):
                chunk = attempt_ids[i:i + 500]
                marks = ",".join(str(int(a)) for a in chunk)
                for aid, qid, seq in conn.execute(text(
                        f"SELECT attempt_id, qid, seq FROM attempt_items "
                        f"WHERE attempt_id IN ({marks})")):
                    items[(aid, qid)] = seq
    finally:
        engine.dispose()
    lost = []
    for no, attempt, qid, seq, choice in acked:
        why = []
        if (attempt, qid, seq, json.dumps(choice, sort_keys=True)) not in logged:
            why.append("no answered event with this seq and choice")
        if items.get((attempt, qid), -1) < seq:
            why.append(f"attempt_items.seq={items.get((attempt, qid))}")
        if why:
            lost.append({"participant_no": no, "attempt": attempt, "question": qid,
                         "seq": seq, "choice": choice, "why": "; ".join(why)})
    # One group commit stamps all its answers with one `at`: answers per distinct `at` show
    # how many answers shared a transaction (an upper bound: two commits in one ms merge).
    groups = Counter(saved_at[(a[1], a[3])] for a in acked if (a[1], a[3]) in saved_at)
    sizes = sorted(groups.values())
    return {"checked": len(acked), "answered_events": len(logged), "lost": lost,
            "commit_groups": {"groups": len(sizes),
                              "mean": round(sum(sizes) / len(sizes), 1) if sizes else None,
                              "p50": _pct(sizes, 50), "max": _pct(sizes, 100)}}


def report(summary: dict) -> str:
    lat, s, cpu = summary["latency_ms"], summary["setup"], summary["cpu"]
    mode = "closed loop"
    if summary["interval_s"]:
        mode = (f"one answer every {summary['interval_s']} s per candidate (jitter "
                f"±{100 * summary['jitter']:.0f}%), offered {summary['offered_per_s']}/s")
    lines = [
        f"target {summary['target']} {summary['url']}: {summary['connected']}/"
        f"{summary['candidates']} candidates connected and started in {s['seconds']} s "
        f"(login p50 {s['login_ms']['p50']} ms, connect p50 {s['connect_ms']['p50']} ms, "
        f"start p50 {s['start_ms']['p50']} / p99 {s['start_ms']['p99']} ms)",
        f"mode: {mode}, {summary['duration_s']} s window",
        f"acknowledged answers: {summary['acked_in_window']} in the window = "
        f"{summary['answers_per_s']}/s  (total acked {summary['acked']})",
        f"ack latency ms: p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  "
        f"max {lat['max']}  mean {lat['mean']}",
        f"errors: {summary['errors'] or 'none'}; connect failures: "
        f"{summary['connect_failures'] or 'none'}; duplicate acks: "
        f"{summary['duplicate_acks']}; late sends: {summary['late_sends']}",
        f"CPU in the window ({cpu['wall_s']} s wall, {cpu['cores']} cores, machine busy "
        f"{cpu['machine_busy_pct']}%): server {cpu['server_cpu_s']} s, loadgen "
        f"{cpu['loadgen_cpu_s']} s, postgres {cpu['postgres_cpu_s']} s, anything else "
        f"{cpu['other_cpu_s']} s",
    ]
    v = summary.get("verification")
    if v is not None:
        g = v["commit_groups"]
        lines.append(f"verified {v['checked']} acknowledged answers against "
                     f"{v['answered_events']} answered events; answers per commit "
                     f"(same saved_at): mean {g['mean']}, p50 {g['p50']}, max {g['max']}")
        if v["lost"]:
            lines.append(f"lost acknowledged answers: {len(v['lost'])}")
            lines += [f"  {x}" for x in v["lost"][:20]]
        else:
            lines.append("lost acknowledged answers: 0")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="server base URL (127.0.0.1 only)")
    ap.add_argument("--echo", action="store_true",
                    help="target bench/echo_server.py: no login, no database check")
    ap.add_argument("--creds", help="JSON {exam, credentials: [{participant_no, password}]}")
    ap.add_argument("--candidates", type=int, default=100)
    ap.add_argument("--interval", type=float, default=10.0,
                    help="seconds between one candidate's answers; 0 = closed loop")
    ap.add_argument("--jitter", type=float, default=0.5, help="±fraction of the interval")
    ap.add_argument("--duration", type=float, default=60.0, help="measured window, seconds")
    ap.add_argument("--workers", type=int, default=1, help="load generator processes")
    ap.add_argument("--connect-concurrency", type=int, default=16,
                    help="logins/connects/starts in flight at once per worker")
    ap.add_argument("--ack-timeout", type=float, default=30.0)
    ap.add_argument("--setup-timeout", type=float, default=60.0)
    ap.add_argument("--database-url", help="verify acked answers in this database")
    ap.add_argument("--watch-pid", type=int, action="append", default=[],
                    help="server pid(s) whose CPU time to report")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--window-file", help="create this file when the window opens (profilers)")
    ap.add_argument("--json-out", help="write the summary (and verification) here")
    args = ap.parse_args(argv)

    from urllib.parse import urlparse

    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
        ap.error("--url must point at 127.0.0.1")
    if not 0 < args.candidates <= MAX_CANDIDATES:
        ap.error(f"--candidates must be 1..{MAX_CANDIDATES}")
    if not 0 < args.duration <= MAX_DURATION_S:
        ap.error(f"--duration must be 1..{MAX_DURATION_S}")
    if args.interval < 0 or not 0 <= args.jitter < 1:
        ap.error("--interval must be >= 0 and --jitter in [0, 1)")
    creds, exam = [], None
    if not args.echo:
        if not args.creds:
            ap.error("--creds is required unless --echo")
        with open(args.creds) as f:
            data = json.load(f)
        exam, creds = data["exam"], data["credentials"]
        if len(creds) < args.candidates:
            ap.error(f"--creds holds {len(creds)} candidates, fewer than --candidates")
        creds = creds[:args.candidates]
    cfg = {"url": args.url.rstrip("/"), "echo": args.echo, "exam": exam,
           "count": args.candidates, "interval": args.interval, "jitter": args.jitter,
           "duration": args.duration, "workers": args.workers,
           "connect_concurrency": args.connect_concurrency, "ack_timeout": args.ack_timeout,
           "setup_timeout": args.setup_timeout, "seed": args.seed,
           "window_file": args.window_file}
    summary = run(cfg, creds, args.watch_pid)
    acked = summary.pop("_acked")
    if args.database_url and not args.echo:
        summary["verification"] = verify(args.database_url, exam, acked)
    print(report(summary), flush=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(summary, f, indent=2)
    lost = summary.get("verification", {}).get("lost")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
