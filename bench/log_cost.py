"""What the event log costs on the answer path (issue 5 target: ack p99 under 15% more).

    .venv/bin/python bench/log_cost.py [--candidates 1000] [--duration 60]

The same paced load (each candidate answers every 10 s) against two fresh servers: one as
shipped, one with EXAM_BENCH_NO_LOG=1, which stores answers in the cache table without
their events (measurement only; such a server's results cannot be verified).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import register  # noqa: E402
from tests.e2e.server import ServerProcess  # noqa: E402


def one(mode: str, n: int, duration: int, tmp: Path) -> dict:
    env = {"EXAM_BENCH_NO_LOG": "1"} if mode == "without log" else {}
    work = tmp / mode.replace(" ", "-")
    work.mkdir()
    server = ServerProcess(work, "gevent", extra_env=env).start(60)
    try:
        exam, creds = register(server, n)
        creds_file = work / "creds.json"
        creds_file.write_text(json.dumps({"exam": exam, "credentials": creds}))
        out = work / "result.json"
        subprocess.run([sys.executable, "bench/loadgen.py", "--url", server.url, "--creds",
                        str(creds_file), "--candidates", str(n), "--interval", "10",
                        "--duration", str(duration), "--watch-pid", str(server.proc.pid),
                        "--json-out", str(out)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = {mode: one(mode, args.candidates, args.duration, Path(tmp))
                for mode in ("without log", "with log")}
    for mode, r in rows.items():
        lat = r["latency_ms"]
        print(f"{mode:12} {r['answers_per_s']:6} answers/s  p50 {lat['p50']} ms  "
              f"p99 {lat['p99']} ms  server CPU {r['cpu']['server_cpu_s']} s")
        # Where the slowest 1 % were sent: one second holding most of them is a stall.
        seconds = Counter(int(a["sent_s"]) for a in r["slowest_acks"])
        print("    slowest 1 % sent at second (count): " + ", ".join(
            f"{sec} ({n})" for sec, n in sorted(seconds.items())))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = ROOT / "bench" / "results" / f"log_cost-{stamp}.json"
    out.write_text(json.dumps(rows, indent=1))
    a, b = rows["without log"]["latency_ms"]["p99"], rows["with log"]["latency_ms"]["p99"]
    print(f"the log adds {(b / a - 1) * 100:+.0f}% to the ack p99 at {args.candidates} candidates")


if __name__ == "__main__":
    main()
