"""In-process costs of steps the socket benches showed on the event loop (issues 2 and 3).

    .venv/bin/python bench/inprocess.py submit [--candidates 400] [--batch 50]
    .venv/bin/python bench/inprocess.py tick [--candidates 1000] [--touched 50]
    .venv/bin/python bench/inprocess.py answers [--candidates 100] [--batch 48] [--rounds 300]

`submit`: candidates who started and answered 6 questions submit, a quarter one by one
(`attempts.submit`, as a lone submission does) and a quarter in writer batches of `--batch`
(`writer.apply_requests`); milliseconds per submission of each.

`tick`: the live publisher's tick for one watched exam of `--candidates` candidates, after
`--touched` of them answered since the last tick; milliseconds per tick over 20 ticks.

`answers`: the writer's transaction for a batch of `--batch` answers, each from another
candidate (`writer.apply_requests`, as the group-commit writer runs it); milliseconds per
batch over `--rounds` batches, after 20 to warm up.

All on a fresh SQLite file (or EXAM_TEST_DATABASE_URL), no sockets: the figures price the
work itself, which on the server holds the event loop.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _ready(n: int, scoreboard: dict | None = None):
    from config import TestConfig
    from exam_engine import create_app
    from exam_engine.services import attempts, auth, presence
    from tests.conftest import ExamActions, small_exam

    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("EXAM_INSTANCE_PATH", str(tmp / "instance"))
    url = os.environ.get("EXAM_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    if not url.startswith("sqlite"):
        from exam_engine.extensions import make_engine
        from exam_engine.models import Base

        engine = make_engine(url)
        Base.metadata.drop_all(engine)
        engine.dispose()
    app = create_app(TestConfig(database_url=url))
    actions = ExamActions(app, app.test_client())
    exam = small_exam()
    if scoreboard:
        exam["scoreboard"] = scoreboard
    code, creds = actions.ready_exam(n=n, exam=exam)
    ctx = app.app_context()
    ctx.push()
    presence.heartbeat()
    whos = [auth.tokens.candidate(actions.login(code, c)) for c in creds]
    forms = [attempts.start(who) for who in whos]
    return whos, forms


def submit_cost(n: int, batch: int) -> None:
    from exam_engine.services import attempts, ending, writer
    from exam_engine.services.answers import AnswerRequest

    whos, forms = _ready(n)
    for who, form in zip(whos, forms, strict=True):
        writer.apply_requests([AnswerRequest(who, q["id"], q["options"][0]["key"], seq)
                               for seq, q in enumerate(form["questions"][:6], start=1)])
    quarter = n // 4
    warm, alone, batched = whos[:quarter], whos[quarter:2 * quarter], whos[2 * quarter:]
    for who in warm:                            # caches and the database's pages
        attempts.submit(who)
    started = time.perf_counter()
    for who in alone:
        attempts.submit(who)
    one = (time.perf_counter() - started) / len(alone) * 1000
    started = time.perf_counter()
    for i in range(0, len(batched), batch):
        outcomes = writer.apply_requests([ending.SubmitRequest(w)
                                          for w in batched[i:i + batch]])
        assert all(isinstance(o, ending.Finished) for o in outcomes), outcomes
    many = (time.perf_counter() - started) / len(batched) * 1000
    print(f"submission: {one:.2f} ms one by one ({len(alone)}), {many:.2f} ms each in "
          f"batches of {batch} ({len(batched)})")


def tick_cost(n: int, touched: int) -> None:
    from exam_engine.services import live, writer
    from exam_engine.services.answers import AnswerRequest

    whos, forms = _ready(n, {"public": True, "names": "masked", "mode": "on_submit"})
    live.note_watchers({whos[0].exam_id})
    publisher = live.Publisher()
    publisher.tick()
    times = []
    for rnd in range(20):
        for i in range(touched):
            k = (rnd * touched + i) % n
            q = forms[k]["questions"][0]
            writer.apply_requests([AnswerRequest(whos[k], q["id"],
                                                 q["options"][rnd % 5]["key"], rnd + 1)])
        started = time.perf_counter()
        publisher.tick()
        times.append((time.perf_counter() - started) * 1000)
    print(f"tick with {touched} of {n} candidates touched: median "
          f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms "
          f"({', '.join(f'{t:.1f}' for t in times)})")


def answers_cost(n: int, batch: int, rounds: int) -> None:
    from exam_engine.services import writer
    from exam_engine.services.answers import AnswerRequest

    whos, forms = _ready(n)
    times, cpu = [], []
    for rnd in range(rounds + 20):
        reqs = []
        for i in range(batch):
            k = (rnd * batch + i) % n
            q = forms[k]["questions"][rnd % len(forms[k]["questions"])]
            reqs.append(AnswerRequest(whos[k], q["id"], q["options"][rnd % 3]["key"],
                                      rnd + 1))
        started, started_cpu = time.perf_counter(), time.process_time()
        outcomes = writer.apply_requests(reqs)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert all(isinstance(o, dict) for o in outcomes), outcomes
    times, cpu = times[20:], cpu[20:]
    print(f"batch of {batch} answers: median {statistics.median(times):.2f} ms, "
          f"mean {statistics.mean(times):.2f} ms; this process's CPU: mean "
          f"{statistics.mean(cpu):.2f} ms ({rounds} batches)")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("submit")
    s.add_argument("--candidates", type=int, default=400)
    s.add_argument("--batch", type=int, default=50)
    t = sub.add_parser("tick")
    t.add_argument("--candidates", type=int, default=1000)
    t.add_argument("--touched", type=int, default=50)
    a = sub.add_parser("answers")
    a.add_argument("--candidates", type=int, default=100)
    a.add_argument("--batch", type=int, default=48)
    a.add_argument("--rounds", type=int, default=300)
    args = ap.parse_args()
    if args.what == "submit":
        submit_cost(args.candidates, args.batch)
    elif args.what == "tick":
        tick_cost(args.candidates, args.touched)
    else:
        answers_cost(args.candidates, args.batch, args.rounds)


if __name__ == "__main__":
    main()
