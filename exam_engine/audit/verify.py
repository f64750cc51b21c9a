"""Every check of a bundle: numbering, chain, tree, signatures, proofs, commitment, forms,
the attempt's rules, scores, corrections, ranks, published results, receipts.

One streaming pass over the events (a bundle can hold millions: logcheck.py), then the
checks that need the revealed rules (rescore.py). Each mismatch names the candidate (by
pseudonym) and the event.
"""
from __future__ import annotations

import gc

from exam_engine.audit import bundlefile
from exam_engine.audit.bundlefile import Unreadable
from exam_engine.audit.logcheck import check_checkpoints, check_reveal, read_log, where
from exam_engine.audit.report import Report
from exam_engine.audit.rescore import check_forms, check_receipt, check_scores, rules_of

__all__ = ["Report", "Unreadable", "load", "verify", "rules_of"]


def load(path: str) -> tuple[str, dict]:
    """The bundle's path and header (events are streamed later)."""
    return path, bundlefile.read_header(path)


def verify(bundle: tuple[str, dict], receipt: str | None = None) -> Report:
    """Run every check; never stops at the first problem."""
    path, header = bundle
    report = Report(header["exam"], checkpoints=len(header["checkpoints"]))
    # Millions of small live objects and no cycles to free: without this the collector
    # rescans them all, again and again, and the pass slows down as the log grows.
    gc.disable()
    try:
        log = read_log(path, header, report)
    finally:
        gc.enable()
    gc.freeze()
    report.events = log.size
    check_checkpoints(header, log, report)
    material = check_reveal(log, report)
    for attempt, state in log.states.items():
        for seq, problem in state.problems:
            report.add(f"{where(seq, log.owners, attempt)}: {problem}")
    if material is not None:
        check_forms(material, log, report)
        check_scores(header, material, log, report)
    if receipt:
        check_receipt(header, receipt, log, report)
    return report


