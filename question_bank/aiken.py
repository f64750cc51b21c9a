"""Read a question bank in the Aiken format (Moodle's plain-text multiple choice).

    Ibu kota Indonesia adalah ...
    A. Bandung
    B) Jakarta
    ANSWER: B

A question is its text (one or more lines), then option lines `A.` or `A)` (a space after the
label is optional, as Moodle allows), then `ANSWER: <letter>`; a blank line may separate
questions. `ANSWER: A, C` (letters joined by `,` or `;`) makes a `multiple` question, an
extension of ours. Aiken is plain text, so `<b>` or `*` show as written (escaped for Markdown).

Aiken has no categories. The category is the file name up to its first dot, upper-cased
("twk.txt" -> TWK), so one file per exam section needs nothing more; a line
`$CATEGORY: path` (as in GIFT; the last segment of the path counts) sets the category of the
questions after it. The first line of a question is always its text, even if it reads like
an option ("A. Yani adalah ..."). Ids are `<category in lower case>-<line>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from question_bank.files import FILE, decode_text
from question_bank.import_common import (
    MAX_QUESTIONS,
    bank_from_file,
    category_from_filename,
    category_from_path,
    checked_question,
    plain_markdown,
    question_id,
)
from question_bank.located import Path
from question_bank.model import ParsedBank, Problem, Question

OPTION_RE = re.compile(r"([A-Z])[.)]\s*(.*)")
ANSWER_RE = re.compile(r"ANSWER\s*:\s*(.*)", re.IGNORECASE)
CATEGORY_RE = re.compile(r"\$CATEGORY:\s*(.*)")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class _Draft:
    line: int
    category: str
    stem: list[str] = field(default_factory=list)
    options: list[tuple[int, str, str]] = field(default_factory=list)   # line, letter, text


def parse_aiken(data: bytes, filename: str) -> ParsedBank:
    """Read an Aiken file; every problem comes back with its line."""
    text, problems = decode_text(data)
    if text is None:
        return bank_from_file(filename, [], problems)
    reader = _Reader(category_from_filename(filename))
    for number, raw in enumerate(LINE_BREAK.split(text), 1):
        reader.line(number, raw.strip())
        if reader.count > MAX_QUESTIONS:
            message = f"more than {MAX_QUESTIONS} questions; a bank holds at most {MAX_QUESTIONS}"
            return bank_from_file(filename, [], [Problem(number, FILE, message)])
    reader.end_of_question()
    return bank_from_file(filename, reader.questions, reader.problems)


class _Reader:
    """Reads line by line; a question ends at its ANSWER line (or is reported unfinished)."""

    def __init__(self, category: str) -> None:
        self.category = category
        self.current: _Draft | None = None
        self.questions: list[Question] = []
        self.problems: list[Problem] = []
        self.seen: dict[str, int | None] = {}
        self.count = 0

    def line(self, number: int, text: str) -> None:
        option = OPTION_RE.fullmatch(text)
        answer = ANSWER_RE.fullmatch(text)
        current = self.current
        if not text:
            self.end_of_question()            # a question never spans a blank line
        elif CATEGORY_RE.fullmatch(text):
            self.end_of_question()
            self._set_category(number, CATEGORY_RE.fullmatch(text)[1])
        elif answer:
            if current is None:
                self.problems.append(Problem(number, "answer", "an ANSWER line with no "
                                             "question before it"))
            else:
                self._finish(current, number, answer[1].strip())
        elif option and current is not None:
            current.options.append((number, option[1], option[2].strip()))
        elif current is not None and not current.options:
            current.stem.append(text)
        else:
            self.end_of_question()
            self.count += 1
            self.current = _Draft(number, self.category, [text])

    def end_of_question(self) -> None:
        """The question being read stops here without its ANSWER line: a problem."""
        current, self.current = self.current, None
        if current is None:
            return
        if not current.options:
            message = "the question has no options (lines `A. text`) and no ANSWER line"
            message += _stray_option(current)
            self.problems.append(Problem(current.line, "options", message))
            return
        after = current.options[-1][0]
        self.problems.append(Problem(current.line, "answer", "the question has no ANSWER "
                                     f"line: add `ANSWER: <letter>` after line {after}"))

    def _set_category(self, number: int, path: str) -> None:
        category = category_from_path(path)
        if category is not None:
            self.category = category
        else:
            self.problems.append(Problem(number, "category", "$CATEGORY: gives no category "
                                         "name of 1 to 100 characters"))

    def _finish(self, draft: _Draft, number: int, answer: str) -> None:
        self.current = None
        if not draft.options:
            message = f"ANSWER comes before any option: the question at line {draft.line} has "
            self.problems.append(Problem(number, "answer", message + "no options"
                                         + _stray_option(draft)))
            return
        letters = [part.strip().upper() for part in re.split(r"[;,]", answer) if part.strip()]
        keys = [letter for _, letter, _ in draft.options]
        bad = [letter for letter in letters if letter not in keys]
        if not letters or bad or any(len(letter) != 1 for letter in letters):
            self.problems.append(Problem(number, "answer", f"ANSWER must name option letters "
                                         f"({', '.join(keys)}), found {answer!r}"))
            return
        options = [{"key": letter, "text": plain_markdown(text)}
                   | ({"correct": True} if letter in letters else {})
                   for _, letter, text in draft.options]
        item = {"id": question_id(draft.category, draft.line), "category": draft.category,
                "type": "multiple" if len(set(letters)) > 1 else "single",
                "text": plain_markdown("\n".join(draft.stem)), "options": options}
        lines: dict[Path, int] = {(): draft.line, ("options",): draft.options[0][0]}
        lines.update({("options", i): line for i, (line, _, _) in enumerate(draft.options)})
        question, problems = checked_question(item, lines, self.seen)
        self.problems.extend(problems)
        if question is not None and not problems:
            self.questions.append(question)


def _stray_option(draft: _Draft) -> str:
    """A hint when a question's only line reads like an option: its text is missing."""
    looks = OPTION_RE.fullmatch(draft.stem[0])
    if looks is None or len(draft.stem) > 1:
        return ""
    return f"; line {draft.line} reads like option {looks[1]}, but no question text comes before it"
