"""The pure core: scoring, randomization, timing and the attempt's rules.

Only the standard library and numpy are imported here (DESIGN.md §7), so the standalone
verifier and an auditor can run this package with no database, no Flask and no network.
"""
