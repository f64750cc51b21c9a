"""Scoring an SKD sitting: section marks, pass verdicts, ranks and published numbers."""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import pytest

from exam_engine.core.rules import Choice, ExamRules, ItemKey, PassRule, SectionRule
from exam_engine.core.scoring import (
    SCORER_VERSION,
    AttemptScore,
    exact,
    item_marks,
    public_number,
    rank,
    round_half_up,
    score_attempt,
    score_batch,
)

LETTERS = ("A", "B", "C", "D", "E")
SKD_TIE_BREAK = ("TKP", "TIU", "TWK")


def skd_rules(pass_rule: PassRule | None = None) -> ExamRules:
    """Build the SKD CPNS rules of CONTRACT §2.2."""
    return ExamRules(
        sections=(
            SectionRule("TWK", "Tes Wawasan Kebangsaan", correct=5, pass_mark=65),
            SectionRule("TIU", "Tes Intelegensia Umum", correct=5, pass_mark=80),
            SectionRule("TKP", "Tes Karakteristik Pribadi", weighted=True, pass_mark=166),
        ),
        pass_rule=pass_rule or PassRule(every_section=True),
        tie_break=SKD_TIE_BREAK,
    )


def skd_form() -> list[ItemKey]:
    """Build a form of 30 TWK and 35 TIU single questions and 45 TKP weighted ones."""
    form = [ItemKey(f"twk-{i:04d}", "TWK", "single", LETTERS, frozenset({LETTERS[i % 5]}))
            for i in range(30)]
    form += [ItemKey(f"tiu-{i:04d}", "TIU", "single", LETTERS, frozenset({LETTERS[i % 5]}))
             for i in range(35)]
    # TKP: every option is worth 1..5, the best option rotating from question to question.
    form += [ItemKey(f"tkp-{i:04d}", "TKP", "weighted", LETTERS,
                     points={key: (j + i) % 5 + 1 for j, key in enumerate(LETTERS)})
             for i in range(45)]
    return form


def sit(form: Sequence[ItemKey], twk: int = 0, tiu: int = 0,
        tkp: Sequence[int] = (), blank_rest: bool = False) -> dict[str, Choice]:
    """Answer `twk`/`tiu` questions right and the rest wrong; TKP questions by the points given."""
    right = {"TWK": twk, "TIU": tiu}
    answers: dict[str, Choice] = {}
    tkp_points = iter(tkp)
    for item in form:
        if item.section == "TKP":
            wanted = next(tkp_points, None)
            if wanted is not None:
                answers[item.question] = next(k for k, p in item.points.items() if p == wanted)
        elif right[item.section] > 0:
            right[item.section] -= 1
            answers[item.question] = next(iter(item.key))
        elif not blank_rest:
            answers[item.question] = next(k for k in item.options if k not in item.key)
    return answers


def score_of(twk: int, tiu: int, tkp: int) -> AttemptScore:
    """Build a score without a form, for ranking."""
    sections = {"TWK": Fraction(twk), "TIU": Fraction(tiu), "TKP": Fraction(tkp)}
    return AttemptScore(sections, sum(sections.values(), Fraction(0)), {}, False)


# --- SKD marks ---------------------------------------------------------------------------

def test_skd_sections_are_scored_five_per_right_answer_and_tkp_by_option_points():
    form = skd_form()
    score = score_attempt(skd_rules(), form, sit(form, twk=20, tiu=25, tkp=[4] * 45))
    assert score.sections == {"TWK": 100, "TIU": 125, "TKP": 180}
    assert list(score.sections) == ["TWK", "TIU", "TKP"]
    assert score.total == 405
    assert all(isinstance(mark, Fraction) for mark in score.sections.values())


def test_the_scorer_version_recorded_with_marks_is_1():
    assert SCORER_VERSION == "1"


