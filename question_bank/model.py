"""The bank model every importer reads into (CONTRACT §2.1)."""
from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_TYPES = ("single", "weighted", "multiple", "true_false")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an uploaded file: where (line or row, field) and what."""

    line: int | None
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    correct: bool = False
    points: int | None = None


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    type: str
    text: str
    options: tuple[Option, ...]
    difficulty: float | None = None
    tags: tuple[str, ...] = ()
    explanation: str | None = None
    line: int | None = None         # where it starts in the source file

    @property
    def key(self) -> frozenset[str]:
        return frozenset(o.key for o in self.options if o.correct)

    @property
    def points(self) -> dict[str, int]:
        return {o.key: o.points for o in self.options if o.points is not None}


@dataclass
class ParsedBank:
    """The outcome of reading one file: the bank (if any question could be read) and problems.

    `questions` holds only sound questions; `problems` every problem found, in file order.
    `code_from_filename` is True when the file named no bank code and one was derived.
    """

    code: str | None
    title: str | None
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    code_from_filename: bool = False
