"""The benchmark matrix: the echo ceiling, then the engine on SQLite and on PostgreSQL.

    .venv/bin/python bench/run.py                      # full matrix, 10 to 14 minutes
    .venv/bin/python bench/run.py --only sqlite --quick  # a smoke run

For each database the engine is started once (`python wsgi.py` through tests/e2e/server.py's
ServerProcess) on a fresh database with the demo SKD bank and exam (110 questions:
exam_engine.demo), candidates are registered through the admin API, and `bench/loadgen.py`
runs three scenarios against it, each with its own candidates: closed loop (as fast as acks
come back), 200 candidates answering every 10 s, 1000 candidates answering every 10 s. The
echo ceiling is `bench/echo_server.py` driven closed loop with the same number of candidates.
Every engine scenario ends with the database check of every acknowledged answer.

Results go to `bench/results/<timestamp>.json` (and `bench/results/latest.json`), each
scenario with its exact command line. PostgreSQL is a dedicated database (`exam_bench`, created
when missing, its tables dropped first) so that test runs on the shared `test` database and the
benchmark never drop each other's tables. `--profile` records the engine with py-spy (100 Hz,
non-blocking) during the closed-loop and the 1000-candidate windows, and lists the top
functions in the results; py-spy's own CPU then competes with the run, so keep the figures of
a run without it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from exam_engine.demo import SKD_EXAM, synthetic_bank  # noqa: E402
from question_bank.export import bank_to_native  # noqa: E402
from tests.e2e.server import ServerProcess, free_port  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "exam_bench"
LOADGEN = ROOT / "bench" / "loadgen.py"
ECHO = ROOT / "bench" / "echo_server.py"


def sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except subprocess.TimeoutExpired:
        return ""


def machine_info(pg_url: str | None) -> dict:
    info = {
        "nproc": os.cpu_count(),
        "cpu_model": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "mem_total": sh("grep MemTotal /proc/meminfo | awk '{print $2\" kB\"}'"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {},
        # What was measured: the commit plus any uncommitted changes in the work tree.
        "git_head": sh(f"git -C {ROOT} rev-parse HEAD"),
        "git_uncommitted_files": len(sh(f"git -C {ROOT} status --porcelain").splitlines()),
    }
    from importlib.metadata import version

    for pkg in ("python-socketio", "python-engineio", "flask-socketio", "gevent",
                "gevent-websocket", "sqlalchemy", "psycopg", "aiohttp"):
        try:
            info["packages"][pkg] = version(pkg)
        except Exception:
            info["packages"][pkg] = None
    if pg_url:
        from sqlalchemy import create_engine, text

        e = create_engine(pg_url)
        try:
            with e.connect() as c:
                info["postgresql"] = c.execute(text("SELECT version()")).scalar()
                info["postgresql_settings"] = {
                    k: c.execute(text(f"SHOW {k}")).scalar()
                    for k in ("synchronous_commit", "fsync", "wal_sync_method",
                              "shared_buffers", "commit_delay")}
        finally:
            e.dispose()
    return info


def fresh_pg(url_admin: str, db: str) -> str:
    """Create the benchmark database when missing; drop the engine's tables in it."""
    from sqlalchemy import create_engine, make_url, text

    from exam_engine.extensions import make_engine
    from exam_engine.models import Base

    e = create_engine(url_admin, isolation_level="AUTOCOMMIT")
    try:
        with e.connect() as c:
            exists = c.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                               {"d": db}).scalar()
            if not exists:
                c.execute(text(f'CREATE DATABASE "{db}"'))
    finally:
        e.dispose()
    url = make_url(url_admin).set(database=db).render_as_string(hide_password=False)
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    engine.dispose()
    return url


def wait_quiet(limit_s: float = 20, busy_pct: float = 25) -> dict:
    """Wait (bounded) until other users' load on the machine has dropped; say how it went."""
    t0 = time.monotonic()
    busy = 100.0
    while time.monotonic() - t0 < limit_s:
        a = _busy()
        time.sleep(2)
        b = _busy()
        busy = 100 * (b[0] - a[0]) / max(1, b[1] - a[1])
        if busy < busy_pct:
            break
    return {"waited_s": round(time.monotonic() - t0, 1), "busy_pct_before": round(busy, 1)}


def _busy() -> tuple[int, int]:
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    return sum(vals) - vals[3] - vals[4], sum(vals)