def test_a_blank_sheet_scores_zero_even_in_tkp_where_every_option_earns_a_point():
    form = skd_form()
    score = score_attempt(skd_rules(), form, {})
    assert score.sections == {"TWK": 0, "TIU": 0, "TKP": 0}
    assert score.passed is False
    explicit_blanks = {item.question: None for item in form}
    assert score_attempt(skd_rules(), form, explicit_blanks) == score


def test_blanks_and_wrong_answers_earn_nothing_in_twk_and_tiu():
    form = skd_form()
    blanks = score_attempt(skd_rules(), form, sit(form, twk=10, tiu=10, blank_rest=True))
    wrongs = score_attempt(skd_rules(), form, sit(form, twk=10, tiu=10))
    assert blanks.sections["TWK"] == wrongs.sections["TWK"] == 50
    assert blanks.total == wrongs.total == 100


def test_tkp_choice_earns_that_options_points():
    form = skd_form()
    tkp = [item for item in form if item.section == "TKP"]
    assert [item_marks(skd_rules().sections[2], tkp[0], key) for key in LETTERS] == [1, 2, 3, 4, 5]
    assert item_marks(skd_rules().sections[2], tkp[1], "E") == 1


# --- pass verdicts -------------------------------------------------------------------------

def test_exactly_at_every_pass_mark_passes():
    form = skd_form()
    # 13 x 5 = 65, 16 x 5 = 80, 31 x 4 + 14 x 3 = 166.
    score = score_attempt(skd_rules(), form, sit(form, twk=13, tiu=16, tkp=[4] * 31 + [3] * 14))
    assert score.sections == {"TWK": 65, "TIU": 80, "TKP": 166}
    assert score.section_passed == {"TWK": True, "TIU": True, "TKP": True}
    assert score.passed is True


def test_one_point_short_in_one_section_fails():
    form = skd_form()
    score = score_attempt(skd_rules(), form, sit(form, twk=13, tiu=16, tkp=[4] * 30 + [3] * 15))
    assert score.sections["TKP"] == 165
    assert score.section_passed == {"TWK": True, "TIU": True, "TKP": False}
    assert score.passed is False


def test_a_high_total_does_not_make_up_for_a_failed_section():
    form = skd_form()
    score = score_attempt(skd_rules(), form, sit(form, twk=12, tiu=35, tkp=[5] * 45))
    assert score.sections == {"TWK": 60, "TIU": 175, "TKP": 225}
    assert score.total == 460
    assert score.section_passed["TWK"] is False
    assert score.passed is False


def test_sections_without_a_pass_mark_do_not_count_for_every_section():
    rules = dataclasses.replace(skd_rules(), sections=(
        SectionRule("TWK", "TWK", correct=5, pass_mark=65),
        SectionRule("TIU", "TIU", correct=5),
        SectionRule("TKP", "TKP", weighted=True),
    ))
    form = skd_form()
    score = score_attempt(rules, form, sit(form, twk=13))
    assert score.section_passed == {"TWK": True}
    assert score.passed is True


TOTAL_311 = PassRule(every_section=False, total=311, minimums={"TIU": 85})


def test_total_and_minimum_rule_passes_on_total_and_tiu_even_below_twk_pass_mark():
    form = skd_form()
    # TWK 50 is under its pass_mark, which this rule does not ask for.
    score = score_attempt(skd_rules(TOTAL_311), form,
                          sit(form, twk=10, tiu=17, tkp=[4] * 44))   # last TKP blank
    assert score.sections == {"TWK": 50, "TIU": 85, "TKP": 176}
    assert score.total == 311
    assert score.section_passed["TWK"] is False
    assert score.passed is True


def test_total_and_minimum_rule_fails_when_tiu_is_under_its_minimum():
    form = skd_form()
    score = score_attempt(skd_rules(TOTAL_311), form, sit(form, twk=30, tiu=16, tkp=[4] * 45))
    assert score.sections["TIU"] == 80
    assert score.total == 410
    assert score.passed is False


