"""Answers + key -> section marks, totals, the pass verdict and ranks (DESIGN.md §3).

The scoring rule, in full (what an auditor re-implements; ``item_marks`` is its reference):

* A choice is blank when it is None, missing or an empty list. A choice naming a key that is
  not an option of the question ("garbage") is a wrong answer. Marks are exact fractions.
* In a ``weighted`` section a question earns the points of the chosen option (0 for an option
  that carries none); blank, garbage or more than one option chosen earn 0.
* A ``weighted`` question in any other section earns its chosen option's points the same way;
  blank earns the section's ``blank``, garbage or several options its ``wrong``.
* ``single`` and ``true_false``: ``correct`` when exactly one option is chosen and it is the
  key (a list of one key counts as that key), ``wrong`` otherwise, ``blank`` when blank.
* ``multiple``: ``correct`` when the chosen set equals the key set, ``wrong`` otherwise,
  ``blank`` when blank. With ``partial: true`` (CONTRACT §2.2): ``correct`` x (key options
  chosen / key options), "minus none": wrong picks take nothing away, garbage earns 0, the
  mark is never below 0; blank still earns ``blank``.
* A section's score is the sum of its questions' marks; the total is the sum of the sections.
* ``every_section``: the attempt passes when every section that has a ``pass_mark`` reaches it
  (score >= pass_mark); sections without one do not count. ``{total, min}``: the total reaches
  ``total`` (when set) and each section named in ``min`` reaches its minimum.
* Ranking is competition ranking ("1224"): total, then each ``tie_break`` section, all
  descending; attempts equal on all of them share a rank and the next rank skips.
* Published numbers are rounded once, at the end: half-up to two decimals, halves away from
  zero (2.345 -> 2.35, -2.345 -> -2.35), shown as an integer when the result is whole.
  Stored and hashed values are exact: an integer or the string "p/q".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm

import numpy as np

from .rules import Choice, ExamRules, ItemKey, SectionRule

SCORER_VERSION = "1"

MAX_OPTIONS = 62         # option bit masks live in int64 with room for the sign
_BLANK = 0               # chosen-option mask codes of the batch path
_GARBAGE = -2
_ABSENT = -1             # padding: the form is shorter than the longest one
_WEIGHTED, _SINGLE, _EXACT, _PARTIAL = range(4)
_Column = tuple[ItemKey, SectionRule, int]      # a distinct question, its rule, section index


@dataclass(frozen=True)
class AttemptScore:
    """The marks of one attempt and its pass verdict."""

    sections: dict[str, Fraction]      # every section code of the rules, in rules order
    total: Fraction
    section_passed: dict[str, bool]    # sections with a pass_mark only
    passed: bool


def item_marks(rule: SectionRule, item: ItemKey, choice: Choice) -> Fraction:
    """Return the mark of one question: the reference definition of the rule."""
    _check_item(item)
    chosen = _chosen(choice)
    kind = _kind(rule, item)
    if not chosen:
        return Fraction(0 if rule.weighted else rule.blank)
    if not chosen <= set(item.options):
        return Fraction(_wrong(rule, kind))
    if kind == _WEIGHTED:
        if len(chosen) != 1:
            return Fraction(_wrong(rule, kind))
        return Fraction(item.points.get(next(iter(chosen)), 0))
    if kind == _PARTIAL:
        return max(Fraction(0), Fraction(rule.correct * len(chosen & item.key), len(item.key)))
    if kind == _EXACT:
        return Fraction(rule.correct if chosen == item.key else rule.wrong)
    return Fraction(rule.correct if len(chosen) == 1 and chosen <= item.key else rule.wrong)


def score_attempt(
    rules: ExamRules, items: Sequence[ItemKey], answers: Mapping[str, Choice]
) -> AttemptScore:
    """Score one attempt; the live path takes the batch path with one row."""
    return score_batch(rules, [items], [answers])[0]


def score_batch(
    rules: ExamRules,
    forms: Sequence[Sequence[ItemKey]],
    answers: Sequence[Mapping[str, Choice]],
) -> list[AttemptScore]:
    """Score many attempts at once over candidates x positions integer matrices."""
    if len(forms) != len(answers):
        raise ValueError(f"{len(forms)} forms but {len(answers)} answer sheets")
    columns, cols, codes = _layout(rules, forms, answers)
    scale = lcm(1, *(len(item.key) for item, rule, _ in columns
                     if _kind(rule, item) == _PARTIAL))
    bound = max((_largest(item, rule) for item, rule, _ in columns), default=0)
    # Past int64 (absurd key sizes or points) the same arithmetic runs on Python ints.
    dtype = np.int64 if bound * scale * max(codes.shape[1], 1) < 2**62 else object
    marks = _marks(columns, codes.astype(dtype), cols, scale)
    section = np.array([s for _, _, s in columns], dtype=np.int64)[cols]
    sums = np.zeros((len(forms), len(rules.sections)), dtype=dtype)
    for s in range(len(rules.sections)):
        sums[:, s] = (marks * (section == s)).sum(axis=1)
    return [_result(rules, {rule.code: Fraction(int(v), scale)
                            for rule, v in zip(rules.sections, row, strict=True)})
            for row in sums.tolist()]


def rank(entries: Sequence[tuple[str, AttemptScore]], tie_break: Sequence[str]) -> dict[str, int]:
    """Rank entries by total, then the tie-break sections; equal entries share a rank."""
    if len({entry_id for entry_id, _ in entries}) != len(entries):
        raise ValueError("duplicate entry ids in a ranking")
    ranking = Ranking(tie_break)
    for entry_id, score in entries:
        ranking.set(entry_id, score)
    return ranking.ranks()


class Ranking:
    """A ranking kept up to date one score at a time; `ranks()` is what `rank` gives.

    Each entry's order key is held in whole numbers, every mark times the common
    denominator of all marks so far: sorting tuples of Fractions compares in Python code,
    and the live board of a room of 1,000 is ranked three times a second (services/live.py).
    """

    def __init__(self, tie_break: Sequence[str]) -> None:
        self.tie_break = tuple(tie_break)
        self._exact: dict = {}
        self._whole: dict = {}
        self._scale = 1

    def set(self, entry_id, score: AttemptScore) -> None:
        if any(code not in score.sections for code in self.tie_break):
            raise ValueError(f"tie_break {list(self.tie_break)} names a section that is not "
                             "scored")
        key = (Fraction(score.total), *(Fraction(score.sections[c]) for c in self.tie_break))
        self._exact[entry_id] = key
        scale = lcm(self._scale, *(v.denominator for v in key))
        if scale != self._scale:
            self._scale = scale
            self._whole = {e: self._scaled(k) for e, k in self._exact.items()}
        else:
            self._whole[entry_id] = self._scaled(key)

    def discard(self, entry_id) -> None:
        self._exact.pop(entry_id, None)
        self._whole.pop(entry_id, None)

    def __contains__(self, entry_id) -> bool:
        return entry_id in self._exact

    def ranks(self) -> dict:
        ranks: dict = {}
        previous: tuple[int, ...] | None = None
        shared = 0
        ordered = sorted(self._whole.items(), key=lambda item: item[1], reverse=True)
        for position, (entry_id, key) in enumerate(ordered, start=1):
            if key != previous:
                shared, previous = position, key
            ranks[entry_id] = shared
        return ranks

    def _scaled(self, key: tuple[Fraction, ...]) -> tuple[int, ...]:
        return tuple(v.numerator * (self._scale // v.denominator) for v in key)


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round exactly to `places` decimals, halves away from zero (-2.345 -> -2.35)."""
    if places < 0:
        raise ValueError("places must be >= 0")
    magnitude = int(abs(Fraction(value)) * 10**places + Fraction(1, 2))
    sign = 1 if value < 0 and magnitude else 0
    return Decimal((sign, tuple(int(d) for d in str(magnitude)), -places))


