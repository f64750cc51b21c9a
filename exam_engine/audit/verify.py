"""Every check of a bundle: signatures, chain, tree, proofs, commitment, forms, scores, ranks.

Each mismatch names the candidate (by pseudonym) and the event (#seq) where it shows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

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

FORMAT = "exam-engine-bundle/1"


class Unreadable(Exception):
    """The bundle cannot be read at all (exit status 2)."""


def load(path: str) -> dict:
    try:
        bundle = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(f"{path}: {exc}") from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise Unreadable(f"{path}: not a {FORMAT} bundle")
    for key in ("exam", "public_key", "checkpoints", "events", "results"):
        if key not in bundle:
            raise Unreadable(f"{path}: the bundle has no {key!r}")
    return bundle


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


def verify(bundle: dict, receipt: str | None = None) -> Report:
    """Run every check; never stops at the first problem."""
    report = Report(bundle["exam"], events=len(bundle["events"]),
                    checkpoints=len(bundle["checkpoints"]))
    events = bundle["events"]
    who = _attempt_owners(events)
    leaves = _check_chain(events, who, report)
    _check_checkpoints(bundle, leaves, report)
    material = _check_reveal(bundle, events, report)
    if material is not None:
        states = _replay(events, material, who, report)
        _check_scores(bundle, material, states, report)
    if receipt:
        _check_receipt(bundle, receipt, leaves, report)
    return report


def _where(seq: int, who: dict, attempt) -> str:
    return f"candidate {who.get(attempt, '?')}, event #{seq}"


def _attempt_owners(events) -> dict:
    owners = {}
    for _seq, kind, attempt, _at, payload, *_ in events:
        if kind == "created":
            owners[attempt] = json.loads(payload).get("candidate", "?")
    return owners


def _check_chain(events, who, report: Report) -> list[bytes]:
    """Numbering, the hash chain (each link checked from the recorded one before it)."""
    leaves, prev, expected_seq = [], chain.GENESIS, 1
    for seq, kind, attempt, at, payload, link, *_ in events:
        if seq != expected_seq:
            report.add(f"events #{expected_seq}..#{seq - 1} are missing before "
                       f"{_where(seq, who, attempt)} ({kind})")
        expected_seq = seq + 1
        data = event_bytes(seq, kind, attempt, at, payload)
        if chain.chain_next(prev, data).hex() != link:
            report.add(f"{_where(seq, who, attempt)} ({kind}): its chain link does not match; "
                       "the event was changed, or one before it removed")
        prev = bytes.fromhex(link)
        leaves.append(merkle.leaf_hash(data))
    return leaves


def _check_checkpoints(bundle: dict, leaves: list[bytes], report: Report) -> None:
    key = bytes.fromhex(bundle["public_key"])
    roots: dict[int, str] = {}
    log = merkle.MerkleLog()
    sizes = sorted({c["size"] for c in bundle["checkpoints"]})
    for size in sizes:
        if size > len(leaves):
            break
        log.extend(leaves[log.size:size])
        roots[size] = log.root().hex()
    by_size = {c["size"]: c for c in bundle["checkpoints"]}
    for c in bundle["checkpoints"]:
        size, name = c["size"], f"checkpoint of size {c['size']}"
        head = tree_head_bytes(bundle["exam"], size, c["root"], c["time"])
        if not ed25519.verify(key, head, bytes.fromhex(c["signature"])):
            report.add(f"{name}: the signature does not verify with the published key")
        if size > len(leaves):
            report.add(f"{name}: the log was truncated: it holds {len(leaves)} events")
        elif roots[size] != c["root"]:
            report.add(f"{name}: its root does not match the log's first {size} events")
        for p in c.get("consistency", []):
            old = by_size.get(p["from"])
            proof = [bytes.fromhex(h) for h in p["proof"]]
            if old is None or not merkle.verify_consistency(
                    old["size"], size, bytes.fromhex(old["root"]), bytes.fromhex(c["root"]),
                    proof):
                report.add(f"{name}: not consistent with checkpoint of size {p['from']}")
    if sizes and sizes[-1] < len(leaves):
        report.add(f"events after #{sizes[-1]} are covered by no checkpoint")


def _check_reveal(bundle: dict, events, report: Report) -> dict | None:
    committed = [(seq, json.loads(p)) for seq, kind, _a, _t, p, *_ in events
                 if kind == "committed"]
    revealed = [(seq, json.loads(p)) for seq, kind, _a, _t, p, *_ in events
                if kind == "revealed"]
    if not committed:
        report.add("the log holds no rules commitment")
        return None
    if not revealed:
        report.add("the rules have not been revealed yet: scores cannot be re-derived")
        return None
    (cseq, c), (rseq, r) = committed[0], revealed[-1]
    if commitment(r["material"], r["nonce"]) != c["commitment"]:
        report.add(f"event #{rseq} (revealed): the revealed rules do not match the commitment "
                   f"published at event #{cseq}")
    return r["material"]


def _replay(events, material: dict, who: dict, report: Report) -> dict[int, fold.AttemptState]:
    defn = material["definition"]
    pools = {(bank, cat): entries for bank, p in material["pools"].items()
             for cat, entries in p["categories"].items()}
    states: dict[int, fold.AttemptState] = {}
    for seq, kind, attempt, at, payload, *_ in events:
        if attempt is None:
            continue
        data = json.loads(payload)
        if kind == "created":
            states[attempt] = state = fold.start(seq, data)
            if _regenerate(defn, pools, data["seed"]) != [
                    (f["section"], f["question"], f["options"]) for f in data["form"]]:
                report.add(f"{_where(seq, who, attempt)} (created): the form does not follow "
                           "from its seed")
        elif attempt in states:
            fold.apply(states[attempt], seq, kind, data, at)
    for attempt, state in states.items():
        for seq, problem in state.problems:
            report.add(f"{_where(seq, who, attempt)}: {problem}")
    return states


def _regenerate(defn: dict, pools: dict, seed: str) -> list[tuple[str, str, list[str]]]:
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
    return [tuple(x) for x in randomization.build_form(
        seed, plans, options, defn["shuffle_questions"], defn["shuffle_options"],
        frozenset(fixed))]


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


def _corrections(events, report: Report) -> list[tuple[int, dict]]:
    """Corrected keys after closing; each must carry two different admins."""
    out = []
    for seq, kind, _a, _t, payload, *_ in events:
        if kind == "corrected":
            c = json.loads(payload)
            if not c.get("approved_by") or c.get("approved_by") == c.get("requested_by"):
                report.add(f"event #{seq} (corrected): not approved by a second admin")
            out.append((seq, c))
    return out


def _entries(material: dict, corrections: list[tuple[int, dict]], upto: int | None) -> dict:
    """Every pool question's key and points, with corrections up to id `upto` applied."""
    entries = {e["id"]: dict(e) for p in material["pools"].values()
               for cat in p["categories"].values() for e in cat}
    for _seq, c in corrections:
        if upto is not None and c["correction"] > upto:
            break
        entry = entries.get(c["question"])
        if entry is not None:
            entry.update({k: c[k] for k in ("key", "points") if k in c})
    return entries