def test_total_and_minimum_rule_fails_one_point_under_the_total():
    form = skd_form()
    score = score_attempt(skd_rules(TOTAL_311), form,
                          sit(form, twk=10, tiu=17, tkp=[4] * 43 + [3]))
    assert score.total == 310
    assert score.sections["TIU"] == 85
    assert score.passed is False


def test_pass_rule_naming_an_unknown_section_is_refused():
    rules = skd_rules(PassRule(every_section=False, minimums={"TBI": 50}))
    with pytest.raises(ValueError, match="TBI"):
        score_attempt(rules, skd_form(), {})


# --- ranking -------------------------------------------------------------------------------

def test_ranking_by_total_then_tkp_then_tiu_with_a_shared_rank_and_a_skip():
    entries = [
        ("P-0006", score_of(100, 100, 180)),   # 380
        ("P-0004", score_of(90, 120, 180)),    # 390, full tie with P-0005
        ("P-0003", score_of(110, 120, 170)),   # 400, TKP 170, TIU 120
        ("P-0001", score_of(100, 120, 180)),   # 400, TKP 180
        ("P-0005", score_of(90, 120, 180)),
        ("P-0002", score_of(100, 130, 170)),   # 400, TKP 170, TIU 130
    ]
    ranks = rank(entries, SKD_TIE_BREAK)
    assert ranks == {"P-0001": 1, "P-0002": 2, "P-0003": 3,
                     "P-0004": 4, "P-0005": 4, "P-0006": 6}
    assert list(ranks) == ["P-0001", "P-0002", "P-0003", "P-0004", "P-0005", "P-0006"]


def test_without_tie_break_equal_totals_share_a_rank():
    entries = [("a", score_of(100, 100, 200)), ("b", score_of(120, 80, 200)),
               ("c", score_of(0, 0, 100))]
    assert rank(entries, ()) == {"a": 1, "b": 1, "c": 3}


def test_ranking_compares_exact_marks():
    almost = dataclasses.replace(score_of(1, 0, 0), total=1 - Fraction(1, 10**9))
    entries = [("b", almost), ("a", score_of(1, 0, 0))]
    assert rank(entries, ()) == {"a": 1, "b": 2}


def test_ranking_refuses_duplicate_ids_and_unknown_tie_break_sections():
    with pytest.raises(ValueError, match="duplicate"):
        rank([("a", score_of(1, 1, 1)), ("a", score_of(2, 2, 2))], ())
    with pytest.raises(ValueError, match="TBI"):
        rank([("a", score_of(1, 1, 1))], ("TBI",))
    assert rank([], SKD_TIE_BREAK) == {}


# --- multiple choice, negative marks, odd choices ------------------------------------------

PK_KEY_AC = ItemKey("pk-0001", "PK", "multiple", LETTERS, frozenset({"A", "C"}))
PK_KEY_ABC = ItemKey("pk-0002", "PK", "multiple", LETTERS, frozenset({"A", "B", "C"}))
ALL_OR_NOTHING = SectionRule("PK", "Pengetahuan", correct=4, wrong=-1, blank=0)
PARTIAL = SectionRule("PK", "Pengetahuan", correct=4, wrong=-1, blank=0, partial=True)


@pytest.mark.parametrize(("choice", "marks"), [
    (["A", "C"], 4),
    (["C", "A"], 4),
    (["A"], -1),
    (["A", "C", "D"], -1),
    (["B"], -1),
    ("A", -1),
    ([], 0),
    (None, 0),
])
def test_multiple_without_partial_credit_needs_the_exact_key_set(choice, marks):
    assert item_marks(ALL_OR_NOTHING, PK_KEY_AC, choice) == marks