def public_number(value: Fraction) -> int | float:
    """Return the published number: an int when it is whole after rounding, else a float."""
    rounded = round_half_up(value, 2)
    # Same published value, same spelling: 2.999 publishes as 3, like an exact 3.
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def exact(value: Fraction) -> int | str:
    """Return the exact value for canonical JSON: an int, or "p/q"."""
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _chosen(choice: Choice) -> frozenset[object]:
    if choice is None:
        return frozenset()
    if isinstance(choice, list | tuple):
        return frozenset(choice)
    return frozenset([choice])


def _kind(rule: SectionRule, item: ItemKey) -> int:
    if rule.weighted or item.type == "weighted":
        return _WEIGHTED
    if item.type == "multiple":
        return _PARTIAL if rule.partial else _EXACT
    return _SINGLE


def _wrong(rule: SectionRule, kind: int) -> int:
    # A weighted section has no `wrong`, and partial credit is "minus none".
    return 0 if rule.weighted or kind == _PARTIAL else rule.wrong


def _check_item(item: ItemKey) -> None:
    # Bad keys would make the two paths disagree; the bank validators refuse them first.
    options = set(item.options)
    if len(item.options) > MAX_OPTIONS or len(options) != len(item.options):
        raise ValueError(f"question {item.question!r}: too many or repeated options")
    if not item.key <= options or not set(item.points) <= options:
        raise ValueError(f"question {item.question!r}: key or points name a missing option")
    if item.type == "multiple" and not item.key:
        raise ValueError(f"question {item.question!r}: multiple without a key")


