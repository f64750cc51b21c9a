"""Read a Moodle XML question export (`<quiz>`) into the bank model (CONTRACT §2.1).

`multichoice` and `truefalse` questions are read; `category` records set the category of the
questions after them (the last segment of `$course$/top/...`; before any, the file name's).
Answer fractions decide the type: one answer at 100% and the rest at 0% or less is `single`;
positive fractions adding up to 100% over several answers is `multiple` (`<single>false</single>`
says so outright); a single-answer question whose best answer earns 100% while others earn some
credit is `weighted`, with points in proportion (100% -> 5 points, so 20/40/60/80/100% -> 1..5).
Embedded images come back as media, `@@PLUGINFILE@@/name` references rewritten to `media/name`.
"""
from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from question_bank.import_common import category_from_filename
from question_bank.located import Path, field_name
from question_bank.model import ParsedBank, Problem
from question_bank.safe_xml import parse_xml
from question_bank.xml_bank import (
    Draft,
    IdMaker,
    MediaStore,
    bank_code,
    check_drafts,
    close_to,
    inline_image,
    number,
    option_letter,
    proportional_points,
    shown,
    used_media,
)
from question_bank.xml_text import html_text, plain_text

SUPPORTED = ("multichoice", "truefalse")
PLUGINFILE = "@@PLUGINFILE@@/"
# The grades Moodle offers (%), to point at a typo such as 33 for 33.33333.
MOODLE_GRADES = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
                 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)
_TRUE = ("true", "benar", "ya", "yes", "1")
_FALSE = ("false", "salah", "tidak", "no", "0")
_MARKDOWN_REF = re.compile(re.escape(PLUGINFILE) + r"([^\s)\"'<>]+)")


def parse_moodle_xml(data: bytes, filename: str) -> ParsedBank:
    """Read a Moodle XML file; its images are dropped (see parse_moodle_xml_with_media)."""
    return parse_moodle_xml_with_media(data, filename)[0]


def parse_moodle_xml_with_media(
    data: bytes, filename: str
) -> tuple[ParsedBank, dict[str, bytes]]:
    """Read a Moodle XML file: the bank, and the images its questions show by media name."""
    code, problems = bank_code(filename)
    root, lines, xml_problems = parse_xml(data, filename)
    if root is None:
        return ParsedBank(code, code, problems=xml_problems + problems,
                          code_from_filename=True), {}
    reader = _Reader(lines, category_from_filename(filename))
    if root.tag != "quiz":
        reader.problems.append(Problem(lines.get(root), "file", f"a Moodle XML file has <quiz> "
                                       f"at its top, found <{root.tag}>"))
    else:
        reader.read_quiz(root)
    questions, found = check_drafts(reader.drafts, reader.problems)
    bank = ParsedBank(code, code, questions=questions, problems=found + problems,
                      code_from_filename=True)
    return bank, used_media(questions, reader.media.files)