@pytest.mark.parametrize(("item", "choice", "marks"), [
    (PK_KEY_AC, ["A", "C"], 4),
    (PK_KEY_AC, ["A"], 2),
    (PK_KEY_AC, ["A", "D"], 2),                  # a wrong pick takes nothing away
    (PK_KEY_AC, ["D"], 0),                       # never below 0, though `wrong` is -1
    (PK_KEY_AC, ["A", "B", "C", "D", "E"], 4),   # "minus none": every option earns all
    (PK_KEY_AC, [], 0),
    (PK_KEY_AC, None, 0),
    (PK_KEY_ABC, ["B"], Fraction(4, 3)),
    (PK_KEY_ABC, ["A", "B", "E"], Fraction(8, 3)),
])
def test_multiple_with_partial_credit_earns_its_share_of_the_key(item, choice, marks):
    assert item_marks(PARTIAL, item, choice) == marks


def test_partial_credit_blank_still_earns_the_sections_blank_mark():
    rule = dataclasses.replace(PARTIAL, blank=1)
    assert item_marks(rule, PK_KEY_AC, []) == 1
    assert item_marks(rule, PK_KEY_AC, ["D"]) == 0


def test_partial_credit_section_sums_exact_thirds():
    rules = ExamRules((PARTIAL,), PassRule(every_section=False, total=4))
    form = [dataclasses.replace(PK_KEY_ABC, question=f"pk-{i}") for i in range(3)]
    score = score_attempt(rules, form, {"pk-0": ["A"], "pk-1": ["B", "D"], "pk-2": ["C", "A"]})
    assert score.sections == {"PK": Fraction(16, 3)}
    assert score.passed is True


def test_negative_wrong_marks_can_take_a_section_below_zero():
    rule = SectionRule("PU", "Pengetahuan Umum", correct=4, wrong=-1, blank=0)
    form = [ItemKey(f"pu-{i}", "PU", "single", LETTERS, frozenset({"B"})) for i in range(10)]
    rules = ExamRules((rule,), PassRule(every_section=False))
    six_right = {f"pu-{i}": "B" for i in range(6)} | {"pu-6": "A", "pu-7": "C", "pu-8": "E"}
    assert score_attempt(rules, form, six_right).sections == {"PU": 21}
    all_wrong = {f"pu-{i}": "A" for i in range(10)}
    assert score_attempt(rules, form, all_wrong).total == -10


def test_true_false_scores_like_single():
    rule = SectionRule("PU", "Pengetahuan Umum", correct=2, wrong=-1)
    item = ItemKey("tf-1", "PU", "true_false", ("T", "F"), frozenset({"F"}))
    assert [item_marks(rule, item, c) for c in ("F", "T", None)] == [2, -1, 0]


@pytest.mark.parametrize(("choice", "marks"), [
    ("Z", -1),              # not an option of the question: wrong
    (["B"], 4),             # a list of one key is that key
    (["B", "C"], -1),
    (["B", "Z"], -1),
    ([], 0),
    (7, -1),
])
def test_odd_choices_on_a_single_question(choice, marks):
    rule = SectionRule("PU", "Pengetahuan Umum", correct=4, wrong=-1)
    item = ItemKey("pu-1", "PU", "single", LETTERS, frozenset({"B"}))
    assert item_marks(rule, item, choice) == marks


def test_weighted_odd_choices_earn_nothing_in_a_weighted_section():
    tkp = skd_rules().sections[2]
    item = skd_form()[-1]
    assert [item_marks(tkp, item, c) for c in ("Z", ["A", "B"], [], None)] == [0, 0, 0, 0]
    assert item_marks(tkp, item, [item.options[0]]) == item.points["A"]


def test_weighted_question_in_a_right_wrong_section_earns_its_option_points():
    rule = SectionRule("PU", "Pengetahuan Umum", correct=4, wrong=-1, blank=1)
    item = ItemKey("w-1", "PU", "weighted", ("A", "B", "C"), points={"A": 3, "B": 0, "C": 1})
    assert [item_marks(rule, item, c) for c in ("A", "B", None, "Z")] == [3, 0, 1, -1]


