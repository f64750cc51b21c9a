"""Verifiable results: the rules commitment, signed checkpoints, proofs (issue 5).

The exam's log is a Merkle tree (RFC 9162) over each event's envelope bytes. Checkpoints
sign its head; each comes with consistency proofs to every earlier one, so nobody can
rewrite history without the published checkpoints showing it.
"""
from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path

from sqlalchemy import func, select

from exam_engine import clock
from exam_engine.core import ed25519, merkle, scoring
from exam_engine.core.canonical import canonical_json
from exam_engine.core.checkpoints import commitment, tree_head_bytes
from exam_engine.core.ledger import event_bytes
from exam_engine.errors import NotFound
from exam_engine.extensions import db, pause_for_io
from exam_engine.models import Attempt, Checkpoint, Event, Exam, RulesSecret
from exam_engine.services import catalog
from exam_engine.services.eventlog import EventLog


class Signer:
    """The engine's Ed25519 key: EXAM_SIGNING_KEY (hex), or generated once in instance/."""

    def __init__(self, instance: Path, value: str | None = None) -> None:
        path = instance / "signing_key"
        if not value:
            if not path.exists():
                path.write_text(secrets.token_hex(32))
                path.chmod(0o600)
            value = path.read_text().strip()
        self._secret = bytes.fromhex(value)
        self.public = ed25519.public_key(self._secret)

    def sign(self, message: bytes) -> bytes:
        return ed25519.sign(self._secret, message)


signer: Signer | None = None


def init(instance: Path, key: str | None = None) -> None:
    global signer
    signer = Signer(instance, key)


# -- the rules commitment ---------------------------------------------------------------

def rules_material(s, exam: Exam) -> dict:
    """Everything that decides a score: definition, revisions, every pool's keys and points."""
    defn, _ = catalog.exam_rules(exam)
    pools: dict[str, dict] = {}
    for section in defn.sections:
        for d in section.draws:
            rev = exam.pinned[d.bank]
            pools.setdefault(d.bank, {"revision": rev, "categories": {}})["categories"][
                d.category] = [_pool_entry(q) for q in catalog.pool(s, d.bank, rev, d.category)]
    return {"scorer": scoring.SCORER_VERSION, "definition": defn.to_dict(), "pools": pools}


def _pool_entry(q) -> dict:
    entry = {"id": q.qid, "type": q.type, "options": [o["key"] for o in q.options]}
    if q.type == "weighted":
        entry["points"] = {o["key"]: o["points"] for o in q.options}
    else:
        entry["key"] = sorted(o["key"] for o in q.options if o.get("correct"))
    return entry


def commit(s, exam: Exam, log: EventLog, now: int) -> None:
    """At opening: log the hash of the rules material, keep the material private."""
    material = canonical_json(rules_material(s, exam))
    nonce = secrets.token_hex(32)
    digest = commitment(json.loads(material), nonce)
    s.add(RulesSecret(exam_id=exam.id, material=material, nonce=nonce, commitment=digest))
    log.append("committed", {"commitment": digest, "scorer": scoring.SCORER_VERSION}, now)


def reveal_if_done(exam_id: int) -> bool:
    """After closing, once no attempt can still run: publish the material and nonce."""
    with db.write() as s:
        log = EventLog.of(s, exam_id).lock()
        exam = s.get(Exam, exam_id)
        secret = s.get(RulesSecret, exam_id)
        if exam.status != "closed" or secret is None or secret.revealed:
            return False
        running = s.execute(select(func.count()).select_from(Attempt).where(
            Attempt.exam_id == exam_id, Attempt.status != "ended")).scalar()
        if running:
            return False
        secret.revealed = True
        log.append("revealed", {"material": json.loads(secret.material),
                                "nonce": secret.nonce}, clock.now_ms())
    checkpoint(exam_id)
    return True


# -- leaves and checkpoints ---------------------------------------------------------------

_lock = threading.Lock()
_trees: dict[int, merkle.MerkleTree] = {}   # exam id -> its tree, as far as this process read
CATCH_UP_ROWS = 1000


def tree(exam_id: int, upto: int) -> merkle.MerkleTree:
    """The exam's tree holding at least events 1..upto (cached; the log only grows).

    Reads what it lacks a thousand events at a time, each in its own short read, and lets
    the sockets in between: after a restart, catching up on millions of events must not
    stop the answers of a running exam.
    """
    with _lock:
        t = _trees.setdefault(exam_id, merkle.MerkleTree())
        while t.size < upto:
            with db.read() as s:
                rows = s.execute(select(Event.seq, Event.kind, Event.attempt_id,
                                        Event.created_ms, Event.payload)
                                 .where(Event.exam_id == exam_id, Event.seq > t.size,
                                        Event.seq <= min(upto, t.size + CATCH_UP_ROWS))
                                 .order_by(Event.seq)).all()
            if not rows:
                raise RuntimeError(f"event {t.size + 1} of exam {exam_id} is missing")
            for seq, kind, attempt, at, payload in rows:
                if seq != t.size + 1:
                    raise RuntimeError(f"event {t.size + 1} of exam {exam_id} is missing")
                t.append(merkle.leaf_hash(event_bytes(seq, kind, attempt, at, payload)))
            if t.size < upto:
                pause_for_io()
        return t