class _Reader:
    def __init__(self, lines: dict[Element, int], category: str) -> None:
        self.lines = lines
        self.category = category[:100]
        self.problems: list[Problem] = []
        self.drafts: list[Draft] = []
        self.media = MediaStore()

    def add(self, element: Element | None, path: Path, message: str) -> None:
        self.problems.append(Problem(self.lines.get(element) if element is not None else None,
                                     field_name(path), message))

    def read_quiz(self, quiz: Element) -> None:
        records = quiz.findall("question")
        wanted = [_wanted_id(q) for q in records if q.get("type") != "category"]
        ids = IdMaker(wanted)
        index = 0
        for record in records:
            qtype = (record.get("type") or "").strip()
            if qtype == "category":
                self._category(record)
                continue
            path: Path = ("questions", index)
            if qtype not in SUPPORTED:
                what = f"question type {qtype!r}" if qtype else "a <question> with no type"
                self.add(record, (*path, "type"), f"{what} is not supported; only multichoice "
                         "and truefalse questions can be imported")
            else:
                self.drafts.append(self._question(record, qtype, index, ids))
            index += 1
        if not records:
            self.add(quiz, ("questions",), "the file holds no <question>")

    def _category(self, record: Element) -> None:
        path = (record.findtext("category/text") or "").strip()
        segments = [part.replace("//", "/") for part in re.split(r"(?<!/)/(?!/)", path)]
        segments = [s.strip() for s in segments if s.strip()]
        if segments and re.fullmatch(r"\$\w+\$", segments[0]):
            segments = segments[1:]
        if segments and segments[0] == "top":
            segments = segments[1:]
        if segments:
            self.category = segments[-1]

    def _question(self, record: Element, qtype: str, index: int, ids: IdMaker) -> Draft:
        draft = Draft(index=index, line=self.lines.get(record), fields={})
        name = record.find("name/text")
        draft.fields["id"] = ids.make(_wanted_id(record), index + 1)
        if name is not None:
            draft.lines[("id",)] = self.lines.get(name, draft.line)
        draft.fields["category"] = self.category
        holder = record.find("questiontext")
        text_format = (holder.get("format") if holder is not None else None) or "html"
        draft.fields["text"] = self._rich(holder, draft, ("text",), text_format)
        feedback = record.find("generalfeedback")
        explanation = self._rich(feedback, draft, ("explanation",), text_format)
        if explanation:
            draft.fields["explanation"] = explanation
        tags = [t.strip() for t in (e.text or "" for e in record.findall("tags/tag/text"))]
        if any(tags):
            draft.fields["tags"] = [t for t in tags if t]
        answers = record.findall("answer")
        if answers:
            draft.lines[("options",)] = self.lines.get(answers[0], draft.line)
        if qtype == "truefalse":
            self._true_false(draft, answers)
        else:
            self._multichoice(draft, record, answers, text_format)
        return draft

    def _rich(self, holder: Element | None, draft: Draft, path: Path, default: str) -> str:
        """The text of a Moodle text field, in its format, with its embedded images."""
        if holder is None:
            return ""
        element = holder.find("text")
        raw = (element.text if element is not None else None) or ""
        where = element if element is not None else holder
        draft.lines[path] = self.lines.get(where, draft.line)
        files = {_file_key(f): f for f in holder.findall("file")}
        full_path: Path = ("questions", draft.index, *path)

        def resolve(src: str, alt: str, _element: Element | None) -> str | None:
            return self._image(src, files, where, full_path, draft)

        text_format = holder.get("format") or default
        if text_format == "markdown":
            return _MARKDOWN_REF.sub(
                lambda m: f"media/{resolve(PLUGINFILE + m.group(1), '', None) or m.group(1)}",
                raw).strip()
        if text_format == "plain_text":
            return plain_text(raw)
        if text_format == "moodle_auto_format":
            raw = raw.replace("\r\n", "\n").replace("\n", "<br>")
        return html_text(raw, resolve)

    def _image(self, src: str, files: dict[str, Element], where: Element, path: Path,
               draft: Draft) -> str | None:
        src = src.strip()
        if src.startswith(PLUGINFILE):
            key = unquote(src[len(PLUGINFILE):].split("?", 1)[0]).strip("/")
            element = files.get(key)
            if element is None:
                return self._bad_image(where, path, draft, f"the text shows image {key!r}, "
                                       "which the file does not embed")
            try:
                data = base64.b64decode(element.text or "")
            except (binascii.Error, ValueError):
                return self._bad_image(element, path, draft, f"embedded file {key!r} is not "
                                       "valid base64")
            name, problem = self.media.add(key, data)
            return name if problem is None else self._bad_image(element, path, draft, problem)
        inline = inline_image(src, self.media)
        if inline is not None:
            name, problem = inline
            return name if problem is None else self._bad_image(where, path, draft, problem)
        shown_src = src if len(src) <= 80 else src[:77] + "..."
        return self._bad_image(where, path, draft, f"image {shown_src!r} is not embedded in "
                               "the file; export the question with its files")

    def _bad_image(self, where: Element, path: Path, draft: Draft, message: str) -> None:
        self.add(where, path, message)
        draft.spoiled = True
        return None

    def _true_false(self, draft: Draft, answers: list[Element]) -> None:
        options = []
        for position, answer in enumerate(answers):
            said = (answer.findtext("text") or "").strip().lower()
            key = "T" if said in _TRUE else "F" if said in _FALSE else "TF"[position % 2]
            fraction = self._fraction(answer, draft, position)
            draft.lines[("options", position)] = self.lines.get(answer, draft.line)
            options.append({"key": key, "text": "Benar" if key == "T" else "Salah",
                            "correct": fraction is not None and fraction > 0})
        draft.fields.update(type="true_false", options=options)

    def _fraction(self, answer: Element, draft: Draft, position: int) -> float | None:
        raw = answer.get("fraction", "0")
        value = number(raw)
        if value is None:
            self.add(answer, ("questions", draft.index, "options", position, "fraction"),
                     f"fraction {raw!r} is not a number (a percentage such as 100 or 33.33333)")
            draft.spoiled = True
        return value

    def _multichoice(self, draft: Draft, record: Element, answers: list[Element],
                     text_format: str) -> None:
        single = (record.findtext("single") or "true").strip().lower() not in ("false", "0")
        options, fractions, kept = [], [], []
        readable = True
        for answer in answers:
            position = len(options)
            path: Path = ("options", position)
            text = self._rich(answer, draft, (*path, "text"), text_format)
            fraction = self._fraction(answer, draft, position)
            readable = readable and fraction is not None
            if not text and (fraction or 0) == 0:
                draft.lines.pop((*path, "text"), None)
                continue                # Moodle leaves out blank answers worth nothing
            draft.lines[path] = self.lines.get(answer, draft.line)
            options.append({"key": option_letter(position), "text": text})
            fractions.append(fraction or 0.0)
            kept.append(answer)
        draft.fields["options"] = options
        if not readable:
            return                      # a fraction is not a number: no type can be told
        if len(options) < 2:
            draft.fields["type"] = "single"     # the shared checks say what is missing
            return
        qtype, message = _classify(fractions, single)
        if message:
            self.add(record, ("questions", draft.index, "options"), message)
            self._point_at_odd_grades(draft, kept, fractions)
            draft.spoiled = True
            return
        draft.fields["type"] = qtype
        if qtype == "weighted":
            points, uneven = proportional_points(fractions)
            for position in uneven:
                value = fractions[position] * 5 / max(fractions)
                self.add(kept[position], ("questions", draft.index, "options", position,
                                          "fraction"),
                         f"fraction {shown(fractions[position])}% gives {value:.2f} points; "
                         "a weighted question needs whole points (100% = 5 points, so use "
                         "multiples of 20%)")
                draft.spoiled = True
            for option, value in zip(options, points, strict=True):
                option["points"] = value
        else:
            for option, value in zip(options, fractions, strict=True):
                option["correct"] = value > 0

    def _point_at_odd_grades(self, draft: Draft, answers: list[Element],
                             fractions: list[float]) -> None:
        for position, value in enumerate(fractions):
            nearest = min(MOODLE_GRADES, key=lambda grade: abs(abs(value) - grade))
            if not close_to(abs(value), nearest) or abs(value) > 100:
                sign = "-" if value < 0 else ""
                self.add(answers[position], ("questions", draft.index, "options", position,
                                             "fraction"),
                         f"fraction {shown(value)} is not a grade Moodle offers (nearest: "
                         f"{sign}{shown(nearest)})")


