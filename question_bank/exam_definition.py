"""Read and check an exam definition (CONTRACT §2.2) from a YAML/JSON file or a JSON body."""
from __future__ import annotations

import re
from typing import Any

from exam_engine.core.rules import ExamRules, PassRule, SectionRule
from question_bank.checks import Checker, describe, is_int
from question_bank.exam_model import (
    RESULT_TO_CANDIDATE,
    SCOREBOARD_MODES,
    SCOREBOARD_NAMES,
    DrawDef,
    ExamDefinition,
    PassRuleDef,
    ScoreboardDef,
    ScoringDef,
    SectionDef,
)
from question_bank.files import Path, Structured, load_structured
from question_bank.model import Problem

__all__ = [  # the dataclasses live in exam_model.py and are re-exported from here
    "DrawDef", "ExamDefinition", "PassRuleDef", "ScoreboardDef", "ScoringDef", "SectionDef",
    "parse_exam_definition", "to_rules",
]

EXAM_KEYS = (
    "exam", "title", "duration_minutes", "shuffle_questions", "shuffle_options", "sections",
    "pass_rule", "tie_break", "result_to_candidate", "scoreboard",
)
SECTION_KEYS = ("code", "title", "draw", "scoring", "pass_mark")
DRAW_KEYS = ("bank", "category", "count")
SCORING_KEYS = ("correct", "wrong", "blank", "partial")
PASS_RULE_KEYS = ("total", "min")
SCOREBOARD_KEYS = ("public", "names", "mode")

SECTION_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
MAX_SECTIONS = 50
MAX_DRAW = 10_000
MAX_MARK = 1_000_000        # bound for pass marks and totals
MAX_POINTS = 1_000          # bound for per-answer marks


def parse_exam_definition(
    data: bytes | None, filename: str | None, obj: dict | None = None
) -> tuple[ExamDefinition | None, list[Problem]]:
    """Check a definition from file bytes, or from `obj` (a parsed JSON body; lines are None).

    Returns the definition when there is no problem, else None and every problem found.
    """
    if obj is not None:
        doc, problems = Structured(obj), []
    else:
        loaded, problems = load_structured(data or b"", filename)
        if loaded is None:
            return None, problems
        doc = loaded
    check = Checker(doc, problems)
    root = check.mapping(doc.value, (), "an exam definition")
    definition = _exam(check, root) if root is not None else None
    if check.problems:
        return None, check.sorted_problems()
    return definition, []


def to_rules(defn: ExamDefinition) -> ExamRules:
    """The core's plain scoring rules for this definition."""
    return ExamRules(
        sections=tuple(
            SectionRule(
                code=s.code,
                title=s.title,
                weighted=s.scoring.weighted,
                correct=s.scoring.correct,
                wrong=s.scoring.wrong,
                blank=s.scoring.blank,
                partial=s.scoring.partial,
                pass_mark=s.pass_mark,
            )
            for s in defn.sections
        ),
        pass_rule=PassRule(
            every_section=defn.pass_rule.every_section,
            total=defn.pass_rule.total,
            minimums=dict(defn.pass_rule.minimums),
        ),
        tie_break=defn.tie_break,
    )


