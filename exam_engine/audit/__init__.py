"""The independent verifier: `python -m exam_engine.audit verify BUNDLE`.

It imports the pure core and nothing else of the engine (no database, no Flask, no
network), so an oversight team can run it on a machine of their own.
"""
