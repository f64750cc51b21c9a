"""An exam definition as plain, checked data (CONTRACT §2.2), and its normalized dict form."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RESULT_TO_CANDIDATE = ("none", "score", "score_and_pass")
SCOREBOARD_NAMES = ("full", "masked", "hidden")
SCOREBOARD_MODES = ("on_submit", "live")


@dataclass(frozen=True)
class DrawDef:
    """Draw `count` questions of `category` from bank `bank` (its latest revision)."""

    bank: str
    category: str
    count: int


@dataclass(frozen=True)
class ScoringDef:
    """`scoring: weighted` (option points from the bank) or fixed marks per outcome."""

    weighted: bool = False
    correct: int = 0
    wrong: int = 0
    blank: int = 0
    partial: bool = False           # `multiple`: correct x fraction of the key chosen

    def to_value(self) -> str | dict[str, Any]:
        if self.weighted:
            return "weighted"
        return {
            "correct": self.correct,
            "wrong": self.wrong,
            "blank": self.blank,
            "partial": self.partial,
        }

    @classmethod
    def from_value(cls, value: str | dict[str, Any]) -> ScoringDef:
        if value == "weighted":
            return cls(weighted=True)
        return cls(
            correct=value["correct"],
            wrong=value.get("wrong", 0),
            blank=value.get("blank", 0),
            partial=value.get("partial", False),
        )


@dataclass(frozen=True)
class SectionDef:
    code: str
    title: str
    draws: tuple[DrawDef, ...]
    scoring: ScoringDef
    pass_mark: int | None = None


@dataclass(frozen=True)
class PassRuleDef:
    """`every_section` (each section reaches its pass_mark) or `{total, min}`."""

    every_section: bool = True
    total: int | None = None
    minimums: dict[str, int] = field(default_factory=dict)

    def to_value(self) -> str | dict[str, Any]:
        if self.every_section:
            return "every_section"
        return {"total": self.total, "min": dict(self.minimums)}

    @classmethod
    def from_value(cls, value: str | dict[str, Any]) -> PassRuleDef:
        if value == "every_section":
            return cls()
        return cls(
            every_section=False,
            total=value.get("total"),
            minimums=dict(value.get("min") or {}),
        )


@dataclass(frozen=True)
class ScoreboardDef:
    public: bool = True
    names: str = "full"             # full | masked | hidden
    mode: str = "on_submit"         # on_submit | live


@dataclass(frozen=True)
class ExamDefinition:
    """A checked exam definition; `to_dict()` is what the database keeps."""

    code: str
    title: str
    duration_minutes: int
    shuffle_questions: bool = True
    shuffle_options: bool = True
    sections: tuple[SectionDef, ...] = ()
    pass_rule: PassRuleDef = field(default_factory=PassRuleDef)
    tie_break: tuple[str, ...] = ()
    result_to_candidate: str = "score"
    scoreboard: ScoreboardDef = field(default_factory=ScoreboardDef)

    def to_dict(self) -> dict[str, Any]:
        """The normalized definition, every default filled in, in the file format's shape."""
        return {
            "exam": self.code,
            "title": self.title,
            "duration_minutes": self.duration_minutes,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options,
            "sections": [
                {
                    "code": s.code,
                    "title": s.title,
                    "draw": [
                        {"bank": d.bank, "category": d.category, "count": d.count}
                        for d in s.draws
                    ],
                    "scoring": s.scoring.to_value(),
                    "pass_mark": s.pass_mark,
                }
                for s in self.sections
            ],
            "pass_rule": self.pass_rule.to_value(),
            "tie_break": list(self.tie_break),
            "result_to_candidate": self.result_to_candidate,
            "scoreboard": {
                "public": self.scoreboard.public,
                "names": self.scoreboard.names,
                "mode": self.scoreboard.mode,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExamDefinition:
        """Rebuild from `to_dict()` output (trusted: nothing is checked)."""
        return cls(
            code=data["exam"],
            title=data["title"],
            duration_minutes=data["duration_minutes"],
            shuffle_questions=data["shuffle_questions"],
            shuffle_options=data["shuffle_options"],
            sections=tuple(
                SectionDef(
                    code=s["code"],
                    title=s["title"],
                    draws=tuple(DrawDef(d["bank"], d["category"], d["count"]) for d in s["draw"]),
                    scoring=ScoringDef.from_value(s["scoring"]),
                    pass_mark=s.get("pass_mark"),
                )
                for s in data["sections"]
            ),
            pass_rule=PassRuleDef.from_value(data["pass_rule"]),
            tie_break=tuple(data["tie_break"]),
            result_to_candidate=data["result_to_candidate"],
            scoreboard=ScoreboardDef(**data["scoreboard"]),
        )