def _exam(check: Checker, root: dict) -> ExamDefinition | None:
    check.known_keys(root, (), EXAM_KEYS)
    code = check.code(root, (), "exam", "exam code")
    title = check.text(root, (), "title", max_len=200) or code
    duration = check.integer(root, (), "duration_minutes", low=1, high=1440, required=True)
    shuffle_questions = check.boolean(root, (), "shuffle_questions", True)
    shuffle_options = check.boolean(root, (), "shuffle_options", True)
    raw_sections = root.get("sections")
    # References (pass_rule.min, tie_break) are checked against every code the file names,
    # so that one bad section does not also make each mention of it a problem.
    named = [
        str(item.get("code")) for item in _as_list(raw_sections) if isinstance(item, dict)
    ]
    pass_rule = _pass_rule(check, root.get("pass_rule"), named)
    sections = _sections(check, raw_sections)
    codes = [s.code for s in sections]
    tie_break = _tie_break(check, root.get("tie_break"), named)
    result = check.choice(root, (), "result_to_candidate", RESULT_TO_CANDIDATE, "score")
    scoreboard = _scoreboard(check, root.get("scoreboard"))
    if code is None or duration is None or pass_rule is None or result is None:
        return None
    return ExamDefinition(
        code=code,
        title=title or code,
        duration_minutes=duration,
        shuffle_questions=shuffle_questions,
        shuffle_options=shuffle_options,
        sections=tuple(sections),
        pass_rule=pass_rule,
        tie_break=tuple(codes) if tie_break is None else tie_break,
        result_to_candidate=result,
        scoreboard=scoreboard,
    )


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _sections(check: Checker, raw: Any) -> list[SectionDef]:
    path: Path = ("sections",)
    if raw is None:
        check.add(path, "sections is required: a list of sections")
        return []
    if not isinstance(raw, list) or not raw:
        check.add(path, f"sections must be a non-empty list, found {describe(raw)}")
        return []
    if len(raw) > MAX_SECTIONS:
        check.add(path, f"{len(raw)} sections; at most {MAX_SECTIONS} are allowed")
        return []
    sections: list[SectionDef] = []
    seen_codes: dict[str, int | None] = {}
    seen_draws: dict[tuple[str, str], int | None] = {}
    for index, item in enumerate(raw):
        section = _section(check, item, (*path, index), seen_draws)
        if section is None:
            continue
        if section.code in seen_codes:
            message = (
                f"duplicate section code {section.code!r} "
                f"(first at line {seen_codes[section.code]})"
            )
            check.add((*path, index, "code"), message)
            continue
        seen_codes[section.code] = check.doc.line((*path, index, "code"))
        sections.append(section)
    return sections


def _section(
    check: Checker, item: Any, path: Path, seen_draws: dict[tuple[str, str], int | None]
) -> SectionDef | None:
    if check.mapping(item, path, "a section") is None:
        return None
    check.known_keys(item, path, SECTION_KEYS)
    code = check.text(item, path, "code", required=True, max_len=10_000)
    if code is not None and not SECTION_CODE_RE.fullmatch(code):
        message = (
            f"section code {code!r} is not valid: up to 32 letters, digits, '_' and '-', "
            "starting with a letter or digit"
        )
        check.add((*path, "code"), message)
        code = None
    title = check.text(item, path, "title", max_len=200)
    draws = _draws(check, item.get("draw"), (*path, "draw"), seen_draws)
    scoring = _scoring(check, item.get("scoring"), (*path, "scoring"))
    pass_mark = check.integer(item, path, "pass_mark", low=-MAX_MARK, high=MAX_MARK)
    if code is None or draws is None or scoring is None:
        return None
    return SectionDef(code, title or code, draws, scoring, pass_mark)


def _draws(
    check: Checker, raw: Any, path: Path, seen: dict[tuple[str, str], int | None]
) -> tuple[DrawDef, ...] | None:
    if raw is None:
        check.add(path, "draw is required: a list of {bank, category, count}")
        return None
    if not isinstance(raw, list) or not raw:
        check.add(path, f"draw must be a non-empty list of {{bank, category, count}}, "
                        f"found {describe(raw)}")
        return None
    draws = []
    for index, item in enumerate(raw):
        where = (*path, index)
        if check.mapping(item, where, "a draw") is None:
            continue
        check.known_keys(item, where, DRAW_KEYS)
        bank = check.code(item, where, "bank", "bank code")
        category = check.text(item, where, "category", required=True, max_len=100)
        count = check.integer(item, where, "count", low=1, high=MAX_DRAW, required=True)
        if bank is None or category is None:
            continue
        if (bank, category) in seen:
            message = (
                f"duplicate draw of bank {bank!r} category {category!r} "
                f"(first at line {seen[bank, category]}); put the count in one draw"
            )
            check.add(where, message)
            continue
        seen[bank, category] = check.doc.line(where)
        if count is not None:
            draws.append(DrawDef(bank, category, count))
    return tuple(draws) if len(draws) == len(raw) else None


