"""The exam's event log: numbered without gaps, chained, canonical, and naming nobody."""
from __future__ import annotations

import json

from sqlalchemy import select

from exam_engine.core import chain
from exam_engine.core.canonical import canonical_json
from exam_engine.core.ledger import event_bytes
from exam_engine.extensions import db
from exam_engine.models import Event, Exam
from exam_engine.services import proctoring
from exam_engine.services.proctoring import Action


def test_every_change_is_an_event_chained_to_the_one_before(actions):
    exam, creds = actions.ready_exam(2)
    c = actions.candidate(exam, creds[0])
    q = c.start()["questions"]
    c.answer(q[0]["id"], "A")
    c.emit("flag", {"question": q[1]["id"], "flagged": True})
    proctoring.extend(Action("pengawas", exam, creds[0]["participant_no"], "PC mati"), 5)
    c.emit("submit")
    with db.read() as s:
        events = s.execute(select(Event).order_by(Event.seq)).scalars().all()
        head = s.execute(select(Exam.chain_head)).scalar()
    kinds = [e.kind for e in events]
    assert kinds[:4] == ["exam_created", "exam_opened", "committed", "candidates_added"]
    assert {"created", "answered", "flagged", "extended", "ended", "scored"} <= set(kinds)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    link = chain.GENESIS
    for e in events:
        assert e.payload == canonical_json(json.loads(e.payload))
        link = chain.chain_next(link, event_bytes(e.seq, e.kind, e.attempt_id, e.created_ms,
                                                  e.payload))
        assert e.chain == link.hex()
    assert head == link.hex()
    text = " ".join(e.payload for e in events)
    for cred in creds:
        assert cred["participant_no"] not in text     # only pseudonyms reach the log
    assert "Peserta" not in text


def test_a_note_full_of_awkward_characters_is_logged_byte_for_byte(actions):
    # Events reach PostgreSQL as array literals built by the engine (bulk_sql.pg_array):
    # quotes, backslashes, braces, commas, the word NULL, line breaks and non-ASCII text
    # must come back exactly, or the chain would not verify.
    exam, creds = actions.ready_exam(2)
    actions.candidate(exam, creds[0]).start()
    note = 'PC "mati" \\ {lagi}, NULL; baris\nbaru\t\u00e9\u00f1 \u2014 {"a": [1,2]} \\"'
    proctoring.extend(Action("pengawas", exam, creds[0]["participant_no"], note), 5)
    with db.read() as s:
        events = s.execute(select(Event).order_by(Event.seq)).scalars().all()
        head = s.execute(select(Exam.chain_head)).scalar()
    extended = [json.loads(e.payload) for e in events if e.kind == "extended"]
    assert [e["reason"] for e in extended] == [note]
    link = chain.GENESIS
    for e in events:
        link = chain.chain_next(link, event_bytes(e.seq, e.kind, e.attempt_id, e.created_ms,
                                                  e.payload))
        assert e.chain == link.hex()
    assert head == link.hex()
