"""Read a question bank in the native format (CONTRACT §2.1): `.yaml`, `.yml` or `.json`."""
from __future__ import annotations

import re
from typing import Any

from question_bank.checks import Checker, code_problem, describe, is_int, is_number
from question_bank.files import Path, load_structured
from question_bank.model import QUESTION_TYPES, Option, ParsedBank, Problem, Question

BANK_KEYS = ("bank", "title", "questions")
QUESTION_KEYS = ("id", "category", "type", "text", "options", "difficulty", "tags", "explanation")
OPTION_KEYS = ("key", "text", "correct", "points")

MAX_QUESTIONS = 100_000
MAX_OPTIONS = 26
MAX_TEXT = 20_000           # question text and explanation
MAX_OPTION_TEXT = 5_000
MAX_POINTS = 10_000
MAX_TAGS = 50


def parse_native_bank(data: bytes, filename: str) -> ParsedBank:
    """Read and check a native bank file; every problem comes back with its line and field."""
    doc, problems = load_structured(data, filename)
    if doc is None:
        return ParsedBank(code=None, title=None, problems=problems)
    check = Checker(doc, problems)
    root = doc.value
    if not isinstance(root, dict):
        check.add((), f"a bank file holds bank, title and questions; found {describe(root)}")
        return ParsedBank(code=None, title=None, problems=check.sorted_problems())
    check.known_keys(root, (), BANK_KEYS)
    code, from_filename = _bank_code(check, root, filename)
    title = check.text(root, (), "title", max_len=200) or code
    questions = _questions(check, root.get("questions"))
    return ParsedBank(
        code=code,
        title=title,
        questions=questions,
        problems=check.sorted_problems(),
        code_from_filename=from_filename,
    )


def code_from_filename(filename: str) -> str:
    """The bank code a file name suggests: "Bank Soal.yaml" -> "bank-soal" (may be invalid)."""
    name = re.split(r"[\\/]", filename)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return re.sub(r"[^a-z0-9-]", "-", stem.lower())


def _bank_code(check: Checker, root: dict, filename: str) -> tuple[str | None, bool]:
    if root.get("bank") is not None:
        return check.code(root, (), "bank", "bank code"), False
    derived = code_from_filename(filename or "")
    problem = code_problem(derived, "the bank code made from the file name,") if derived else (
        "the file names no bank code and its name gives none"
    )
    if problem:
        check.problems.append(
            Problem(1, "bank", f"{problem}; add a line `bank: <code>` at the top")
        )
        return None, True
    return derived, True


def _questions(check: Checker, raw: Any) -> list[Question]:
    path: Path = ("questions",)
    if raw is None:
        check.add(path, "questions is required: a list of questions")
        return []
    if not isinstance(raw, list):
        check.add(path, f"questions must be a list, found {describe(raw)}")
        return []
    if not raw:
        check.add(path, "questions is empty; a bank needs at least one question")
        return []
    if len(raw) > MAX_QUESTIONS:
        check.add(path, f"{len(raw)} questions; a bank holds at most {MAX_QUESTIONS}")
        return []
    seen: dict[str, int | None] = {}
    sound = []
    for index, item in enumerate(raw):
        question = check_question(check, item, (*path, index), seen)
        if question is not None:
            sound.append(question)
    return sound


def check_question(
    check: Checker, item: Any, path: Path, seen: dict[str, int | None]
) -> Question | None:
    """Check one question mapping; the Question if it is sound, else None (problems added).

    `seen` maps the ids met so far to their lines, to catch duplicates across the bank.
    """
    before = len(check.problems)
    if check.mapping(item, path, "a question") is None:
        return None
    check.known_keys(item, path, QUESTION_KEYS)
    qid = check.text(item, path, "id", required=True, max_len=100)
    if qid is not None:
        if qid in seen:
            check.add((*path, "id"), f"duplicate question id {qid!r} (first at line {seen[qid]})")
        else:
            seen[qid] = check.doc.line((*path, "id"))
    category = check.text(item, path, "category", required=True, max_len=100)
    qtype = check.choice(item, path, "type", QUESTION_TYPES, default=None)
    text = check.text(item, path, "text", required=True, max_len=MAX_TEXT)
    options = _options(check, item.get("options"), (*path, "options"), qtype)
    difficulty = _difficulty(check, item, path)
    tags = _tags(check, item.get("tags"), (*path, "tags"))
    explanation = check.text(item, path, "explanation", max_len=MAX_TEXT)
    if not check.clean_since(before, path):
        return None
    if qid is None or category is None or qtype is None or text is None or options is None:
        return None                     # unreachable: each of these added a problem
    return Question(
        id=qid,
        category=category,
        type=qtype,
        text=text,
        options=options,
        difficulty=difficulty,
        tags=tags,
        explanation=explanation,
        line=check.doc.line(path),
    )