def _score_all(rules: ExamRules, entries: dict, states: list) -> list:
    forms = [[_item_key(entries[f["question"]], f["section"]) for f in s.form] for s in states]
    return scoring.score_batch(rules, forms, [s.answers for s in states]) if states else []


def _compare(report: Report, where: str, got: dict, score) -> None:
    want = {"sections": {k: scoring.exact(v) for k, v in score.sections.items()},
            "total": scoring.exact(score.total), "passed": score.passed}
    for k, v in want.items():
        if got.get(k) != v:
            report.add(f"{where}: recorded {k} {got.get(k)!r}, re-scored from the logged "
                       f"answers {v!r}")


def _check_scores(bundle: dict, material: dict, states: dict, report: Report) -> None:
    rules = rules_of(material["definition"])
    corrections = _corrections(bundle["events"], report)
    ended = [s for s in states.values() if s.scored is not None]
    report.attempts = len(ended)
    for state, score in zip(ended, _score_all(rules, _entries(material, [], None), ended),
                            strict=True):
        _compare(report, f"candidate {state.candidate}, event #{state.scored_seq} (scored)",
                 state.scored, score)
    for seq, payload, state in [(seq, p, st) for st in ended for seq, p in st.rescored]:
        entries = _entries(material, corrections, payload.get("correction"))
        [score] = _score_all(rules, entries, [state])
        _compare(report, f"candidate {state.candidate}, event #{seq} (rescored)", payload,
                 score)
    final = _score_all(rules, _entries(material, corrections, None), ended)
    rescored = {st.candidate: sc for st, sc in zip(ended, final, strict=True)}
    ranks = scoring.rank(list(rescored.items()), rules.tie_break)
    published = {r["candidate"]: r for r in bundle["results"]}
    for cand, score in rescored.items():
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
        if row.get("total") is not None and cand not in rescored:
            report.add(f"candidate {cand}: a published score with no scored attempt in the log")


def _item_key(entry: dict, section: str) -> ItemKey:
    return ItemKey(question=entry["id"], section=section, type=entry["type"],
                   options=tuple(entry["options"]), key=frozenset(entry.get("key", ())),
                   points=dict(entry.get("points", {})))


def _check_receipt(bundle: dict, code: str, leaves: list[bytes], report: Report) -> None:
    receipt = decode_receipt(code)
    if receipt is None or receipt.get("exam") != bundle["exam"]:
        report.add("the receipt cannot be read, or is for another exam")
        return
    index = receipt["seq"] - 1
    if not 0 <= index < len(leaves) or merkle.leaf_hash(receipt_leaf(receipt)) != leaves[index]:
        report.add(f"receipt for event #{receipt['seq']}: it does not match the logged score")
        return
    last = max(bundle["checkpoints"], key=lambda c: c["size"], default=None)
    if last is None or last["size"] <= index:
        report.add("the receipt's event is covered by no checkpoint")
        return
    proof = merkle.inclusion_proof(leaves, index, last["size"])
    if not merkle.verify_inclusion(leaves[index], index, last["size"], proof,
                                   bytes.fromhex(last["root"])):
        report.add("the receipt's event is not included in the last checkpoint")

