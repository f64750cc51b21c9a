"""Choose the importer for an uploaded bank file by its extension."""
from __future__ import annotations

from pathlib import PurePath

from question_bank.model import ParsedBank, Problem
from question_bank.native import parse_native_bank

_BY_EXTENSION = {".yaml": parse_native_bank, ".yml": parse_native_bank,
                 ".json": parse_native_bank}


def parse_bank_file(data: bytes, filename: str) -> ParsedBank:
    """Parse a bank file of any supported format into the native bank model."""
    suffix = PurePath(filename).suffix.lower()
    parser = _BY_EXTENSION.get(suffix)
    if parser is None:
        known = ", ".join(sorted(_BY_EXTENSION))
        return ParsedBank(code=None, title=None, problems=[
            Problem(None, "file", f"{filename}: unsupported file type {suffix or '(none)'}; "
                                  f"use one of {known}")])
    return parser(data, filename)