def test_questions_of_a_section_the_rules_do_not_know_are_refused():
    item = ItemKey("x-1", "TBI", "single", LETTERS, frozenset({"A"}))
    with pytest.raises(ValueError, match="TBI"):
        score_attempt(skd_rules(), [item], {"x-1": "A"})


def test_answers_to_questions_not_on_the_form_are_ignored():
    form = skd_form()
    answers = sit(form, twk=1) | {"twk-9999": "A", "tiu-9999": ["A"]}
    assert score_attempt(skd_rules(), form, answers).sections["TWK"] == 5


def test_huge_points_are_still_exact():
    rules = ExamRules((SectionRule("W", "W", weighted=True),), PassRule())
    item = ItemKey("w-1", "W", "weighted", ("A", "B"), points={"A": 2**62, "B": 1})
    form = [item, dataclasses.replace(item, question="w-2")]
    assert score_attempt(rules, form, {"w-1": "A", "w-2": "A"}).total == 2**63


# --- published numbers ---------------------------------------------------------------------

@pytest.mark.parametrize(("value", "published"), [
    (Fraction("2.345"), "2.35"),
    (Fraction("2.344999"), "2.34"),
    (Fraction("2.355"), "2.36"),
    (Fraction("-2.345"), "-2.35"),      # halves round away from zero
    (Fraction("-2.344"), "-2.34"),
    (Fraction(2, 3), "0.67"),
    (Fraction(1, 3), "0.33"),
    (Fraction(-1, 1000), "0.00"),
    (Fraction(405), "405.00"),
])
def test_round_half_up_to_two_decimals(value, published):
    assert round_half_up(value) == Decimal(published)
    assert str(round_half_up(value)) == published


def test_round_half_up_to_other_places():
    assert str(round_half_up(Fraction(5, 2), 0)) == "3"
    assert str(round_half_up(Fraction("0.0005"), 3)) == "0.001"


def test_public_number_is_an_int_when_whole_and_a_float_otherwise():
    assert public_number(Fraction(405)) == 405 and isinstance(public_number(Fraction(405)), int)
    assert public_number(Fraction(16, 3)) == 5.33
    assert public_number(Fraction(-7, 2)) == -3.5
    # 2.999 publishes as 3 (an int), the same spelling as an exact 3.
    assert public_number(Fraction("2.999")) == 3
    assert isinstance(public_number(Fraction("2.999")), int)


def test_exact_gives_ints_or_fraction_strings_for_canonical_json():
    assert exact(Fraction(405)) == 405 and isinstance(exact(Fraction(405)), int)
    assert exact(Fraction(16, 3)) == "16/3"
    assert exact(Fraction(-14, 4)) == "-7/2"


# --- the batch path agrees with the reference rule -----------------------------------------

RANDOM_RULES = ExamRules(
    sections=(
        SectionRule("S", "single, true/false and weighted", correct=4, wrong=-1, blank=0),
        SectionRule("M", "multiple, all or nothing", correct=5, wrong=-2, blank=1),
        SectionRule("P", "multiple, partial", correct=6, wrong=-3, blank=-1, partial=True),
        SectionRule("W", "weighted", weighted=True, wrong=-5, blank=2),
        SectionRule("N", "never on a form", correct=1),
    ),
    pass_rule=PassRule(every_section=False, total=10),
)


def random_bank(rng: random.Random) -> list[ItemKey]:
    """Build 120 questions of every type spread over the sections S, M, P and W."""
    bank = []
    for i in range(120):
        section = rng.choice("SMPW")
        options = tuple("ABCDEFG"[: rng.randint(2, 7)])
        kind = {"S": rng.choice(["single", "true_false", "weighted"]), "M": "multiple",
                "P": rng.choice(["multiple", "multiple", "single"]), "W": "weighted"}[section]
        if kind == "weighted":
            points = {k: rng.randint(-2, 5) for k in options if rng.random() < .9}
            bank.append(ItemKey(f"q{i}", section, kind, options, points=points))
            continue
        size = rng.randint(1, len(options)) if kind == "multiple" else 1
        bank.append(ItemKey(f"q{i}", section, kind, options, frozenset(rng.sample(options, size))))
    return bank


