"""What the XML importers (Moodle XML, QTI) share: questions checked by the native rules,
bank codes from file names, points from percentages, and the images a bank carries."""
from __future__ import annotations

import base64
import binascii
import hashlib
import math
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from question_bank.checks import Checker, code_problem
from question_bank.located import Path, Structured
from question_bank.model import Problem, Question
from question_bank.native import check_question, code_from_filename

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
WEIGHTED_TOP = 5                # the best option of a weighted question earns 5 points
# The engine serves only these images, up to this size (exam_engine/services/media.py).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_MEDIA_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")
_MEDIA_REF = re.compile(r"\]\(media/([A-Za-z0-9][A-Za-z0-9._-]{0,150})\)")
_DATA_URI = re.compile(r"data:image/([a-z]+)[a-z+.-]*;base64,(.*)", re.DOTALL | re.IGNORECASE)


@dataclass
class Draft:
    """One question as an importer read it, in the native shape, before the shared checks.

    `fields` holds id, category, type, text, options (key, text, correct/points) and
    explanation; `lines` the line of each part, by its path below the question
    (("text",), ("options", 2)). `index` numbers it in its file (fields read
    `questions[index]...`). A draft with `spoiled` set never becomes a question: the importer
    found a problem in it and reported it already.
    """

    index: int
    line: int | None
    fields: dict[str, Any]
    lines: dict[Path, int] = field(default_factory=dict)
    spoiled: bool = False


class IdMaker:
    """Question ids: the source's own name when it is a valid, unused id, else `q0001`..."""

    def __init__(self, wanted: list[str | None]) -> None:
        self.reserved = {name for name in wanted if name and ID_RE.fullmatch(name)}
        self.used: set[str] = set()

    def make(self, wanted: str | None, position: int) -> str:
        if wanted and ID_RE.fullmatch(wanted) and wanted not in self.used:
            self.used.add(wanted)
            return wanted
        candidate, suffix = f"q{position:04d}", 1
        while candidate in self.used or candidate in self.reserved:
            suffix += 1
            candidate = f"q{position:04d}-{suffix}"
        self.used.add(candidate)
        return candidate


def check_drafts(
    drafts: list[Draft], problems: list[Problem], *, prefix: str = ""
) -> tuple[list[Question], list[Problem]]:
    """Run every draft through the native question checks; sound questions and all problems.

    `problems` (the importer's own) are merged in and sorted by line. `prefix` starts every
    message (the member file of a package).
    """
    doc = Structured(value=None)
    for draft in drafts:
        base: Path = ("questions", draft.index)
        if draft.line is not None:
            doc.lines[base] = draft.line
        for sub, line in draft.lines.items():
            doc.lines[(*base, *sub)] = line
    check = Checker(doc, problems)
    seen: dict[str, int | None] = {}
    questions = []
    for draft in drafts:
        if draft.spoiled and draft.fields.get("type") is None:
            continue                    # its problem is known; the rules need a type
        question = check_question(check, draft.fields, ("questions", draft.index), seen)
        if question is not None and not draft.spoiled:
            questions.append(question)
    found = check.sorted_problems()
    if prefix:
        found = [Problem(p.line, p.field, f"{prefix}{p.message}") for p in found]
    return questions, found


def bank_code(filename: str) -> tuple[str | None, list[Problem]]:
    """The bank code an XML file's name gives (these formats name none themselves)."""
    derived = code_from_filename(filename or "")
    problem = code_problem(derived, "the bank code made from the file name,") if derived else (
        "the file's name gives no bank code"
    )
    if problem:
        return None, [Problem(None, "bank", f"{problem}; rename the file, e.g. bank-soal.xml")]
    return derived, []


def option_letter(position: int) -> str:
    """Option keys in order: A, B, C, ..."""
    return chr(ord("A") + position) if position < 26 else f"A{position}"


def close_to(value: float, target: float) -> bool:
    return abs(value - target) < 0.01


def proportional_points(values: list[float]) -> tuple[list[int], list[int]]:
    """Points in proportion to `values`, the best earning WEIGHTED_TOP: (points, indexes of
    values whose points are not whole numbers)."""
    best = max(values)
    points, uneven = [], []
    for index, value in enumerate(values):
        exact = value * WEIGHTED_TOP / best
        rounded = round(exact)
        if not math.isclose(exact, rounded, abs_tol=0.01):
            uneven.append(index)
        points.append(int(rounded))
    return points, uneven


def number(text: str | None) -> float | None:
    """A finite decimal number written in the file, or None."""
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def shown(value: float) -> str:
    """A percentage as written in files: 33.33333, 100, -50."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def image_problem(name: str, data: bytes) -> str | None:
    """Why the engine could not show this image, or None."""
    if len(data) > MAX_IMAGE_BYTES:
        return (f"image {name} is {len(data) / 1024 / 1024:.1f} MB; an image may be at most "
                f"{MAX_IMAGE_BYTES // 1024 // 1024} MB")
    if not data.startswith(_IMAGE_MAGIC):
        return f"{name} is not a PNG, JPEG or GIF image (only these are shown to candidates)"
    return None


class MediaStore:
    """The images of one bank under flat names `media/NAME` can use; identical files once."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._by_digest: dict[str, str] = {}

    def add(self, path: str, data: bytes) -> tuple[str | None, str | None]:
        """Store an image found at `path`: (its media name, None) or (None, the problem)."""
        problem = image_problem(path, data)
        if problem:
            return None, problem
        digest = hashlib.sha256(data).hexdigest()
        if digest in self._by_digest:
            return self._by_digest[digest], None
        name = _flat_name(posixpath.basename(path) or path)
        if name in self.files:          # another image of that name: keep its folder
            name = _flat_name(path)
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            stem, suffix = name, ""
        count = 1
        while name in self.files:
            count += 1
            name = f"{stem}-{count}.{suffix}" if suffix else f"{stem}-{count}"
        self.files[name] = data
        self._by_digest[digest] = name
        return name, None


def _flat_name(path: str) -> str:
    """A name the media store accepts: "images/Sign 1.png" -> "images-Sign-1.png"."""
    flat = re.sub(r"[^A-Za-z0-9._-]+", "-", posixpath.normpath(path).replace("/", "-"))
    flat = flat.lstrip("-._")
    stem, dot, suffix = flat.rpartition(".")
    if dot and len(flat) > 120:
        flat = f"{stem[:110]}.{suffix[:8]}"
    flat = flat[:120]
    if _MEDIA_NAME.fullmatch(flat):
        return flat
    return f"image-{hashlib.sha256(path.encode()).hexdigest()[:12]}"


def inline_image(src: str, media: MediaStore) -> tuple[str | None, str | None] | None:
    """Store an image written into the text as a `data:` URI: (media name, problem), or None
    when `src` is not one."""
    found = _DATA_URI.fullmatch(src.strip())
    if found is None:
        return None
    try:
        data = base64.b64decode(found.group(2))
    except (binascii.Error, ValueError):
        return None, "an image written into the text (a data: URI) is not valid base64"
    return media.add(f"inline.{found.group(1).lower()}", data)


def used_media(questions: list[Question], files: dict[str, bytes]) -> dict[str, bytes]:
    """The images the sound questions show (a skipped question's images are left behind)."""
    names: set[str] = set()
    for question in questions:
        texts = [question.text, question.explanation or "", *(o.text for o in question.options)]
        for text in texts:
            names.update(_MEDIA_REF.findall(text))
    return {name: data for name, data in files.items() if name in names}
