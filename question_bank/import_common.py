"""What every importer of a non-native format shares: the same question rules, the bank code
taken from the file name, and the conventions for ids, categories and plain text."""
from __future__ import annotations

import re
from pathlib import PurePath

from question_bank.checks import Checker, code_problem
from question_bank.files import FILE, Path, Structured
from question_bank.model import ParsedBank, Problem, Question
from question_bank.native import MAX_QUESTIONS, check_question, code_from_filename

__all__ = ["MAX_QUESTIONS", "bank_from_file", "category_from_filename", "category_from_path",
           "checked_question", "plain_markdown", "question_id"]

MAX_CATEGORY = 100


def checked_question(
    item: dict, lines: dict[Path, int], seen: dict[str, int | None]
) -> tuple[Question | None, list[Problem]]:
    """Hold a question built as a native mapping to the native rules (native.check_question).

    `lines` gives the source line of its parts (`()` the question, `("options", 1)` an option);
    problem fields are native paths such as `options[1].text`.
    """
    check = Checker(Structured(value=item, lines=dict(lines)))
    question = check_question(check, item, (), seen)
    return question, check.problems


def bank_from_file(
    filename: str, questions: list[Question], problems: list[Problem]
) -> ParsedBank:
    """The bank of a file that names no code: the code comes from its file name."""
    code: str | None = code_from_filename(filename or "")
    why = code_problem(code, "the bank code made from the file name,") if code else (
        "the file name gives no bank code")
    problems = list(problems)
    if why:
        problems.append(Problem(1, "bank", f"{why}; rename the file"))
        code = None
    if not questions and not problems:
        problems.append(Problem(None, FILE, "the file holds no questions"))
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return ParsedBank(code=code, title=code, questions=questions, problems=problems,
                      code_from_filename=True)


def category_from_filename(filename: str) -> str:
    """The default category of a file with none: its name up to the first dot, upper-cased.

    "twk.txt" -> "TWK", "Soal TIU.gift" -> "SOAL TIU"; "UMUM" (general) when that is empty.
    """
    stem = PurePath(re.split(r"[\\/]", filename or "")[-1]).name.split(".")[0].strip()
    return stem.upper()[:MAX_CATEGORY] or "UMUM"


def category_from_path(path: str) -> str | None:
    """The category a Moodle path names: its last segment ("$course$/SKD/TIU" -> "TIU").

    None when no segment is left or the last is longer than a category may be.
    """
    segments = [s.strip() for s in path.split("/") if s.strip()]
    segments = [s for s in segments if not re.fullmatch(r"\$\w+\$", s)]
    if segments and len(segments[-1]) <= MAX_CATEGORY:
        return segments[-1]
    return None


def question_id(category: str, line: int) -> str:
    """The id of a question whose file gives none: `<category in lower case>-<line>`."""
    slug = re.sub(r"[^a-z0-9]+", "-", category.lower()).strip("-")[:60]
    return f"{slug or 'q'}-{line}"


_MD_INLINE = re.compile(r"([\\`*_\[\]])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+[.)])(?=\s|$)", re.MULTILINE)


def plain_markdown(text: str) -> str:
    """Plain text as Markdown that shows it literally: `<b>` stays `<b>`, `*` stays `*`."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m[1] + "\\" + m[2] if m[2][0] in "#>+-" else
                              m[1] + m[2][:-1] + "\\" + m[2][-1], text)
