"""Read a candidate list (CONTRACT §2.3) from CSV (Excel exports included) or a JSON list."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from question_bank.checks import describe, is_int
from question_bank.files import FILE, decode_text
from question_bank.model import Problem

COLUMNS = ("participant_no", "name", "category", "extra_minutes", "email")
REQUIRED = ("participant_no", "name")
ALIASES = {
    "no_peserta": "participant_no",
    "nomor_peserta": "participant_no",
    "nama": "name",
    "kategori": "category",
    "tambahan_menit": "extra_minutes",
}
PARTICIPANT_NO_RE = re.compile(r"[A-Za-z0-9./-]{1,40}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EXTRA_MINUTES = 600
MAX_NAME = 200
MAX_CANDIDATES = 100_000


@dataclass(frozen=True)
class CandidateRow:
    participant_no: str
    name: str
    category: str | None = None
    extra_minutes: int = 0
    email: str | None = None
    line: int | None = None         # the CSV line (header is line 1); None from JSON


def parse_candidates_csv(data: bytes) -> tuple[list[CandidateRow], list[Problem]]:
    """Read a CSV with header `participant_no,name[,category,extra_minutes,email]`.

    UTF-8 with or without a byte-order mark; `,`, `;` or tab between cells, taken from the
    header line (or from Excel's `sep=;` first line). Returns the sound rows and every problem.
    """
    text, problems = decode_text(data)
    if text is None:
        return [], problems
    first_line = text.lstrip("\r\n").split("\n", 1)[0].strip()
    skip = 0
    if re.fullmatch(r"sep=.", first_line, re.IGNORECASE):
        delimiter, skip = first_line[-1], 1
    else:
        delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_csv(reader, skip)
    except csv.Error as exc:
        return [], [Problem(reader.line_num or 1, FILE, f"cannot read the CSV: {exc}")]


def parse_candidates_json(items: list) -> tuple[list[CandidateRow], list[Problem]]:
    """Check a JSON list of `{"participant_no", "name", ...}`; fields are `candidates[i].x`."""
    if not isinstance(items, list) or not items:
        return [], [Problem(None, "candidates", "candidates must be a non-empty list")]
    if len(items) > MAX_CANDIDATES:
        message = f"{len(items)} candidates; at most {MAX_CANDIDATES} at a time"
        return [], [Problem(None, "candidates", message)]
    rows: list[CandidateRow] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"candidates[{index}]"
        if not isinstance(item, dict):
            message = f"a candidate must be an object, found {describe(item)}"
            problems.append(Problem(None, where, message))
            continue
        for key in item:
            if key not in COLUMNS:
                message = f"unknown field {key!r} (allowed: {', '.join(COLUMNS)})"
                problems.append(Problem(None, f"{where}.{key}", message))
        # Whole numbers are fine where a CSV would hold digits (participant_no, extra_minutes).
        cells = {k: str(v) if is_int(v) else v for k, v in item.items() if k in COLUMNS}
        row, number = _row(cells, None, f"{where}.", problems)
        new = _is_new(number, None, f"{where}.participant_no", where, seen, problems)
        if row is not None and new:
            rows.append(row)
    return rows, problems


def _read_csv(reader: Any, skip: int) -> tuple[list[CandidateRow], list[Problem]]:
    problems: list[Problem] = []
    lines = _numbered_rows(reader, skip)
    first = next(lines, None)
    if first is None:
        return [], [Problem(1, FILE, "the file is empty")]
    header_at, header = first
    columns = _header(header, header_at, problems)
    if columns is None:
        return [], problems
    rows: list[CandidateRow] = []
    seen: dict[str, str] = {}
    for count, (line, cells) in enumerate(lines, start=1):
        if count > MAX_CANDIDATES:
            problems.append(Problem(line, FILE, f"more than {MAX_CANDIDATES} candidates"))
            break
        if len(cells) > len(columns):
            message = f"this row has {len(cells)} cells; the header has {len(columns)}"
            problems.append(Problem(line, FILE, message))
            continue
        row, number = _row(dict(zip(columns, cells, strict=False)), line, "", problems)
        new = _is_new(number, line, "participant_no", f"line {line}", seen, problems)
        if row is not None and new:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(header_at, FILE, "the file has a header but no candidates"))
    return rows, problems


def _numbered_rows(reader: Any, skip: int) -> Iterator[tuple[int, list[str]]]:
    """Rows that hold anything, each with the line it starts on (a quoted cell may span lines)."""
    end = 0
    for cells in reader:
        start, end = end + 1, reader.line_num
        if skip:
            skip -= 1
        elif any(cell.strip() for cell in cells):
            yield start, cells


def _header(cells: list[str], line: int, problems: list[Problem]) -> list[str] | None:
    columns: list[str] = []
    for cell in cells:
        name = re.sub(r"[\s-]+", "_", cell.strip().lower())
        name = ALIASES.get(name, name)
        if name in columns:
            problems.append(Problem(line, name, f"the column {name!r} appears twice"))
        elif name not in COLUMNS:
            shown = cell.strip() or "(empty)"
            message = f"unknown column {shown!r} (allowed: {', '.join(COLUMNS)})"
            problems.append(Problem(line, shown, message))
        columns.append(name)
    missing = [name for name in REQUIRED if name not in columns]
    for name in missing:
        problems.append(Problem(line, name, f"the header has no {name} column"))
    return None if missing else columns


def _row(
    cells: dict[str, Any], line: int | None, prefix: str, problems: list[Problem]
) -> tuple[CandidateRow | None, str | None]:
    """Check one candidate's cells (strings, or None when absent).

    Returns the row (None if anything is wrong) and its participant_no (None if unusable).
    """
    before = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(line, prefix + column, message))

    def text(column: str, max_len: int) -> str | None:
        value = cells.get(column)
        if value is None:
            return None
        if not isinstance(value, str):
            bad(column, f"{column} must be text, found {describe(value)}")
            return None
        value = value.strip()
        if len(value) > max_len:
            bad(column, f"{column} is {len(value)} characters long; at most {max_len} allowed")
            return None
        return value or None

    def required(column: str, max_len: int) -> str | None:
        value = text(column, max_len)
        if value is None and isinstance(cells.get(column), str | None):
            bad(column, f"{column} is missing or empty")
        return value

    number = required("participant_no", 10_000)
    if number is not None and not PARTICIPANT_NO_RE.fullmatch(number):
        bad("participant_no", f"participant_no {number!r} is not valid: up to 40 letters, "
                              "digits, '-', '.' and '/'")
        number = None
    name = required("name", MAX_NAME)
    if name is not None:
        name = " ".join(name.split())     # a name wrapped onto two lines in a cell, tabs
    category = text("category", 64)
    email = text("email", 254)
    if email is not None and not EMAIL_RE.fullmatch(email):
        bad("email", f"email {email!r} is not an email address")
    minutes = text("extra_minutes", 10)
    extra = 0
    if minutes is not None:
        if not re.fullmatch(r"-?[0-9]+", minutes):
            bad("extra_minutes", f"extra_minutes must be a whole number, found {minutes!r}")
        elif not 0 <= int(minutes) <= MAX_EXTRA_MINUTES:
            bad("extra_minutes", f"extra_minutes must be from 0 to {MAX_EXTRA_MINUTES}, "
                                 f"found {minutes}")
        else:
            extra = int(minutes)
    if len(problems) != before or number is None or name is None:
        return None, number
    return CandidateRow(number, name, category, extra, email, line), number


def _is_new(
    number: str | None, line: int | None, field: str, where: str, seen: dict[str, str],
    problems: list[Problem],
) -> bool:
    """False (and a problem) if this participant_no was met before in the same upload."""
    if number is None:
        return False
    first = seen.get(number)
    if first is not None:
        message = f"duplicate participant_no {number!r} (first at {first})"
        problems.append(Problem(line, field, message))
        return False
    seen[number] = where
    return True