def _classify(fractions: list[float], single: bool) -> tuple[str | None, str | None]:
    """The question type the answers' fractions make, or None and why none fits."""
    positive = [value for value in fractions if value > 0]
    total = sum(positive)
    if not positive:
        return None, "no answer earns any credit (every fraction is 0 or less)"
    if not single:
        if close_to(total, 100):
            return "multiple", None
        return None, (f"the positive fractions add up to {shown(round(total, 5))}%; in a "
                      "multiple-answer question (<single>false</single>) the right answers "
                      "must add up to 100%")
    best = max(positive)
    if close_to(best, 100):
        return ("single" if len(positive) == 1 else "weighted"), None
    if len(positive) > 1 and close_to(total, 100):
        return "multiple", None
    return None, (f"no answer earns 100% and the positive fractions add up to "
                  f"{shown(round(total, 5))}%, not 100%: a single-answer question needs one "
                  "answer at 100%, a multiple-answer one right answers adding up to 100%")


def _wanted_id(record: Element) -> str | None:
    for path in ("idnumber", "name/text"):
        value = (record.findtext(path) or "").strip()
        if value:
            return value
    return None


def _file_key(element: Element) -> str:
    folder = (element.get("path") or "/").strip("/")
    name = element.get("name") or ""
    return f"{folder}/{name}" if folder else name
