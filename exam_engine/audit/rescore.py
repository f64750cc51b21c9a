"""Checks that need the revealed rules: forms from seeds, scores, corrections, ranks,
published results and receipts."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from exam_engine.audit.logcheck import Log, where
from exam_engine.audit.report import Report
from exam_engine.core import merkle, randomization, scoring
from exam_engine.core.checkpoints import decode_receipt, receipt_leaf
from exam_engine.core.rules import ExamRules, ItemKey, PassRule, SectionRule

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


def check_forms(material: dict, log: Log, report: Report) -> None:
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
            report.add(f"{where(log.created_seq[attempt], log.owners, attempt)} (created): "
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


def check_scores(header: dict, material: dict, log: Log, report: Report) -> None:
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


def check_receipt(header: dict, code: str, log: Log, report: Report) -> None:
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