def random_choice(rng: random.Random, item: ItemKey) -> Choice:
    """Pick what a candidate (or a buggy client) might send for a question."""
    roll = rng.random()
    if roll < .1:
        return None
    if roll < .15:
        return []
    if roll < .2:
        return "Z"
    if roll < .25:
        return [rng.choice(item.options), "Z"]
    if roll < .55:
        return rng.choice(item.options)
    return rng.sample(item.options, rng.randint(1, len(item.options)))


def reference_sections(rules: ExamRules, form: Sequence[ItemKey],
                       answers: dict[str, Choice]) -> dict[str, Fraction]:
    """Sum item_marks question by question: the rule as an auditor would write it."""
    rule_of = {rule.code: rule for rule in rules.sections}
    sections = {code: Fraction(0) for code in rule_of}
    for item in form:
        rule = rule_of[item.section]
        sections[item.section] += item_marks(rule, item, answers.get(item.question))
    return sections


def test_batch_scoring_agrees_with_the_reference_rule_on_300_random_sheets():
    rng = random.Random(20260101)
    bank = random_bank(rng)
    forms, sheets = [], []
    for _ in range(300):
        form = rng.sample(bank, rng.randint(0, 60))
        # Equal but distinct objects, as when each attempt's items are loaded separately.
        form = [dataclasses.replace(item) if rng.random() < .2 else item for item in form]
        sheet = {item.question: random_choice(rng, item) for item in form if rng.random() < .9}
        sheet["q-not-on-the-form"] = "A"
        forms.append(form)
        sheets.append(sheet)
    scores = score_batch(RANDOM_RULES, forms, sheets)
    assert len(scores) == 300
    for form, sheet, score in zip(forms, sheets, scores, strict=True):
        expected = reference_sections(RANDOM_RULES, form, sheet)
        assert score.sections == expected
        assert list(score.sections) == ["S", "M", "P", "W", "N"]
        assert score.total == sum(expected.values())
        assert score.passed is (score.total >= 10)
    assert any(score.sections["P"].denominator > 1 for score in scores)
    assert any(score.total < 0 for score in scores)
    assert score_attempt(RANDOM_RULES, forms[7], sheets[7]) == scores[7]


def test_batch_of_nothing_and_mismatched_inputs():
    assert score_batch(skd_rules(), [], []) == []
    assert score_batch(skd_rules(), [[]], [{}])[0].total == 0
    with pytest.raises(ValueError, match="forms"):
        score_batch(skd_rules(), [skd_form()], [])


def test_a_ranking_kept_one_score_at_a_time_ranks_as_rank_does():
    import random

    from exam_engine.core.scoring import AttemptScore, Ranking, rank

    rnd = random.Random(5)
    tie_break = ["TKP", "TIU", "TWK"]
    ranking, scores = Ranking(tie_break), {}
    for step in range(400):
        entry = f"A{rnd.randrange(40)}"
        if rnd.random() < 0.2:
            ranking.discard(entry)
            scores.pop(entry, None)
        else:
            # Small marks, so ties happen; now and then a half or a third (partial credit).
            sections = {c: Fraction(rnd.randrange(6), rnd.choice([1, 1, 2, 3]))
                        for c in tie_break}
            score = AttemptScore(sections=sections, total=sum(sections.values()),
                                 section_passed={}, passed=True)
            ranking.set(entry, score)
            scores[entry] = score
        assert ranking.ranks() == rank(list(scores.items()), tie_break), step