def _options(check: Checker, raw: Any, path: Path, qtype: str | None) -> tuple[Option, ...] | None:
    if raw is None:
        check.add(path, "options is required: a list of at least 2 options")
        return None
    if not isinstance(raw, list):
        check.add(path, f"options must be a list, found {describe(raw)}")
        return None
    if not 2 <= len(raw) <= MAX_OPTIONS:
        check.add(path, f"a question needs 2 to {MAX_OPTIONS} options, found {len(raw)}")
        return None
    options: list[Option] = []
    first_line: dict[str, int | None] = {}
    for index, item in enumerate(raw):
        option = _option(check, item, (*path, index), qtype)
        if option is None:
            continue
        if option.key in first_line:
            message = (
                f"duplicate option key {option.key!r} in this question "
                f"(first at line {first_line[option.key]})"
            )
            check.add((*path, index, "key"), message)
        else:
            first_line[option.key] = check.doc.line((*path, index))
        options.append(option)
    if qtype is not None and len(options) == len(raw):
        _type_rules(check, raw, options, path, qtype)
    return tuple(options)


def _option(check: Checker, item: Any, path: Path, qtype: str | None) -> Option | None:
    if check.mapping(item, path, "an option") is None:
        return None
    check.known_keys(item, path, OPTION_KEYS)
    key = check.text(item, path, "key", required=True, max_len=8)
    text = check.text(item, path, "text", required=True, max_len=MAX_OPTION_TEXT)
    correct = check.boolean(item, path, "correct", default=False)
    points = check.integer(item, path, "points", low=-MAX_POINTS, high=MAX_POINTS)
    if points is not None and qtype not in (None, "weighted"):
        check.add((*path, "points"), f"points belong to weighted questions, not {qtype}")
    if key is None or text is None:
        return None
    return Option(key=key, text=text, correct=correct, points=points)


def _type_rules(
    check: Checker, raw: list, options: list[Option], path: Path, qtype: str
) -> None:
    correct = sum(option.correct for option in options)
    if qtype == "weighted":
        for index, option in enumerate(options):
            where = (*path, index)
            if option.correct:
                check.add((*where, "correct"), "weighted options carry points, not correct: true")
            if raw[index].get("points") is None:
                check.add((*where, "points"), f"weighted option {option.key!r} needs points")
        return
    if qtype == "true_false":
        keys = sorted(option.key for option in options)
        if keys != ["F", "T"]:
            message = (
                "true_false question needs exactly two options with keys T and F, "
                f"found {', '.join(option.key for option in options)}"
            )
            check.add(path, message)
    if qtype in ("single", "true_false") and correct != 1:
        check.add(path, f"{qtype} question needs exactly one correct option, found {correct}")
    if qtype == "multiple" and correct == 0:
        check.add(path, "multiple question needs at least one correct option, found 0")


def _difficulty(check: Checker, item: dict, path: Path) -> float | None:
    value = item.get("difficulty")
    if value is None:
        return None
    if not is_number(value) or not 0 <= value <= 1:
        check.add((*path, "difficulty"), f"difficulty must be from 0 to 1, found {describe(value)}")
        return None
    return float(value)


def _tags(check: Checker, raw: Any, path: Path) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.add(path, f"tags must be a list, found {describe(raw)}")
        return ()
    if len(raw) > MAX_TAGS:
        check.add(path, f"{len(raw)} tags; at most {MAX_TAGS} are allowed")
        return ()
    tags = []
    for index, value in enumerate(raw):
        if is_int(value):
            value = check.doc.as_text((*path, index), value)
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            check.add((*path, index), f"a tag must be text of 1 to 100 characters, found "
                      f"{describe(value)}")
        else:
            tags.append(value.strip())
    return tuple(tags)
