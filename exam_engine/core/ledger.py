"""The bytes of one logged event: what the hash chain and the Merkle tree are built over.

An event's leaf is the canonical JSON of its envelope::

    {"at":<ms>,"attempt":<id or null>,"kind":"<kind>","payload":<payload>,"seq":<n>}

with keys in that (sorted) order and `payload` the event's own canonical JSON, so the
envelope is canonical JSON too and anyone can rebuild it from a bundle's event list.
"""
from __future__ import annotations

import json


def event_bytes(seq: int, kind: str, attempt: int | None, at: int, payload: str) -> bytes:
    """The envelope of one event, as UTF-8 bytes (the Merkle leaf data)."""
    return (f'{{"at":{int(at)},"attempt":{"null" if attempt is None else int(attempt)},'
            f'"kind":{json.dumps(kind)},"payload":{payload},"seq":{int(seq)}}}').encode()
