"""What signing a checkpoint costs the server at the end of a big exam (issue 5).

    .venv/bin/python bench/checkpoint_bench.py [--events 2230005] [--checkpoints 20]

The server signs a tree head every five minutes and proves it consistent with every
earlier checkpoint; all of it runs on the event loop, where every socket waits for it. This
times the tree work for the last checkpoint of a 100-minute exam of 10,000 candidates ×
110 questions × 2 answer events (bench/verify_bench.py's bundle): the previous way (a root
and each proof from the list of leaf hashes) against `merkle.MerkleTree` (stored subtree
roots), and the tree's longest step between two pauses while it catches up on the events
of the last five minutes (transparency.CATCH_UP_ROWS leaves; the database read of those
rows is not in these figures).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exam_engine.core import merkle  # noqa: E402
from exam_engine.services.transparency import CATCH_UP_ROWS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2_230_005)
    ap.add_argument("--checkpoints", type=int, default=20)
    args = ap.parse_args()
    n, k = args.events, args.checkpoints
    leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]
    earlier = [n * (i + 1) // (k + 1) for i in range(k)]
    last_increment = n - earlier[-1]

    t = time.perf_counter()
    head = merkle.root_from_hashes(leaves)
    old_proofs = [merkle.consistency_proof(leaves, m, n) for m in earlier]
    list_s = time.perf_counter() - t

    tree = merkle.MerkleTree()
    tree.extend(leaves[:earlier[-1]])
    steps = []
    t = time.perf_counter()
    for lo in range(earlier[-1], n, CATCH_UP_ROWS):
        s = time.perf_counter()
        for h in leaves[lo:lo + CATCH_UP_ROWS]:
            tree.append(merkle.leaf_hash(h))   # the leaf hash of an event, then the tree
        steps.append(time.perf_counter() - s)
    catch_up_s = time.perf_counter() - t
    tree = merkle.MerkleTree()
    tree.extend(leaves)
    t = time.perf_counter()
    assert tree.root() == head
    new_proofs = [tree.consistency_proof(m, n) for m in earlier]
    tree_s = time.perf_counter() - t
    assert new_proofs == old_proofs

    print(f"{n:,} events, {k} earlier checkpoints, the last five minutes: "
          f"{last_increment:,} events")
    print(f"list of leaf hashes: root + {k} consistency proofs  {list_s * 1000:10.1f} ms "
          "(one step, the event loop blocked throughout)")
    print(f"MerkleTree:          root + {k} consistency proofs  {tree_s * 1000:10.3f} ms")
    print(f"MerkleTree: catching up {last_increment:,} events      {catch_up_s * 1000:10.1f} ms "
          f"in {len(steps)} steps, the longest {max(steps) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
