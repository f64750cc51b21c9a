"""Forms from seeds: every candidate's own form, and the same form again from the same seed."""
from __future__ import annotations

import hashlib
from itertools import combinations

import pytest

from exam_engine.core.randomization import (
    Draw,
    SectionPlan,
    build_form,
    draw,
    h,
    new_seed,
    option_order,
    section_items,
)

LETTERS = ("A", "B", "C", "D", "E")


def bank(prefix: str, n: int) -> tuple[str, ...]:
    """Return question ids in bank order, like twk-0001 .. twk-0100."""
    return tuple(f"{prefix}-{i:04d}" for i in range(1, n + 1))


TWK_BANK, TIU_BANK, TKP_BANK = bank("twk", 100), bank("tiu", 80), bank("tkp", 90)
TF_BANK = bank("tf", 10)
SKD_PLANS = (
    SectionPlan("TWK", (Draw(TWK_BANK, 30),)),
    SectionPlan("TIU", (Draw(TIU_BANK, 35),)),
    SectionPlan("TKP", (Draw(TKP_BANK, 45),)),
)
OPTIONS = {q: LETTERS for q in TWK_BANK + TIU_BANK + TKP_BANK} | {q: ("T", "F") for q in TF_BANK}


def skd_form(seed: str, shuffle: bool = True) -> list[tuple[str, str, list[str]]]:
    """Build an SKD form of 30 + 35 + 45 questions for one seed."""
    return build_form(seed, SKD_PLANS, OPTIONS, shuffle_questions=shuffle, shuffle_options=shuffle)


def test_the_same_seed_gives_the_same_form():
    seed = "5d1c0e3a" * 8
    assert skd_form(seed) == skd_form(seed)
    sections = [section for section, _, _ in skd_form(seed)]
    assert sections == ["TWK"] * 30 + ["TIU"] * 35 + ["TKP"] * 45


def test_twenty_candidates_get_twenty_different_question_orders():
    seeds = [f"seed-{n:02d}" for n in range(20)]
    orders = [[item for _, item, _ in skd_form(seed)] for seed in seeds]
    for first, second in combinations(orders, 2):
        assert first != second


def test_new_seeds_are_256_bit_hex():
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(len(seed) == 64 and int(seed, 16) >= 0 for seed in seeds)


def test_a_draw_takes_exactly_count_distinct_questions_from_the_pool():
    chosen = draw("seed-a", "TWK", TWK_BANK, 30)
    assert len(chosen) == len(set(chosen)) == 30
    assert set(chosen) <= set(TWK_BANK)
    assert chosen == [q for q in TWK_BANK if q in chosen]     # returned in bank order
    assert draw("seed-b", "TWK", TWK_BANK, 30) != chosen
    assert draw("seed-a", "TWK", TWK_BANK, 100) == list(TWK_BANK)
    assert draw("seed-a", "TWK", TWK_BANK, 0) == []


def test_a_draw_larger_than_the_pool_is_refused_with_the_numbers():
    with pytest.raises(ValueError, match="31 from a pool of 30"):
        draw("seed", "TWK", TWK_BANK[:30], 31)


def test_without_shuffle_questions_keep_the_bank_order_draw_after_draw():
    plan = SectionPlan("TWK", (Draw(TWK_BANK[:50], 10), Draw(TWK_BANK[50:], 5)))
    items = section_items("seed", plan, shuffle=False)
    assert len(items) == 15
    assert items == sorted(items)                      # ids follow the bank order here
    assert set(items[:10]) <= set(TWK_BANK[:50]) and set(items[10:]) <= set(TWK_BANK[50:])
    form = skd_form("seed", shuffle=False)
    assert all(options == list(LETTERS) for _, _, options in form)


def test_with_shuffle_the_drawn_questions_are_reordered():
    plan = SectionPlan("TWK", (Draw(TWK_BANK, 30),))
    shuffled = section_items("seed", plan, shuffle=True)
    assert sorted(shuffled) == section_items("seed", plan, shuffle=False)
    assert shuffled != sorted(shuffled)


def test_options_are_shuffled_per_question_and_deterministically():
    orders = [option_order("seed", q, LETTERS, shuffle=True) for q in TWK_BANK[:20]]
    assert all(sorted(order) == list(LETTERS) for order in orders)
    assert len({tuple(order) for order in orders}) > 10        # not one order for everyone
    assert orders == [option_order("seed", q, LETTERS, shuffle=True) for q in TWK_BANK[:20]]
    assert option_order("other-seed", TWK_BANK[0], LETTERS, True) != orders[0]
    assert option_order("seed", TWK_BANK[0], LETTERS, shuffle=False) == list(LETTERS)


def test_true_false_options_stay_in_bank_order():
    plans = (SectionPlan("PU", (Draw(TF_BANK, 10),)),)
    for seed in ("seed-1", "seed-2", "seed-3"):
        form = build_form(seed, plans, OPTIONS, True, True, fixed_order=frozenset(TF_BANK))
        assert [options for _, _, options in form] == [["T", "F"]] * 10
    unfixed = build_form("seed-1", plans, OPTIONS, True, True)
    assert ["F", "T"] in [options for _, _, options in unfixed]


# --- the rule itself, pinned: a change here changes every form ever given ------------------

# Recomputed independently of h(): sha256(b"seed\x00TWK\x00twk-0001").hexdigest()
PINNED_HASH = "38ce2113daa7c04bcc9c4db2d344861903f3df483fd91db4d0a4b25e7dac03f9"


def test_the_hash_rule_is_sha256_of_the_parts_joined_by_nul_bytes():
    assert hashlib.sha256(b"seed\x00TWK\x00twk-0001").hexdigest() == PINNED_HASH
    assert h("seed", "TWK", "twk-0001") == PINNED_HASH


def test_a_pinned_draw_of_three_from_ten():
    pool = bank("twk", 10)
    # The three smallest h("seed", "TWK", id): twk-0001 (38ce...), twk-0007 (390f...),
    # twk-0002 (53c5...); the fourth is twk-0009 (5784...).
    assert draw("seed", "TWK", pool, 3) == ["twk-0001", "twk-0002", "twk-0007"]
    plan = SectionPlan("TWK", (Draw(pool, 3),))
    assert section_items("seed", plan, shuffle=True) == ["twk-0001", "twk-0007", "twk-0002"]
    assert option_order("seed", "twk-0001", LETTERS, True) == ["C", "D", "E", "B", "A"]
