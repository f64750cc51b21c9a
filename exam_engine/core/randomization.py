"""Seed -> the candidate's form, by a hash rule anyone can re-implement (DESIGN.md §2).

The rule, in full (docs/forms.md says the same for auditors):

* ``h(parts...) = sha256(utf8(part0) 0x00 utf8(part1) 0x00 ...)`` as a lowercase hex string.
* A draw of ``count`` questions from a pool takes the ``count`` items with the smallest
  ``h(seed, section, item_id)`` (ties, which do not happen in practice, by item id).
* With ``shuffle_questions`` a section's drawn items are ordered by that same hash; without it
  they keep the draws' order and, within a draw, the bank's order.
* With ``shuffle_options`` a question's options are ordered by ``h(seed, item_id, option_key)``;
  without it (and always for true/false) they keep the bank's order.

No numpy generator is involved: its streams are not promised to stay the same across versions.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass


def new_seed() -> str:
    """Return a fresh 256-bit seed from the operating system's CSPRNG, as hex."""
    return secrets.token_hex(32)


def h(*parts: str) -> str:
    """Hash parts joined by NUL bytes; the only primitive of the form rule."""
    return hashlib.sha256(b"\x00".join(p.encode("utf-8") for p in parts)).hexdigest()


def _ranker(seed: str, first: str):
    """`item -> h(seed, first, item)` as sortable bytes (same order as the hex digest).

    The common prefix is hashed once and copied per item: the same bytes, much faster.
    """
    prefix = hashlib.sha256(seed.encode("utf-8") + b"\x00" + first.encode("utf-8") + b"\x00")

    def rank(item: str) -> tuple[bytes, str]:
        digest = prefix.copy()
        digest.update(item.encode("utf-8"))
        return digest.digest(), item

    return rank


@dataclass(frozen=True)
class Draw:
    """One `draw` entry of a section: the pool (item ids in bank order) and how many to take."""

    pool: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class SectionPlan:
    code: str
    draws: tuple[Draw, ...]


def draw(seed: str, section: str, pool: Sequence[str], count: int) -> list[str]:
    """Pick `count` items of `pool`, returned in the pool's own order."""
    if count > len(pool):
        raise ValueError(f"draw of {count} from a pool of {len(pool)}")
    chosen = set(sorted(pool, key=_ranker(seed, section))[:count])
    return [item for item in pool if item in chosen]


def section_items(seed: str, plan: SectionPlan, shuffle: bool) -> list[str]:
    """The section's questions in the order the candidate sees them."""
    items: list[str] = []
    for d in plan.draws:
        items.extend(draw(seed, plan.code, d.pool, d.count))
    if shuffle:
        items.sort(key=_ranker(seed, plan.code))
    return items


def option_order(seed: str, item: str, keys: Sequence[str], shuffle: bool) -> list[str]:
    """The option keys of one question in the order the candidate sees them."""
    if not shuffle:
        return list(keys)
    return sorted(keys, key=_ranker(seed, item))


def build_form(
    seed: str,
    plans: Sequence[SectionPlan],
    options: dict[str, Sequence[str]],
    shuffle_questions: bool,
    shuffle_options: bool,
    fixed_order: frozenset[str] = frozenset(),
) -> list[tuple[str, str, list[str]]]:
    """Return the whole form: (section, item, option order) for every question, in order.

    `options` maps each item to its option keys in bank order; items in `fixed_order`
    (true/false questions) never have their options shuffled.
    """
    form = []
    for plan in plans:
        for item in section_items(seed, plan, shuffle_questions):
            shuffle = shuffle_options and item not in fixed_order
            form.append((plan.code, item, option_order(seed, item, options[item], shuffle)))
    return form
