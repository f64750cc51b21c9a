"""Every check of a bundle: numbering, chain, tree, signatures, proofs, commitment, forms,
the attempt's rules, scores, corrections, ranks, published results, receipts.

One streaming pass over the events (a bundle can hold millions), then the checks that
need the revealed rules. Each mismatch names the candidate (by pseudonym) and the event.
"""
from __future__ import annotations

import gc
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from hashlib import sha256

from exam_engine.audit import bundlefile
from exam_engine.audit.bundlefile import Unreadable
from exam_engine.core import attempt as fold
from exam_engine.core import chain, ed25519, merkle, randomization, scoring
from exam_engine.core.checkpoints import (
    commitment,
    decode_receipt,
    receipt_leaf,
    tree_head_bytes,
)
from exam_engine.core.ledger import event_bytes
from exam_engine.core.rules import ExamRules, ItemKey, PassRule, SectionRule

__all__ = ["Report", "Unreadable", "load", "verify", "rules_of"]
ATTEMPT_KINDS = {"created", "answered", "flagged", "extended", "paused", "resumed", "ended",
                 "scored", "rescored"}


def load(path: str) -> tuple[str, dict]:
    """The bundle's path and header (events are streamed later)."""
    return path, bundlefile.read_header(path)


@dataclass
class Report:
    exam: str
    events: int = 0
    checkpoints: int = 0
    attempts: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.mismatches

    def add(self, text: str) -> None:
        self.mismatches.append(text)

    def verdict(self) -> str:
        what = (f"exam {self.exam}: {self.events} events, {self.checkpoints} checkpoints, "
                f"{self.attempts} attempts re-scored")
        if self.clean:
            return f"VERIFIED: {what}; every published result matches"
        return f"MISMATCH: {len(self.mismatches)} problem(s) found; {what}"


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


def verify(bundle: tuple[str, dict], receipt: str | None = None) -> Report:
    """Run every check; never stops at the first problem."""
    path, header = bundle
    report = Report(header["exam"], checkpoints=len(header["checkpoints"]))
    # Millions of small live objects and no cycles to free: without this the collector
    # rescans them all, again and again, and the pass slows down as the log grows.
    gc.disable()
    try:
        log = _pass(path, header, report)
    finally:
        gc.enable()
    gc.freeze()
    report.events = log.size
    _check_checkpoints(header, log, report)
    material = _check_reveal(log, report)
    for attempt, state in log.states.items():
        for seq, problem in state.problems:
            report.add(f"{_where(seq, log.owners, attempt)}: {problem}")
    if material is not None:
        _check_forms(material, log, report)
        _check_scores(header, material, log, report)
    if receipt:
        _check_receipt(header, receipt, log, report)
    return report


def _where(seq: int, owners: dict, attempt) -> str:
    return f"candidate {owners.get(attempt, '?')}, event #{seq}"


