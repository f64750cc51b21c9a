"""Checks of the log itself: numbering, chain links, leaves and roots, signatures,
consistency proofs and the rules commitment, in one streaming pass over the events."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from hashlib import sha256

from exam_engine.audit import bundlefile
from exam_engine.audit.report import Report
from exam_engine.core import attempt as fold
from exam_engine.core import chain, ed25519, merkle
from exam_engine.core.checkpoints import commitment, tree_head_bytes
from exam_engine.core.ledger import event_bytes

ATTEMPT_KINDS = {"created", "answered", "flagged", "extended", "paused", "resumed", "ended",
                 "scored", "rescored"}


@dataclass
class Log:
    """What one pass over the events leaves behind."""

    leaves: bytearray = field(default_factory=bytearray)     # 32 bytes per event
    roots: dict[int, str] = field(default_factory=dict)       # checkpoint size -> root
    owners: dict[int, str] = field(default_factory=dict)      # attempt -> pseudonym
    states: dict[int, fold.AttemptState] = field(default_factory=dict)
    created_seq: dict[int, int] = field(default_factory=dict)
    committed: list[tuple[int, dict]] = field(default_factory=list)
    revealed: list[tuple[int, dict]] = field(default_factory=list)
    corrections: list[tuple[int, dict]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.leaves) // 32

    def leaf(self, index: int) -> bytes:
        return bytes(self.leaves[index * 32:(index + 1) * 32])

    def leaf_list(self, upto: int) -> list[bytes]:
        return [self.leaf(i) for i in range(upto)]


def where(seq: int, owners: dict, attempt) -> str:
    return f"candidate {owners.get(attempt, '?')}, event #{seq}"


def read_log(path: str, header: dict, report: Report) -> Log:
    """Numbering, every chain link, leaf hashes and roots, and each attempt's fold."""
    log = Log()
    sizes = {c["size"] for c in header["checkpoints"]}
    tree = merkle.MerkleLog()
    prev, expected = chain.GENESIS, 1
    for seq, kind, attempt, at, payload, link in bundlefile.events(path):
        if seq != expected:
            report.add(f"events #{expected}..#{seq - 1} are missing before "
                       f"{where(seq, log.owners, attempt)} ({kind})")
        expected = seq + 1
        data = event_bytes(seq, kind, attempt, at, payload)
        if sha256(prev + sha256(data).digest()).hexdigest() != link:
            report.add(f"{where(seq, log.owners, attempt)} ({kind}): its chain link does "
                       "not match; the event was changed, or one before it removed")
        prev = bytes.fromhex(link)
        leaf = sha256(b"\x00" + data).digest()
        log.leaves += leaf
        tree.append(leaf)
        if tree.size in sizes:
            log.roots[tree.size] = tree.root().hex()
        if kind in ATTEMPT_KINDS and attempt is not None:
            _fold(log, seq, kind, attempt, at, payload)
        elif kind == "committed":
            log.committed.append((seq, json.loads(payload)))
        elif kind == "revealed":
            log.revealed.append((seq, json.loads(payload)))
        elif kind == "corrected":
            log.corrections.append((seq, json.loads(payload)))
    return log


def _fold(log: Log, seq: int, kind: str, attempt: int, at: int, payload: str) -> None:
    data = json.loads(payload)
    if kind == "created":
        log.owners[attempt] = data.get("candidate", "?")
        log.created_seq[attempt] = seq
        # Kept for the whole run: compact tuples of interned strings.
        data["form"] = [{"section": sys.intern(f["section"]), "question": sys.intern(
            f["question"]), "options": tuple(sys.intern(o) for o in f["options"])}
            for f in data["form"]]
        log.states[attempt] = fold.start(seq, data)
    elif attempt in log.states:
        fold.apply(log.states[attempt], seq, kind, data, at)


def check_checkpoints(header: dict, log: Log, report: Report) -> None:
    key = bytes.fromhex(header["public_key"])
    by_size = {c["size"]: c for c in header["checkpoints"]}
    for c in header["checkpoints"]:
        size, name = c["size"], f"checkpoint of size {c['size']}"
        head = tree_head_bytes(header["exam"], size, c["root"], c["time"])
        if not ed25519.verify(key, head, bytes.fromhex(c["signature"])):
            report.add(f"{name}: the signature does not verify with the published key")
        if size > log.size:
            report.add(f"{name}: the log was truncated: it holds {log.size} events")
        elif log.roots.get(size) != c["root"]:
            report.add(f"{name}: its root does not match the log's first {size} events")
        for p in c.get("consistency", []):
            old = by_size.get(p["from"])
            proof = [bytes.fromhex(h) for h in p["proof"]]
            if old is None or not merkle.verify_consistency(
                    old["size"], size, bytes.fromhex(old["root"]), bytes.fromhex(c["root"]),
                    proof):
                report.add(f"{name}: not consistent with checkpoint of size {p['from']}")
    last = max(by_size, default=0)
    if last < log.size:
        report.add(f"events after #{last} are covered by no checkpoint")


def check_reveal(log: Log, report: Report) -> dict | None:
    if not log.committed:
        report.add("the log holds no rules commitment")
        return None
    if not log.revealed:
        report.add("the rules have not been revealed yet: scores cannot be re-derived")
        return None
    (cseq, c), (rseq, r) = log.committed[0], log.revealed[-1]
    if commitment(r["material"], r["nonce"]) != c["commitment"]:
        report.add(f"event #{rseq} (revealed): the revealed rules do not match the commitment "
                   f"published at event #{cseq}")
    return r["material"]


