"""Read a question bank in Moodle's GIFT format.

Questions are separated by blank lines; `//` lines are comments. Read: multiple choice
(`=right ~wrong`), weights `~%50%`, true/false (`{T}` `{F}` `{TRUE}` `{FALSE}`, options T
"Benar" and F "Salah"), `::title::`, `$CATEGORY: path` (the last segment names the category
of the questions after it; before any, the file name up to its first dot, upper-cased), the
escapes `\\~ \\= \\# \\{ \\} \\:` `\\\\` and `\\n`, and answers in the middle of the text
("Grant is {~buried =entombed} in Grant's tomb." reads as "Grant is _____ in Grant's tomb.").
Feedback (`#...`, `####...`) is dropped. `[html]`, `[moodle]` and `[markdown]` text is kept as
written (HTML is sanitized when shown); `[plain]` text is escaped so that it shows as written.

Weights (CONTRACT §2.1): one answer at 100% and none other above 0 is `single`; several
positive answers adding up to 100% is `multiple`, keyed by them; several positive answers with
the best at 100% is `weighted`, points in proportion (20% -> 1 ... 100% -> 5); a weight that
makes no whole number of points is a problem. A title that is a valid id (letters, digits,
`.`, `_`, `-`) and not used before is the question's id; else the id is
`<category in lower case>-<line>`. Essay, numerical, matching, short-answer and description
questions are reported as problems naming the type; the rest of the file is still read.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

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

_CONTROL = "~=#{}:\\n"
_PROTECT = {char: chr(0xE000 + i) for i, char in enumerate(_CONTROL)}
_RESTORE = str.maketrans({mark: ("\n" if char == "n" else char)
                          for char, mark in _PROTECT.items()})
LINE_BREAK = re.compile(r"\r\n|\r|\n")
CATEGORY_RE = re.compile(r"\s*\$CATEGORY:\s*(.*)")
TITLE_RE = re.compile(r"\s*::(.*?)::", re.DOTALL)
FORMAT_RE = re.compile(r"\s*\[(html|moodle|plain|markdown)\]")
TRUE_FALSE_RE = re.compile(r"(T|F|TRUE|FALSE)\s*(#.*)?", re.DOTALL | re.IGNORECASE)
WEIGHT_RE = re.compile(r"\s*%([^%]*)%")
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
SUPPORTED = "the engine marks single, multiple, true_false and weighted questions"
TOP_POINTS = 5                                  # a weighted question's best answer earns 5


def parse_gift(data: bytes, filename: str) -> ParsedBank:
    """Read a GIFT file; every problem comes back with its line."""
    text, problems = decode_text(data)
    if text is None:
        return bank_from_file(filename, [], problems)
    reader = _Reader(category_from_filename(filename))
    for block in _blocks(text):
        reader.block(block)
        if reader.count > MAX_QUESTIONS:
            message = f"more than {MAX_QUESTIONS} questions; a bank holds at most {MAX_QUESTIONS}"
            return bank_from_file(filename, [], [Problem(block.numbers[0], FILE, message)])
    return bank_from_file(filename, reader.questions, reader.problems)


class _Block:
    """The lines of one question (comments left out), joined, with escapes protected."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.numbers = [number for number, _ in lines]
        self.starts: list[int] = []
        offset = 0
        for _, text in lines:
            self.starts.append(offset)
            offset += len(text) + 1
        self.text = "\n".join(text for _, text in lines)

    def line_at(self, offset: int) -> int:
        return self.numbers[bisect.bisect_right(self.starts, offset) - 1]


def _blocks(text: str) -> Iterator[_Block]:
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(LINE_BREAK.split(text), 1):
        if raw.lstrip().startswith("//"):
            continue
        if raw.strip():
            lines.append((number, re.sub(r"\\([~=#{}:\\n])", lambda m: _PROTECT[m[1]], raw)))
        elif lines:
            yield _Block(lines)
            lines = []
    if lines:
        yield _Block(lines)


def _shown(text: str, kind: str) -> str:
    """Protected source text as stored: escapes undone, plain text escaped for Markdown."""
    text = text.translate(_RESTORE).strip()
    return plain_markdown(text) if kind == "plain" else text


