"""Plain data read from a file, and the line of every field in it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from question_bank.model import Problem

Path = tuple[str | int, ...]
FILE = "file"           # the field named by problems that concern the file as a whole
MAX_DEPTH = 32          # the deepest of our formats needs 5; anything far deeper is hostile


@dataclass
class Structured:
    """A parsed document (`value`) and the 1-based line of each field and list item in it."""

    value: Any
    lines: dict[Path, int] = field(default_factory=dict)
    # Problems the reader found inside the document (duplicate keys, refused tags), with the
    # path they concern, so that a validator can tell which record they spoil.
    notes: list[tuple[Path, Problem]] = field(default_factory=list)
    # How each number was spelled in the file ("007", "1.10"), for fields that want text.
    spelled: dict[Path, str] = field(default_factory=dict)
    _noted: tuple[int, set[Path]] | None = field(default=None, repr=False, compare=False)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while True:
            found = self.lines.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]

    def has_notes_under(self, path: Path) -> bool:
        """True if the reader noted a problem at `path` or inside it."""
        if self._noted is None or self._noted[0] != len(self.notes):
            prefixes = {where[:n] for where, _ in self.notes for n in range(len(where) + 1)}
            self._noted = (len(self.notes), prefixes)
        return path in self._noted[1]

    def as_text(self, path: Path, value: Any) -> str:
        """A number as the file spelled it (YAML reads `007` as 7), else str(value)."""
        return self.spelled.get(path) or str(value)


def field_name(path: Path) -> str:
    """Spell a path as problems show it: ("questions", 3, "text") -> "questions[3].text"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or FILE


def note_duplicate(out: Structured, path: Path, line: int) -> None:
    """Record a key met twice in one mapping (the first one is kept)."""
    first = out.lines.get(path)
    message = f"duplicate key {path[-1]!r} (first at line {first}); only one is allowed"
    out.notes.append((path, Problem(line, field_name(path), message)))
