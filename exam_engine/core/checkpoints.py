"""The bytes behind the published promises: tree heads, the rules commitment, receipts.

* A checkpoint signs ``b"exam-engine/checkpoint/v1\\n" + canonical JSON of
  {"exam", "root" (hex), "size", "time" (ms)}`` with Ed25519.
* The rules commitment is ``SHA-256(canonical JSON of {"material", "nonce"})``: published
  when the exam opens, the material and nonce revealed when every attempt has ended.
* A receipt is the candidate's own `scored` event, enough to rebuild its Merkle leaf:
  ``{"exam", "seq", "at", "attempt", "scored"}``, written as base64url canonical JSON.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json

from exam_engine.core.canonical import canonical_bytes, canonical_json
from exam_engine.core.ledger import event_bytes

CHECKPOINT_PREFIX = b"exam-engine/checkpoint/v1\n"


def tree_head_bytes(exam: str, size: int, root_hex: str, time_ms: int) -> bytes:
    """What a checkpoint's signature covers."""
    return CHECKPOINT_PREFIX + canonical_bytes(
        {"exam": exam, "root": root_hex, "size": size, "time": time_ms})


def commitment(material: dict, nonce: str) -> str:
    """The published hash of everything that decides a score."""
    return hashlib.sha256(canonical_bytes({"material": material, "nonce": nonce})).hexdigest()


def encode_receipt(receipt: dict) -> str:
    return base64.urlsafe_b64encode(canonical_bytes(receipt)).decode().rstrip("=")


def decode_receipt(code: str) -> dict | None:
    """The receipt inside a printed code, or None if the code is damaged."""
    try:
        raw = base64.urlsafe_b64decode(code.strip() + "=" * (-len(code.strip()) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return value if isinstance(value, dict) else None


def receipt_leaf(receipt: dict) -> bytes:
    """The Merkle leaf data of the `scored` event a receipt describes."""
    return event_bytes(receipt["seq"], "scored", receipt["attempt"], receipt["at"],
                       canonical_json(receipt["scored"]))
