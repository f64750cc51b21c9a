"""`python -m exam_engine.audit verify BUNDLE`: exit 0 clean, 1 mismatch, 2 unreadable."""
from __future__ import annotations

import argparse
import sys

from exam_engine.audit.verify import Unreadable, load, verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exam_engine.audit",
                                     description="Verify an exam's published results.")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("verify", help="check a verification bundle")
    cmd.add_argument("bundle")
    cmd.add_argument("--receipt", help="also check a candidate's receipt code against it")
    args = parser.parse_args(argv)
    try:
        bundle = load(args.bundle)
    except Unreadable as exc:
        print(f"UNREADABLE: {exc}")
        return 2
    try:
        report = verify(bundle, receipt=args.receipt)
    except Unreadable as exc:
        print(f"UNREADABLE: {exc}")
        return 2
    print(report.verdict())
    for line in report.mismatches:
        print(f"  - {line}")
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