def _scoring(check: Checker, raw: Any, path: Path) -> ScoringDef | None:
    if raw == "weighted":
        return ScoringDef(weighted=True)
    if raw is None:
        check.add(path, "scoring is required: weighted, or {correct, wrong, blank}")
        return None
    if not isinstance(raw, dict):
        check.add(path, f"scoring must be weighted or {{correct, wrong, blank}}, "
                        f"found {describe(raw)}")
        return None
    check.known_keys(raw, path, SCORING_KEYS)
    before = len(check.problems)
    correct = check.integer(raw, path, "correct", low=0, high=MAX_POINTS, required=True)
    wrong = check.integer(raw, path, "wrong", low=-MAX_POINTS, high=MAX_POINTS) or 0
    blank = check.integer(raw, path, "blank", low=-MAX_POINTS, high=MAX_POINTS) or 0
    partial = check.boolean(raw, path, "partial", False)
    if correct is None or len(check.problems) != before:
        return None
    return ScoringDef(correct=correct, wrong=wrong, blank=blank, partial=partial)


def _pass_rule(check: Checker, raw: Any, codes: list[str]) -> PassRuleDef | None:
    path: Path = ("pass_rule",)
    if raw is None or raw == "every_section":
        return PassRuleDef()
    if not isinstance(raw, dict):
        check.add(path, f"pass_rule must be every_section or {{total, min}}, found {describe(raw)}")
        return None
    check.known_keys(raw, path, PASS_RULE_KEYS)
    total = check.integer(raw, path, "total", low=-MAX_MARK, high=MAX_MARK)
    minimums: dict[str, int] = {}
    raw_min = raw.get("min")
    if raw_min is not None and check.mapping(raw_min, (*path, "min"), "min") is not None:
        for section, value in raw_min.items():
            where = (*path, "min", section)
            if section not in codes:
                check.add(where, f"min names {section!r}, which is not a section of this exam")
            elif not is_int(value) or abs(value) > MAX_MARK:
                check.add(where, f"min for {section} must be a whole number, "
                                 f"found {describe(value)}")
            else:
                minimums[section] = value
    if total is None and not minimums:
        check.add(path, "pass_rule needs total, min, or both (or write every_section)")
        return None
    return PassRuleDef(every_section=False, total=total, minimums=minimums)


def _tie_break(check: Checker, raw: Any, codes: list[str]) -> tuple[str, ...] | None:
    path: Path = ("tie_break",)
    if raw is None:
        return None
    if not isinstance(raw, list):
        check.add(path, f"tie_break must be a list of section codes, found {describe(raw)}")
        return None
    order: list[str] = []
    for index, code in enumerate(raw):
        if code not in codes:
            shown = repr(code) if isinstance(code, str) else describe(code)
            check.add((*path, index), f"tie_break names {shown}, which is not a section")
        elif code in order:
            check.add((*path, index), f"tie_break names {code!r} twice")
        else:
            order.append(code)
    return tuple(order)


def _scoreboard(check: Checker, raw: Any) -> ScoreboardDef:
    path: Path = ("scoreboard",)
    if raw is None or check.mapping(raw, path, "scoreboard") is None:
        return ScoreboardDef()
    check.known_keys(raw, path, SCOREBOARD_KEYS)
    return ScoreboardDef(
        public=check.boolean(raw, path, "public", True),
        names=check.choice(raw, path, "names", SCOREBOARD_NAMES, "full") or "full",
        mode=check.choice(raw, path, "mode", SCOREBOARD_MODES, "on_submit") or "on_submit",
    )
