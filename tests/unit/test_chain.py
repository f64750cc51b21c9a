"""The event hash chain: fixed by its documented rule, and broken by any change."""
from __future__ import annotations

from hashlib import sha256

import pytest

from exam_engine.core.canonical import canonical_bytes
from exam_engine.core.chain import GENESIS, chain_head, chain_links, chain_next

EVENTS = [
    canonical_bytes({"kind": kind, "seq": seq, "attempt": seq % 3})
    for seq, kind in enumerate(
        ("created", "answered", "answered", "flagged", "paused", "resumed", "answered",
         "extended", "ended", "scored"),
        start=1,
    )
]


def test_the_rule_is_the_documented_one():
    assert GENESIS == sha256(b"exam-engine/chain/v1").digest()
    assert GENESIS.hex() == "da63bb9f0abbc2a829e5676b9a0fc872ddfd0404834aa1e20982b1f464643f46"
    prev = sha256(b"anything").digest()
    assert chain_next(prev, b"event") == sha256(prev + sha256(b"event").digest()).digest()


def test_a_known_answer_for_reimplementers():
    links = chain_links([b'{"kind":"created","seq":1}', b'{"kind":"answered","seq":2}'])
    assert [link.hex() for link in links] == [
        "1e31852fef44fc281d1c05eee09b7879963d331bcc1827d292bf36f217a25b58",
        "826db8c2f5be0f835facfc2289d9f2f3540b51d5d6990a9ac063b2697621d9be",
    ]


def test_the_chain_is_deterministic():
    assert chain_links(EVENTS) == chain_links(list(EVENTS))
    assert chain_head(EVENTS) == chain_links(EVENTS)[-1]
    assert chain_head([]) == GENESIS and chain_links([]) == []
    assert chain_head(EVENTS[3:], start=chain_links(EVENTS)[2]) == chain_head(EVENTS)


def changes(events: list[bytes], j: int) -> dict[str, list[bytes]]:
    """Return every kind of tampering at position j."""
    edited = bytearray(events[j])
    edited[-2] ^= 1
    out = {
        "edited": [*events[:j], bytes(edited), *events[j + 1:]],
        "dropped": [*events[:j], *events[j + 1:]],
        "inserted": [*events[:j], b'{"kind":"answered"}', *events[j:]],
        "extra byte": [*events[:j], events[j] + b" ", *events[j + 1:]],
    }
    if j + 1 < len(events):
        out["swapped"] = [*events[:j], events[j + 1], events[j], *events[j + 2:]]
    return out


@pytest.mark.parametrize("j", range(len(EVENTS)))
def test_a_change_anywhere_changes_every_later_link(j):
    original = chain_links(EVENTS)
    for how, tampered in changes(EVENTS, j).items():
        links = chain_links(tampered)
        assert links[:j] == original[:j], how
        later = min(len(links), len(original))
        assert all(a != b for a, b in zip(links[j:later], original[j:later], strict=True)), how
        assert chain_head(tampered) != chain_head(EVENTS), how


def test_a_different_start_changes_every_link():
    other = sha256(b"another exam").digest()
    assert all(
        a != b for a, b in zip(chain_links(EVENTS), chain_links(EVENTS, other), strict=True)
    )


def test_a_link_must_be_32_bytes():
    for bad in (b"", GENESIS[:31], GENESIS + b"\x00", "da63" * 16):
        with pytest.raises(ValueError):
            chain_next(bad, b"event")
