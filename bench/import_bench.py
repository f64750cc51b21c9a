"""Import a 50,000-question CSV and GIFT file: seconds and peak memory (issue 4 target:
under 10 s and 500 MB each).

    .venv/bin/python bench/import_bench.py [--questions 50000] [--database URL]

Each run is a fresh process (so peak RSS is that import's own), going through the same
path as `flask --app wsgi bank import`: parse the upload, validate, store one revision.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_csv(n: int) -> bytes:
    lines = ["category,type,text,option_a,option_b,option_c,option_d,option_e,key,points"]
    for i in range(n):
        if i % 3 == 2:
            lines.append(f"TKP,weighted,Situasi kerja nomor {i} apa yang Anda lakukan?,"
                         "Diam,Bertanya,Membantu,Memimpin,Menghindar,,3;4;5;2;1")
        else:
            cat = "TWK" if i % 3 == 0 else "TIU"
            lines.append(f"{cat},single,Berapakah {i} + {i % 97}?,{i},{i + 1},"
                         f"{i + i % 97},{i + 2},{i + 3},C,")
    return ("\n".join(lines) + "\n").encode()


def make_gift(n: int) -> bytes:
    out = []
    for i in range(n):
        if i % 3 == 2:
            out.append(f"$CATEGORY: TKP\n::tkp-{i}:: Situasi {i}: apa yang Anda lakukan? "
                       "{~%60%Diam ~%80%Bertanya ~%100%Membantu ~%40%Memimpin ~%20%Menghindar}\n")
        else:
            cat = "TWK" if i % 3 == 0 else "TIU"
            out.append(f"$CATEGORY: {cat}\n::{cat.lower()}-{i}:: Berapakah {i} + {i % 97}? "
                       f"{{={i + i % 97} ~{i} ~{i + 1} ~{i + 2} ~{i + 3}}}\n")
    return "\n".join(out).encode()


def child(path: str, url: str) -> None:
    os.environ["EXAM_DATABASE_URL"] = url
    from config import Config
    from exam_engine import create_app
    from exam_engine.services import banks
    from question_bank.importers import parse_upload

    create_app(Config())
    start = time.perf_counter()
    data = Path(path).read_bytes()
    parsed, media = parse_upload(data, Path(path).name)
    parsed_at = time.perf_counter()
    out = banks.import_bank(parsed, Path(path).name, media_files=media)
    done = time.perf_counter()
    print(json.dumps({"imported": out["imported"], "problems": len(parsed.problems),
                      "parse_s": round(parsed_at - start, 2),
                      "store_s": round(done - parsed_at, 2),
                      "total_s": round(done - start, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                           / 1024, 1)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=50_000)
    ap.add_argument("--database", action="append",
                    help="SQLAlchemy URL (repeatable); default: a fresh SQLite file")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = {"csv": Path(tmp) / "bank-50k.csv", "gift": Path(tmp) / "bank-50k.gift"}
        files["csv"].write_bytes(make_csv(args.questions))
        files["gift"].write_bytes(make_gift(args.questions))
        for url in args.database or [None]:
            for fmt, path in files.items():
                db_url = url or f"sqlite:///{tmp}/{fmt}.sqlite3"
                if db_url.startswith("postgresql"):
                    reset(db_url)
                env = {**os.environ, "EXAM_INSTANCE_PATH": f"{tmp}/instance"}
                proc = subprocess.run([sys.executable, __file__, "--child", str(path), db_url],
                                      cwd=ROOT, env=env, capture_output=True, text=True)
                if proc.returncode:
                    print(proc.stderr[-2000:])
                    raise SystemExit(1)
                result = json.loads(proc.stdout.strip().splitlines()[-1])
                kind = "postgresql" if db_url.startswith("postgresql") else "sqlite"
                print(f"{fmt:5} {kind:10} {path.stat().st_size / 1e6:6.1f} MB file  "
                      f"{result['imported']:6d} questions  parse {result['parse_s']:5.2f} s  "
                      f"store {result['store_s']:5.2f} s  total {result['total_s']:5.2f} s  "
                      f"peak RSS {result['peak_rss_mb']:6.1f} MB")


def reset(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    from exam_engine.extensions import make_engine
    from exam_engine.models import Base

    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    engine.dispose()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