class _Reader:
    def __init__(self, category: str) -> None:
        self.category = category
        self.questions: list[Question] = []
        self.problems: list[Problem] = []
        self.seen: dict[str, int | None] = {}
        self.titles: set[str] = set()
        self.count = 0

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(line, field, message))

    def block(self, block: _Block) -> None:
        text, pos = block.text, 0
        while category := CATEGORY_RE.match(text, pos):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            self._category(block.line_at(pos), text[category.start(1):end])
            pos = end + 1
        if pos >= len(text):
            return
        self.count += 1
        start = block.line_at(pos)
        title = TITLE_RE.match(text, pos)
        pos = title.end() if title else pos
        kind = FORMAT_RE.match(text, pos)
        pos = kind.end() if kind else pos
        opening = text.find("{", pos)
        closing = text.find("}", opening + 1) if opening >= 0 else -1
        if opening < 0:
            self.problem(start, "type", "a description (text with no answer block {...}) is "
                                        f"not a question; {SUPPORTED}")
            return
        if closing < 0:
            self.problem(block.line_at(opening), "answers", "the answer block { opened on this "
                                                            "line has no closing }")
            return
        after = text[closing + 1:]
        if "{" in after:
            self.problem(block.line_at(closing + 1 + after.index("{")), "answers",
                         "a second answer block in one question; separate questions with a "
                         "blank line")
            return
        stem = text[pos:opening] + ("_____" + after if after.strip() else "")
        answers = self._answers(block, opening + 1, text[opening + 1:closing])
        if answers is None:
            return
        qtype, options, lines = answers
        wanted = _shown(title[1], "") if title else ""
        if ID_RE.fullmatch(wanted) and wanted not in self.titles:
            self.titles.add(wanted)
        else:
            wanted = question_id(self.category, start)
        item = {"id": wanted, "category": self.category, "type": qtype,
                "text": _shown(stem, kind[1] if kind else "moodle") or None, "options": options}
        where: dict[Path, int] = {(): start, **lines}
        question, problems = checked_question(item, where, self.seen)
        self.problems.extend(problems)
        if question is not None and not problems:
            self.questions.append(question)

    def _category(self, line: int, path: str) -> None:
        category = category_from_path(path.translate(_RESTORE))
        if category is not None:
            self.category = category
        else:
            self.problem(line, "category", "$CATEGORY: gives no category name of 1 to 100 "
                                           "characters")

    def _answers(
        self, block: _Block, offset: int, body: str
    ) -> tuple[str, list[dict], dict[Path, int]] | None:
        line = block.line_at(offset - 1)
        body = body.split("####", 1)[0]                     # general feedback
        plain = body.strip()
        true_false = TRUE_FALSE_RE.fullmatch(plain)
        marks = [m.start() for m in re.finditer(r"[=~]", body)]
        ends = [*marks[1:], len(body)] if marks else []
        texts = [body[at + 1:end].split("#", 1)[0] for at, end in zip(marks, ends, strict=True)]
        kind = ("an essay question ({})" if not plain else
                "a numerical question ({#...})" if plain.startswith("#") else
                None if true_false else
                "a matching question (answers with ->)" if any("->" in t for t in texts) else
                "a short-answer question (only = answers, no ~ wrong ones)"
                if marks and "~" not in (body[at] for at in marks) else None)
        if kind:
            self.problem(line, "type", f"{kind} is not supported; {SUPPORTED}")
            return None
        if true_false:
            right = true_false[1].upper()[0]
            options = [{"key": key, "text": text} | ({"correct": True} if key == right else {})
                       for key, text in (("T", "Benar"), ("F", "Salah"))]
            return "true_false", options, {("options",): line}
        if not marks or body[:marks[0]].strip():
            self.problem(line, "answers", "answers start with = (right) or ~ (wrong)")
            return None
        options, lines, percents = [], {}, []
        for index, (at, raw) in enumerate(zip(marks, texts, strict=True)):
            lines[("options", index)] = block.line_at(offset + at)
            weight = WEIGHT_RE.match(raw)
            percent = _percent(weight[1]) if weight else (100.0 if body[at] == "=" else 0.0)
            if percent is None:
                self.problem(lines[("options", index)], f"options[{index}]", f"weight "
                             f"%{weight[1].translate(_RESTORE)}% is not a percentage from -100 "
                             "to 100")
                return None
            raw = raw[weight.end():] if weight else raw
            kind_tag = FORMAT_RE.match(raw)
            text = _shown(raw[kind_tag.end():] if kind_tag else raw,
                          kind_tag[1] if kind_tag else "moodle")
            options.append({"key": chr(ord("A") + index) if index < 26 else f"Z{index}",
                            "text": text or None})
            percents.append(percent)
        lines[("options",)] = lines[("options", 0)]
        return self._weights(options, percents, lines)

    def _weights(
        self, options: list[dict], percents: list[float], lines: dict[Path, int]
    ) -> tuple[str, list[dict], dict[Path, int]] | None:
        positive = [i for i, percent in enumerate(percents) if percent > 0]
        best, total = max(percents), sum(percents[i] for i in positive)
        if len(positive) == 1 and abs(best - 100) < 0.01:
            options[positive[0]]["correct"] = True
            return "single", options, lines
        if len(positive) > 1 and abs(total - 100) < 0.01:
            for index in positive:
                options[index]["correct"] = True
            return "multiple", options, lines
        if len(positive) > 1 and abs(best - 100) < 0.01:
            spoiled = False
            for index, percent in enumerate(percents):
                exact = percent * TOP_POINTS / 100
                options[index]["points"] = round(exact)
                if abs(exact - round(exact)) > 0.01:
                    spoiled = True
                    self.problem(lines[("options", index)], f"options[{index}].points",
                                 f"{percent:g}% makes {exact:.4g} points where 100% makes "
                                 f"{TOP_POINTS}; a weighted question needs whole points "
                                 "(use multiples of 20%)")
            return None if spoiled else ("weighted", options, lines)
        self.problem(lines[("options",)], "answers", f"the answers earn {total:g}% in all and "
                     "none earns 100%: mark the right answer with =, the right answers of a "
                     "multiple-response question with weights adding up to 100%")
        return None


def _percent(text: str) -> float | None:
    text = text.translate(_RESTORE).strip()
    if not re.fullmatch(r"[+-]?\d{1,3}(\.\d+)?", text):
        return None
    value = float(text)
    return value if -100 <= value <= 100 else None