def _encode(bits: dict[str, int], choice: Choice) -> int:
    if isinstance(choice, str):
        return bits.get(choice, _GARBAGE)
    mask = 0
    for key in _chosen(choice):
        if key not in bits:
            return _GARBAGE
        mask |= bits[key]
    return mask


def _largest(item: ItemKey, rule: SectionRule) -> int:
    return max(abs(rule.correct), abs(rule.wrong), abs(rule.blank),
               *(abs(p) for p in item.points.values()))


def _layout(
    rules: ExamRules, forms: Sequence[Sequence[ItemKey]], answers: Sequence[Mapping[str, Choice]]
) -> tuple[list[_Column], np.ndarray, np.ndarray]:
    """Return the distinct questions, and per candidate x position their column and choice."""
    section_of = {rule.code: i for i, rule in enumerate(rules.sections)}
    width = max((len(form) for form in forms), default=0)
    cols = np.zeros((len(forms), width), dtype=np.int64)
    codes = np.full((len(forms), width), _ABSENT, dtype=np.int64)
    table: dict[int, int] = {}          # id(ItemKey) -> column; forms usually share the objects
    columns: list[_Column] = []
    bits: list[dict[str, int]] = []
    for row, (form, sheet) in enumerate(zip(forms, answers, strict=True)):
        row_cols, row_codes = [], []        # filled as lists: numpy item assignment is slow
        for item in form:
            col = table.get(id(item))
            if col is None:
                if item.section not in section_of:
                    raise ValueError(f"question {item.question!r} is in unknown section "
                                     f"{item.section!r}")
                _check_item(item)
                col = table[id(item)] = len(columns)
                s = section_of[item.section]
                columns.append((item, rules.sections[s], s))
                bits.append({key: 1 << i for i, key in enumerate(item.options)})
            row_cols.append(col)
            row_codes.append(_encode(bits[col], sheet.get(item.question)))
        cols[row, :len(form)] = row_cols
        codes[row, :len(form)] = row_codes
    return columns, cols, codes


def _marks(columns: list[_Column], codes: np.ndarray, cols: np.ndarray,
           scale: int) -> np.ndarray:
    """Return every position's mark times `scale` (0 for padding)."""
    def gather(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=codes.dtype)[cols]

    kinds = [_kind(r, i) for i, r, _ in columns]
    kind = gather(kinds)
    key = gather([sum(1 << i.options.index(k) for k in i.key) for i, _, _ in columns])
    size = gather([max(len(i.key), 1) for i, _, _ in columns])
    right = gather([r.correct for _, r, _ in columns])
    wrong = gather([_wrong(r, k) for (_, r, _), k in zip(columns, kinds, strict=True)])
    blank = gather([0 if r.weighted else r.blank for _, r, _ in columns])
    width = max((len(item.options) for item, _, _ in columns), default=0)
    points = np.array([[i.points.get(o, 0) for o in i.options] + [0] * (width - len(i.options))
                       for i, _, _ in columns], dtype=codes.dtype).reshape(len(columns), width)
    chosen = np.where(codes > 0, codes, 0)
    picked = np.zeros_like(codes)
    hits = np.zeros_like(codes)
    earned = np.zeros_like(codes)
    for b in range(width):
        bit = (chosen >> b) & 1
        picked += bit
        hits += bit & (key >> b)
        earned += bit * points[cols, b]
    mark = np.select(
        [kind == _WEIGHTED, kind == _SINGLE, kind == _EXACT],
        [np.where(picked == 1, earned, wrong),
         np.where((picked == 1) & (hits == 1), right, wrong),
         np.where(chosen == key, right, wrong)],
        default=0,
    ) * scale
    # Partial credit: correct x hits / size, kept whole by the common denominator `scale`.
    mark = np.where(kind == _PARTIAL, np.maximum(0, right * (hits * (scale // size))), mark)
    mark = np.where(codes == _BLANK, blank * scale, mark)
    mark = np.where(codes == _GARBAGE, wrong * scale, mark)
    return np.where(codes == _ABSENT, 0, mark)


def _result(rules: ExamRules, sections: dict[str, Fraction]) -> AttemptScore:
    total = sum(sections.values(), Fraction(0))
    section_passed = {rule.code: sections[rule.code] >= rule.pass_mark
                      for rule in rules.sections if rule.pass_mark is not None}
    pass_rule = rules.pass_rule
    if pass_rule.every_section:
        passed = all(section_passed.values())
    else:
        for code in pass_rule.minimums:
            if code not in sections:
                raise ValueError(f"pass rule names unknown section {code!r}")
        passed = (pass_rule.total is None or total >= pass_rule.total) and all(
            sections[code] >= minimum for code, minimum in pass_rule.minimums.items())
    return AttemptScore(sections, total, section_passed, passed)
