"""Verify a bundle of N candidates x 110 questions with 2 answer events per question
(issue 5 target: 10,000 candidates in under 60 s and 2 GB).

    .venv/bin/python bench/verify_bench.py [--candidates 10000] [--keep PATH]

The bundle is built directly with the pure core (what the server would have logged: the
SKD demo exam, forms from seeds, answers, scores, chain, signed checkpoints with
consistency proofs, the reveal), then `python -m exam_engine.audit verify` runs on it in
a child process whose wall time and peak RSS are reported.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exam_engine.audit import bundlefile  # noqa: E402
from exam_engine.audit.verify import rules_of  # noqa: E402
from exam_engine.core import chain, ed25519, merkle, randomization, scoring  # noqa: E402
from exam_engine.core.canonical import canonical_json  # noqa: E402
from exam_engine.core.checkpoints import commitment, tree_head_bytes  # noqa: E402
from exam_engine.core.ledger import event_bytes  # noqa: E402
from exam_engine.core.rules import ItemKey  # noqa: E402


def build(n: int, path: Path) -> dict:
    from exam_engine.demo import SKD_EXAM, synthetic_bank
    from question_bank.exam_definition import parse_exam_definition

    defn, problems = parse_exam_definition(None, None, obj=SKD_EXAM)
    assert not problems
    bank = synthetic_bank()
    pools: dict = {}
    for q in bank.questions:
        entry = {"id": q.id, "type": q.type, "options": [o.key for o in q.options]}
        if q.type == "weighted":
            entry["points"] = {o.key: o.points for o in q.options}
        else:
            entry["key"] = sorted(q.key)
        pools.setdefault(q.category, []).append(entry)
    material = {"scorer": scoring.SCORER_VERSION, "definition": defn.to_dict(),
                "pools": {"skd-demo": {"revision": 1, "categories": pools}}}
    nonce = "ab" * 32
    rules = rules_of(material["definition"])
    entries = {e["id"]: e for cat in pools.values() for e in cat}
    plans = [randomization.SectionPlan(sec.code, tuple(
        randomization.Draw(tuple(e["id"] for e in pools[d.category]), d.count)
        for d in sec.draws)) for sec in defn.sections]
    options = {e["id"]: e["options"] for e in entries.values()}

    secret = hashlib.sha256(b"bench-key").digest()
    events: list[list] = []
    link = chain.GENESIS
    leaves: list[bytes] = []
    t = 1_790_000_000_000

    def log(kind: str, payload: dict, attempt: int | None = None) -> int:
        nonlocal link, t
        t += 7
        seq = len(events) + 1
        text = canonical_json(payload)
        data = event_bytes(seq, kind, attempt, t, text)
        link = chain.chain_next(link, data)
        leaves.append(merkle.leaf_hash(data))
        events.append([seq, kind, attempt, t, text, link.hex()])
        return seq

    log("exam_created", {"exam": defn.code, "by": "bench"})
    log("exam_opened", {"exam": defn.code, "by": "bench", "revisions": {"skd-demo": 1}})
    log("committed", {"commitment": commitment(material, nonce),
                      "scorer": scoring.SCORER_VERSION})
    rnd = random.Random(2026)
    forms, sheets, owners, attempt_ids = [], [], [], []
    for i in range(1, n + 1):
        seed = hashlib.sha256(f"seed-{i}".encode()).hexdigest()
        form = randomization.build_form(seed, plans, options, True, True)
        cand = f"c-{i:020d}"
        log("created", {"attempt": i, "candidate": cand, "seed": seed, "started": t,
                        "duration_minutes": 100, "extra_minutes": 0, "revisions":
                        {"skd-demo": 1}, "form": [{"section": s, "question": q,
                                                  "bank": "skd-demo", "revision": 1,
                                                  "options": o} for s, q, o in form]}, i)
        answers, seq = {}, 0
        for _, q, opts in form:
            for _ in range(2):                 # a first choice, then the final one
                seq += 1
                choice = rnd.choice(opts)
                log("answered", {"attempt": i, "question": q, "choice": choice, "seq": seq,
                                 "at": t}, i)
                answers[q] = choice
        forms.append([ItemKey(q, s, entries[q]["type"], tuple(entries[q]["options"]),
                              frozenset(entries[q].get("key", ())),
                              dict(entries[q].get("points", {}))) for s, q, _ in form])
        sheets.append(answers)
        owners.append(cand)
        attempt_ids.append(i)
        log("ended", {"attempt": i, "reason": "submitted", "at": t}, i)
        log("scored", {"attempt": i}, i)       # its marks are filled in below, then re-chained
    scores = scoring.score_batch(rules, forms, sheets)
    # Rewrite each scored event with its real marks (then re-chain everything after).
    by_attempt = {}
    for k, ev in enumerate(events):
        if ev[1] == "scored":
            by_attempt[ev[2]] = k
    for i, sc in zip(attempt_ids, scores, strict=True):
        k = by_attempt[i]
        events[k][4] = canonical_json({
            "attempt": i, "scorer": scoring.SCORER_VERSION,
            "sections": {c: scoring.exact(v) for c, v in sc.sections.items()},
            "total": scoring.exact(sc.total), "passed": sc.passed, "salt": "00" * 16})
    link = chain.GENESIS
    for k, ev in enumerate(events):
        data = event_bytes(*ev[:5])
        link = chain.chain_next(link, data)
        ev[5] = link.hex()
        leaves[k] = merkle.leaf_hash(data)
    t += 1000
    log("exam_closed", {"exam": defn.code, "by": "bench"})
    log("revealed", {"material": material, "nonce": nonce})

    sizes = sorted({len(leaves) * k // 4 for k in (1, 2, 3)} | {len(leaves)})
    checkpoints = []
    for size in sizes:
        root = merkle.root_from_hashes(leaves[:size]).hex()
        sig = ed25519.sign(secret, tree_head_bytes(defn.code, size, root, t)).hex()
        checkpoints.append({"exam": defn.code, "size": size, "root": root, "time": t,
                            "signature": sig, "consistency": [
                                {"from": c["size"], "proof": [h.hex() for h in
                                 merkle.consistency_proof(leaves, c["size"], size)]}
                                for c in checkpoints]})
    ranks = scoring.rank(list(zip(owners, scores, strict=True)), rules.tie_break)
    results = [{"candidate": c, "status": "ended",
                "sections": {k: scoring.public_number(v) for k, v in sc.sections.items()},
                "total": scoring.public_number(sc.total), "passed": sc.passed,
                "rank": ranks[c]} for c, sc in zip(owners, scores, strict=True)]
    header = {"exam": defn.code, "title": defn.title, "exported": t,
              "public_key": ed25519.public_key(secret).hex(),
              "commitment": commitment(material, nonce),
              "reveal": {"material": material, "nonce": nonce}, "checkpoints": checkpoints,
              "results": results}
    bundlefile.write(path, header, events)
    return {"events": len(events), "answered": sum(1 for e in events if e[1] == "answered"),
            "bytes": path.stat().st_size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, default=None, help="keep the bundle here")
    ap.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build_only:
        t0 = time.perf_counter()
        info = build(args.candidates, args.build_only)
        print(f"built {args.candidates} candidates: {info['events']} events "
              f"({info['answered']} answers), {info['bytes'] / 1e6:.0f} MB "
              f"in {time.perf_counter() - t0:.0f} s")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bundle.jsonl"
        # Build in its own process, so that the verifier is measured alone.
        subprocess.run([sys.executable, __file__, "--candidates", str(args.candidates),
                        "--build-only", str(path)], check=True)
        t1 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "exam_engine.audit", "verify",
                                 str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        out = proc.stdout.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t1
        print(out.strip().splitlines()[0] if out else "(no output)")
        print(f"verify: exit {os.waitstatus_to_exitcode(status)}, {wall:.1f} s wall, "
              f"{usage.ru_utime + usage.ru_stime:.1f} s CPU (both cores), "
              f"peak RSS {usage.ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