def _pass(path: str, header: dict, report: Report) -> Log:
    """Numbering, every chain link, leaf hashes and roots, and each attempt's fold."""
    log = Log()
    sizes = {c["size"] for c in header["checkpoints"]}
    tree = merkle.MerkleLog()
    prev, expected = chain.GENESIS, 1
    for seq, kind, attempt, at, payload, link in bundlefile.events(path):
        if seq != expected:
            report.add(f"events #{expected}..#{seq - 1} are missing before "
                       f"{_where(seq, log.owners, attempt)} ({kind})")
        expected = seq + 1
        data = event_bytes(seq, kind, attempt, at, payload)
        if sha256(prev + sha256(data).digest()).hexdigest() != link:
            report.add(f"{_where(seq, log.owners, attempt)} ({kind}): its chain link does "
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


def _check_checkpoints(header: dict, log: Log, report: Report) -> None:
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


def _check_reveal(log: Log, report: Report) -> dict | None:
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


# -- forms ----------------------------------------------------------------------------------

_plans: tuple | None = None


def _init_forms(plans) -> None:
    global _plans
    _plans = plans


def _forms_of(seeds: list[str]) -> list[list[tuple[str, str, list[str]]]]:
    plans, options, shuffle_q, shuffle_o, fixed = _plans
    return [randomization.build_form(seed, plans, options, shuffle_q, shuffle_o, fixed)
            for seed in seeds]


def _plans_of(material: dict) -> tuple:
    defn = material["definition"]
    pools = {(bank, cat): entries for bank, p in material["pools"].items()
             for cat, entries in p["categories"].items()}
    plans, options, fixed = [], {}, set()
    for sec in defn["sections"]:
        draws = []
        for d in sec["draw"]:
            entries = pools.get((d["bank"], d["category"]), [])
            for e in entries:
                options[e["id"]] = e["options"]
                if e["type"] == "true_false":
                    fixed.add(e["id"])
            draws.append(randomization.Draw(tuple(e["id"] for e in entries), d["count"]))
        plans.append(randomization.SectionPlan(sec["code"], tuple(draws)))
    return (tuple(plans), options, defn["shuffle_questions"], defn["shuffle_options"],
            frozenset(fixed))


def _check_forms(material: dict, log: Log, report: Report) -> None:
    """Every form regenerated from its seed by the documented rule (on every core)."""
    plans = _plans_of(material)
    attempts = list(log.states)
    seeds = [log.states[a].seed for a in attempts]
    workers = min(os.cpu_count() or 1, 8)
    if len(seeds) < 200 or workers == 1:
        _init_forms(plans)
        forms = _forms_of(seeds)
    else:
        chunks = [seeds[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(workers, initializer=_init_forms, initargs=(plans,)) as pool:
            parts = list(pool.map(_forms_of, chunks))
        forms = [None] * len(seeds)
        for w, part in enumerate(parts):
            forms[w::workers] = part
    for attempt, form in zip(attempts, forms, strict=True):
        recorded = [(f["section"], f["question"], list(f["options"]))
                    for f in log.states[attempt].form]
        if [tuple(x) for x in form] != recorded:
            report.add(f"{_where(log.created_seq[attempt], log.owners, attempt)} (created): "
                       "the form does not follow from its seed")


# -- scores ---------------------------------------------------------------------------------

def rules_of(defn: dict) -> ExamRules:
    """The scoring rules of a revealed exam definition."""
    sections = []
    for sec in defn["sections"]:
        sc = sec["scoring"]
        weighted = sc == "weighted"
        sections.append(SectionRule(
            code=sec["code"], title=sec.get("title", sec["code"]), weighted=weighted,
            correct=0 if weighted else sc["correct"], wrong=0 if weighted else sc["wrong"],
            blank=0 if weighted else sc["blank"], partial=False if weighted else sc["partial"],
            pass_mark=sec.get("pass_mark")))
    rule = defn["pass_rule"]
    pass_rule = PassRule() if rule == "every_section" else PassRule(
        every_section=False, total=rule.get("total"), minimums=dict(rule.get("min") or {}))
    return ExamRules(tuple(sections), pass_rule, tuple(defn["tie_break"]))


def _keys(material: dict, corrections: list[tuple[int, dict]], upto: int | None
          ) -> dict[tuple[str, str], ItemKey]:
    """(question, section) -> its key, with corrections up to id `upto` applied."""
    entries = {e["id"]: dict(e) for p in material["pools"].values()
               for cat in p["categories"].values() for e in cat}
    for _seq, c in corrections:
        if upto is not None and c["correction"] > upto:
            break
        if c["question"] in entries:
            entries[c["question"]].update({k: c[k] for k in ("key", "points") if k in c})
    sections = {d["category"]: s["code"] for s in material["definition"]["sections"]
                for d in s["draw"]}
    out = {}
    for e in entries.values():
        for section in set(sections.values()):
            out[(e["id"], section)] = ItemKey(
                question=e["id"], section=section, type=e["type"], options=tuple(e["options"]),
                key=frozenset(e.get("key", ())), points=dict(e.get("points", {})))
    return out


def _score_all(rules: ExamRules, keys: dict, states: list) -> list:
    forms = [[keys[(f["question"], f["section"])] for f in s.form] for s in states]
    return scoring.score_batch(rules, forms, [s.answers for s in states]) if states else []


def _compare(report: Report, where: str, got: dict, score) -> None:
    want = {"sections": {k: scoring.exact(v) for k, v in score.sections.items()},
            "total": scoring.exact(score.total), "passed": score.passed}
    for k, v in want.items():
        if got.get(k) != v:
            report.add(f"{where}: recorded {k} {got.get(k)!r}, re-scored from the logged "
                       f"answers {v!r}")


def _check_scores(header: dict, material: dict, log: Log, report: Report) -> None:
    rules = rules_of(material["definition"])
    for seq, c in log.corrections:
        if not c.get("approved_by") or c.get("approved_by") == c.get("requested_by"):
            report.add(f"event #{seq} (corrected): not approved by a second admin")
    ended = [s for s in log.states.values() if s.scored is not None]
    report.attempts = len(ended)
    original = _score_all(rules, _keys(material, [], None), ended)
    for state, score in zip(ended, original, strict=True):
        _compare(report, f"candidate {state.candidate}, event #{state.scored_seq} (scored)",
                 state.scored, score)
    for seq, payload, state in [(seq, p, st) for st in ended for seq, p in st.rescored]:
        keys = _keys(material, log.corrections, payload.get("correction"))
        [score] = _score_all(rules, keys, [state])
        _compare(report, f"candidate {state.candidate}, event #{seq} (rescored)", payload,
                 score)
    final = (_score_all(rules, _keys(material, log.corrections, None), ended)
             if log.corrections else original)
    derived = {st.candidate: sc for st, sc in zip(ended, final, strict=True)}
    ranks = scoring.rank(list(derived.items()), rules.tie_break)
    published = {r["candidate"]: r for r in header["results"]}
    for cand, score in derived.items():
        row = published.get(cand)
        if row is None:
            report.add(f"candidate {cand}: scored in the log but absent from the results")
            continue
        want = {"total": scoring.public_number(score.total), "passed": score.passed,
                "rank": ranks[cand],
                "sections": {k: scoring.public_number(v) for k, v in score.sections.items()}}
        for k, v in want.items():
            if row.get(k) != v:
                report.add(f"candidate {cand}: published {k} {row.get(k)!r}, "
                           f"re-derived {v!r}")
    for cand, row in published.items():
        if row.get("total") is not None and cand not in derived:
            report.add(f"candidate {cand}: a published score with no scored attempt in the log")


def _check_receipt(header: dict, code: str, log: Log, report: Report) -> None:
    receipt = decode_receipt(code)
    if receipt is None or receipt.get("exam") != header["exam"]:
        report.add("the receipt cannot be read, or is for another exam")
        return
    index = receipt["seq"] - 1
    if not 0 <= index < log.size or merkle.leaf_hash(receipt_leaf(receipt)) != log.leaf(index):
        report.add(f"receipt for event #{receipt['seq']}: it does not match the logged score")
        return
    last = max(header["checkpoints"], key=lambda c: c["size"], default=None)
    if last is None or last["size"] <= index:
        report.add("the receipt's event is covered by no checkpoint")
        return
    proof = merkle.inclusion_proof(log.leaf_list(last["size"]), index, last["size"])
    if not merkle.verify_inclusion(log.leaf(index), index, last["size"], proof,
                                   bytes.fromhex(last["root"])):
        report.add("the receipt's event is not included in the last checkpoint")
