"""Plain data that describes an exam's scoring rules and a candidate's form.

These are the inputs of scoring (scoring.py) and randomization (randomization.py). They are
built by the services from the database and by the verifier from a bundle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

QuestionType = Literal["single", "weighted", "multiple", "true_false"]
# A candidate's choice: one option key, a list of keys (multiple), or None (blank).
Choice = str | list[str] | None


@dataclass(frozen=True)
class SectionRule:
    """How one section is marked and what it takes to pass it."""

    code: str
    title: str
    weighted: bool = False          # `scoring: weighted`: option points from the bank
    correct: int = 0                # points for a right answer (non-weighted sections)
    wrong: int = 0                  # points for a wrong answer (may be negative)
    blank: int = 0                  # points for no answer
    partial: bool = False           # `multiple`: points x fraction of the key chosen
    pass_mark: int | None = None


@dataclass(frozen=True)
class PassRule:
    """`every_section` (each section reaches its pass_mark) or `{total, min}`."""

    every_section: bool = True
    total: int | None = None
    minimums: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExamRules:
    sections: tuple[SectionRule, ...]
    pass_rule: PassRule
    tie_break: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemKey:
    """What scoring needs of one question on a form (never sent to a candidate)."""

    question: str                   # the question id, as the candidate sees it
    section: str
    type: QuestionType
    options: tuple[str, ...]        # option keys in bank order
    key: frozenset[str] = frozenset()           # correct keys (single/true_false/multiple)
    points: dict[str, int] = field(default_factory=dict)  # weighted: key -> points