def checkpoint(exam_id: int) -> Checkpoint | None:
    """Sign the current head of the exam's log (if it grew since the last checkpoint)."""
    with db.read() as s:
        exam = s.get(Exam, exam_id)
        size = exam.event_seq
        last = s.execute(select(func.max(Checkpoint.size)).where(
            Checkpoint.exam_id == exam_id)).scalar()
        if size == 0 or (last or 0) >= size:
            return None
        earlier = s.execute(select(Checkpoint.size).where(Checkpoint.exam_id == exam_id)
                            .order_by(Checkpoint.size)).scalars().all()
        code = exam.code
    t = tree(exam_id, size)
    root = t.root(size).hex()
    now = clock.now_ms()
    signature = signer.sign(tree_head_bytes(code, size, root, now)).hex()
    proofs = [{"from": old, "proof": [h.hex() for h in t.consistency_proof(old, size)]}
              for old in earlier]
    row = Checkpoint(exam_id=exam_id, size=size, root=root, time_ms=now, signature=signature,
                     proofs=proofs)
    with db.write() as s:
        s.add(row)
    return row


def published(exam_code: str) -> dict:
    """The public transparency record: key, commitment, checkpoints with their proofs."""
    with db.read() as s:
        exam = s.execute(select(Exam).where(Exam.code == exam_code)).scalar()
        if exam is None:
            raise NotFound(f"exam {exam_code!r} does not exist", code="exam_not_found")
        secret = s.get(RulesSecret, exam.id)
        rows = s.execute(select(Checkpoint).where(Checkpoint.exam_id == exam.id)
                         .order_by(Checkpoint.size)).scalars().all()
    out = {
        "exam": exam.code, "title": exam.title, "status": exam.status,
        "public_key": signer.public.hex(), "algorithm": "Ed25519",
        "tree": "RFC 9162 SHA-256 over event envelopes (docs/transparency.md)",
        "commitment": secret.commitment if secret else None,
        "revealed": bool(secret and secret.revealed),
        "checkpoints": [{"exam": exam.code, "size": c.size, "root": c.root, "time": c.time_ms,
                         "signature": c.signature, "consistency": c.proofs} for c in rows],
    }
    if secret and secret.revealed:
        out["reveal"] = {"material": json.loads(secret.material), "nonce": secret.nonce}
    return out


def inclusion(exam_code: str, seq: int) -> dict:
    """A proof that event `seq` is in the latest checkpoint that covers it."""
    with db.read() as s:
        exam = s.execute(select(Exam).where(Exam.code == exam_code)).scalar()
        if exam is None:
            raise NotFound(f"exam {exam_code!r} does not exist", code="exam_not_found")
        cp = s.execute(select(Checkpoint).where(Checkpoint.exam_id == exam.id,
                                                Checkpoint.size >= seq)
                       .order_by(Checkpoint.size.desc()).limit(1)).scalar()
        if cp is None or seq < 1:
            raise NotFound("no checkpoint covers this event yet; try again in a few minutes",
                           code="not_checkpointed")
        exam_id = exam.id
    proof = tree(exam_id, cp.size).inclusion_proof(seq - 1, cp.size)
    return {"exam": exam_code, "seq": seq, "index": seq - 1,
            "checkpoint": {"size": cp.size, "root": cp.root, "time": cp.time_ms,
                           "signature": cp.signature},
            "proof": [h.hex() for h in proof]}


def forget() -> None:
    with _lock:
        _trees.clear()


def announcement(exam_code: str) -> dict:
    """The final ranked results, public once the exam is over and its rules revealed."""
    from exam_engine.errors import Conflict
    from exam_engine.services import results
    from exam_engine.services.boards import mask

    record = published(exam_code)
    if not record["revealed"]:
        raise Conflict(f"the results of {exam_code} are final only after the exam closes and "
                       "every attempt has ended", code="not_final")
    with db.read() as s:
        exam = s.execute(select(Exam).where(Exam.code == exam_code)).scalar_one()
        defn, _ = catalog.exam_rules(exam)
    rows = [{k: r[k] for k in ("rank", "participant_no", "sections", "total", "passed")}
            | {"name": mask(r["name"], defn.scoreboard.names)}
            for r in results.results(exam_code) if r["total"] is not None]
    final = record["checkpoints"][-1] if record["checkpoints"] else None
    return {"exam": exam_code, "title": record["title"],
            "sections": [{"code": s.code, "title": s.title, "pass_mark": s.pass_mark}
                         for s in defn.sections],
            "rows": rows,
            "final_checkpoint": {k: final[k] for k in ("size", "root", "time", "signature")}
            if final else None,
            "public_key": record["public_key"],
            "bundle": f"/api/v1/public/exams/{exam_code}/bundle"}
