"""Read an uploaded table (CSV or the first sheet of an XLSX workbook) as numbered rows of text.

Each row comes with its number as the admin's editor shows it (the CSV line where the record
starts; the Excel row) and the columns whose cell holds a formula. Formulas are never
evaluated: the workbook is opened with its formulas (not data_only), so that a formula is seen
as one instead of as a cached result that may be stale or absent.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator

from question_bank.files import FILE
from question_bank.model import Problem

Row = tuple[int, list[str], frozenset[int]]     # number, cells, indexes of formula cells
MAX_UNZIPPED = 100 * 1024 * 1024                # a real question workbook is a few MB at most
MAX_COLUMNS = 40


class Unreadable(Exception):
    """The table cannot be read any further; `problem` says where and why."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(line, FILE, message)


def decode_table_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM, else Windows-1252, else Latin-1.

    Excel saves "CSV" in the machine's code page, so a file that is not UTF-8 is read as
    Windows-1252 rather than refused; Latin-1 takes the five bytes cp1252 leaves undefined.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def csv_rows(text: str) -> Iterator[Row]:
    """The records of a CSV text; `,` `;` or tab, from the header line or Excel's `sep=;`.

    Raises Unreadable (with the line) for a record the csv module cannot read.
    """
    first, _, rest = text.partition("\n")
    skip = 0
    if re.fullmatch(r"sep=.", first.strip(), re.IGNORECASE):
        delimiter, skip, text = first.strip()[-1], 1, rest
    else:
        delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start + skip, cells, frozenset()
            start = reader.line_num + 1
    except csv.Error as exc:
        raise Unreadable(reader.line_num + skip, f"cannot read the CSV: {exc}") from None


def check_workbook(data: bytes) -> Problem | None:
    """Why `data` is not a workbook worth opening (not a zip, or one that unpacks too big)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return Problem(None, FILE, "the file is not an XLSX workbook")
    if unzipped > MAX_UNZIPPED:
        message = f"the workbook unpacks to {unzipped} bytes; at most {MAX_UNZIPPED} are read"
        return Problem(None, FILE, message)
    return None


def xlsx_rows(data: bytes) -> Iterator[Row]:
    """The rows of the first sheet, numbered as in Excel; call check_workbook first."""
    import openpyxl  # late: only XLSX uploads need it

    with warnings.catch_warnings():              # openpyxl warns about features it skips
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as exc:                 # a broken workbook can fail anywhere inside
            raise Unreadable(None, f"cannot read the XLSX workbook: {exc}") from None
        try:
            rows = book.worksheets[0].iter_rows(min_row=1, max_col=MAX_COLUMNS)
            for number, row in enumerate(rows, 1):
                formulas = frozenset(i for i, cell in enumerate(row) if cell.data_type == "f")
                yield number, [_cell_text(cell.value) for cell in row], formulas
        except Exception as exc:
            raise Unreadable(None, f"cannot read the XLSX workbook: {exc}") from None
        finally:
            book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))                  # Excel stores 3 as 3.0
    return value if isinstance(value, str) else str(value)