def run_loadgen(name: str, args: list[str], workdir: Path, results: list, timeout: float
                ) -> dict:
    out = workdir / f"{name}.json"
    cmd = [sys.executable, str(LOADGEN), *args, "--json-out", str(out)]
    quiet = wait_quiet()
    shown = " ".join(["bench/loadgen.py", *args])
    print(f"\n=== {name}: {shown}", flush=True)
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    print(p.stdout.rstrip(), flush=True)
    if p.returncode not in (0, 1) or not out.exists():
        print(p.stderr[-3000:], flush=True)
        entry = {"name": name, "command": shown, "failed": p.stderr[-3000:]}
    else:
        entry = {"name": name, "command": shown, **json.loads(out.read_text())}
    entry["elapsed_s"] = round(time.monotonic() - t0, 1)
    entry["machine_before"] = quiet
    results.append(entry)
    return entry


def echo_ceiling(args, workdir: Path, results: list) -> None:
    port = free_port()
    log = open(workdir / "echo.log", "wb")
    proc = subprocess.Popen([sys.executable, str(ECHO), "--port", str(port)], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_health(f"http://127.0.0.1:{port}", proc)
        run_loadgen("echo-closed", [
            "--url", f"http://127.0.0.1:{port}", "--echo", "--candidates",
            str(args.closed_n), "--interval", "0", "--duration", str(args.closed_duration),
            "--watch-pid", str(proc.pid)], workdir, results, args.closed_duration + 180)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_health(url: str, proc, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited at start")
        try:
            if requests.get(f"{url}/api/v1/health", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def register(server: ServerProcess, total: int) -> tuple[str, list[dict]]:
    """The demo SKD bank and exam, opened, with `total` candidates (in chunks: hashing)."""
    first = min(total, 250)
    exam, creds = server.demo_exam(first, bank=bank_to_native(synthetic_bank()),
                                   exam=SKD_EXAM)
    done = first
    while done < total:
        n = min(250, total - done)
        people = [{"participant_no": f"E{i + 1:04d}", "name": f"Peserta {i + 1}"}
                  for i in range(done, done + n)]
        r = server.api("POST", f"/exams/{exam}/candidates", json={"candidates": people})
        if r.status_code != 201:
            raise RuntimeError(f"registering candidates: {r.status_code} {r.text[:300]}")
        creds += r.json()["credentials"]
        done += n
    return exam, creds


def engine_matrix(db_name: str, url: str, args, workdir: Path, results: list) -> None:
    tmp = workdir / db_name
    tmp.mkdir()
    server = ServerProcess(tmp, database_url=url)
    server.start(timeout=60)
    try:
        scenarios = [
            ("closed", args.closed_n, 0, args.closed_duration),
            ("n200-every10s", 200, 10, args.paced_duration),
            ("n1000-every10s", 1000, 10, args.paced_duration),
        ]
        if args.scenario:
            scenarios = [s for s in scenarios if s[0] in args.scenario]
        t0 = time.monotonic()
        exam, creds = register(server, sum(s[1] for s in scenarios))
        print(f"\n[{db_name}] server pid {server.proc.pid} on {server.url}; {len(creds)} "
              f"candidates registered in {time.monotonic() - t0:.1f} s", flush=True)
        offset = 0
        for name, n, interval, duration in scenarios:
            cred_file = workdir / f"{db_name}-{name}-creds.json"
            cred_file.write_text(json.dumps({"exam": exam,
                                             "credentials": creds[offset:offset + n]}))
            offset += n
            spy = None
            if args.profile and (interval == 0 or n >= 1000):
                spy = _py_spy(server.proc.pid, workdir / f"{db_name}-{name}", duration)
            shown_creds = f"<{db_name}-{name}-creds.json>"
            extra = ["--window-file", str(spy[3])] if spy else []
            entry = run_loadgen(f"{db_name}-{name}", [
                "--url", server.url, "--creds", str(cred_file), "--candidates", str(n),
                "--interval", str(interval), "--duration", str(duration),
                "--database-url", url, "--watch-pid", str(server.proc.pid), *extra],
                workdir, results, duration + 600)
            entry["command"] = entry["command"].replace(str(cred_file), shown_creds)
            entry["database"] = db_name
            if spy is not None:
                entry["profile"] = _py_spy_finish(spy)
    finally:
        server.stop()


def _py_spy(pid: int, stem: Path, duration: float):
    """py-spy on the server for the measured window (it starts when loadgen says so)."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    flag = Path(f"{stem}.window")
    rate = os.environ.get("BENCH_SPY_RATE", "100")   # samples a second
    cmd = [exe, "record", "--pid", str(pid), "--rate", rate, "--duration", str(int(duration)),
           "--format", "raw", "-o", f"{stem}.folded", "--nonblocking"]
    wait = f'for i in $(seq 1 3000); do [ -f "{flag}" ] && break; sleep 0.2; done; exec "$@"'
    log = open(f"{stem}.py-spy.log", "wb")
    proc = subprocess.Popen(["sh", "-c", wait, "sh", *cmd], stdout=log,
                            stderr=subprocess.STDOUT)
    return proc, Path(f"{stem}.folded"), log, flag


def _py_spy_finish(spy) -> dict:
    proc, folded, log, _flag = spy
    try:
        proc.wait(120)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    if not folded.exists():
        return {"error": "py-spy wrote nothing (see its log)"}
    return {"folded": str(folded), **top_functions(folded)}


def top_functions(folded: Path, top: int = 25) -> dict:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    own, incl, total = {}, {}, 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n

    def table(d: dict) -> list:
        return [[f, round(100 * c / total, 1)]
                for f, c in sorted(d.items(), key=lambda kv: -kv[1])[:top]]

    return {"samples": total, "self_pct": table(own), "inclusive_pct": table(incl)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=("echo", "sqlite", "postgres"), action="append",
                    help="run only these parts (repeatable); default: all")
    ap.add_argument("--pg-admin-url", default=PG_ADMIN_URL,
                    help="a PostgreSQL URL with rights to create the benchmark database")
    ap.add_argument("--closed-n", type=int, default=100,
                    help="candidates in the closed-loop runs (echo and engine)")
    ap.add_argument("--closed-duration", type=int, default=30)
    ap.add_argument("--paced-duration", type=int, default=60)
    ap.add_argument("--scenario", choices=("closed", "n200-every10s", "n1000-every10s"),
                    action="append", help="run only these engine scenarios (repeatable)")
    ap.add_argument("--quick", action="store_true", help="10 s windows (a smoke run)")
    ap.add_argument("--profile", action="store_true",
                    help="record the engine with py-spy in the closed-loop and N=1000 windows")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    ap.add_argument("--table", metavar="RESULTS_JSON",
                    help="only print the figures table of an earlier results file")
    args = ap.parse_args()
    if args.table:
        print(summary_table(json.loads(Path(args.table).read_text())))
        return 0
    if args.quick:
        args.closed_duration = args.paced_duration = 10
    parts = args.only or ["echo", "sqlite", "postgres"]

    started = dt.datetime.now(dt.UTC)
    workdir = Path(tempfile.mkdtemp(prefix="exam-bench-"))
    pg_url = None
    if "postgres" in parts:
        pg_url = fresh_pg(args.pg_admin_url, PG_BENCH_DB)
    results: list = []
    report = {"started": started.isoformat(timespec="seconds"),
              "argv": sys.argv[1:], "machine": machine_info(pg_url), "runs": results,
              "workdir": str(workdir)}
    print(f"work folder {workdir}", flush=True)
    t0 = time.monotonic()
    if "echo" in parts:
        echo_ceiling(args, workdir, results)
    if "sqlite" in parts:
        engine_matrix("sqlite", f"sqlite:///{workdir / 'sqlite' / 'bench.sqlite3'}", args,
                      workdir, results)
    if "postgres" in parts:
        engine_matrix("postgres", pg_url, args, workdir, results)
    report["total_s"] = round(time.monotonic() - t0, 1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(report, indent=2)
    (out / f"{stamp}.json").write_text(text)
    (out / "latest.json").write_text(text)
    print(f"\nresults: {out / (stamp + '.json')} ({report['total_s']} s)")
    print(summary_table(report))
    lost = sum(len(r.get("verification", {}).get("lost", [])) for r in results)
    failed = [r["name"] for r in results if "failed" in r]
    return 1 if lost or failed else 0


def summary_table(report: dict) -> str:
    rows = ["| run | candidates | pace | acked/s | p50 ms | p95 ms | p99 ms | max ms | "
            "errors | lost | server CPU | loadgen CPU | postgres CPU | other CPU | "
            "server+pg CPU ms/answer |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["runs"]:
        if "failed" in r:
            rows.append(f"| {r['name']} | failed | | | | | | | | | | | | | |")
            continue
        lat, cpu, wall = r["latency_ms"], r["cpu"], r["cpu"]["wall_s"] or 1
        pace = "closed loop" if not r["interval_s"] else f"every {r['interval_s']:g} s"
        lost = len(r["verification"]["lost"]) if "verification" in r else "n/a"
        errs = sum(r["errors"].values()) + sum(r["connect_failures"].values())
        done = r["acked_in_window"]
        per_answer = (round(1000 * (cpu["server_cpu_s"] + cpu["postgres_cpu_s"]) / done, 2)
                      if done else None)
        rows.append(
            f"| {r['name']} | {r['connected']}/{r['candidates']} | {pace} | "
            f"{r['answers_per_s']} | {lat['p50']} | {lat['p95']} | {lat['p99']} | "
            f"{lat['max']} | {errs} | {lost} | {cpu['server_cpu_s'] / wall:.0%} | "
            f"{cpu['loadgen_cpu_s'] / wall:.0%} | {cpu['postgres_cpu_s'] / wall:.0%} | "
            f"{cpu['other_cpu_s'] / wall:.0%} | {per_answer} |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
