"""One row of the CSV/XLSX question template (csv_import.py) read into a native question."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from question_bank.import_common import checked_question, question_id
from question_bank.model import Problem, Question
from question_bank.native import MAX_OPTIONS

if TYPE_CHECKING:
    from question_bank.csv_import import Table

OPTIONS = tuple(f"option_{c}" for c in "abcde")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TYPES = {"single": "pg pilihan_ganda tunggal multiple_choice mc",
          "multiple": "pg_kompleks pilihan_ganda_kompleks kompleks jamak multiple_response",
          "weighted": "berbobot tkp skala", "true_false": "benar_salah bs tf truefalse"}
TYPE_OF = {alias: canon for canon, names in _TYPES.items() for alias in (canon, *names.split())}
UNSUPPORTED = {"essay", "esai", "uraian", "isian", "isian_singkat", "short_answer", "matching",
               "menjodohkan", "numerical"}
TRUE_WORDS, FALSE_WORDS = {"t", "true", "benar", "betul", "ya"}, {"f", "false", "salah", "tidak"}
DIFFICULTY_WORDS = {"mudah": 0.25, "easy": 0.25, "sedang": 0.5, "medium": 0.5, "sulit": 0.75,
                    "sukar": 0.75, "hard": 0.75}
IMAGE_RE = re.compile(r"[\w.-]{1,200}")

Add = Callable[[str, str], None]                # add(canonical column, message)


def read_row(table: Table, row: dict[str, str], line: int, seen: dict[str, int | None],
             found: list[Problem]) -> Question | None:
    """The row's question if it is sound; its problems are appended to `found`."""
    def add(canon: str, message: str) -> None:
        found.append(Problem(line, table.name(canon), message))

    item = _item(table, row, line, add)
    if item is None:
        return None
    question, problems = checked_question(item, {(): line}, seen)
    reported = {problem.field for problem in found}
    if len(item["options"]) < 2:        # already said, naming the option column
        problems = [problem for problem in problems if problem.field != "options"]
    for problem in problems:
        name = table.column(problem.field, item["type"])
        if name not in reported:
            found.append(Problem(line, name, problem.message))
    return question


def _item(table: Table, row: dict[str, str], line: int, add: Add) -> dict | None:
    texts = _option_texts(table, row, add)
    qtype = _type(table, row, add)
    if texts is None or qtype is None:
        return None
    keys = list(LETTERS[: len(texts)])
    if qtype == "true_false":
        texts = texts or ["Benar", "Salah"]
        keys = _true_false_keys(table, texts, add) or ["T", "F"]
    elif len(texts) < 2:
        add("options" if "options" in table.names else OPTIONS[len(texts)],
            f"a question needs at least 2 options, found {len(texts)}")
    options: list[dict] = []
    for index, (key, text) in enumerate(zip(keys, texts, strict=False)):
        if qtype == "true_false":
            text = "Benar" if key == "T" else "Salah"
        elif index < len(OPTIONS):
            column = f"image_{'abcde'[index]}"
            text = _with_image(text, row.get(column, ""), column, add)
        options.append({"key": key, "text": text})
    if qtype == "weighted":
        if row.get("key"):
            add("key", "a weighted question takes points for every option, not a key")
        points = _points(row.get("points", ""), len(options), add)
        for option, value in zip(options, points, strict=False):   # [] when points are wrong
            option["points"] = value
    else:
        if row.get("points") and not table.marks:
            add("points", f"points belong to weighted questions, not {qtype}")
        for index in _key(row.get("key", ""), keys, texts, qtype, add):
            options[index]["correct"] = True
    options.sort(key=lambda option: "TF".index(option["key"]) if qtype == "true_false" else 0)
    category = row.get("category", "")
    text = _with_image(row.get("text", ""), row.get("image", ""), "image", add)
    item: dict = {"id": row.get("id") or question_id(category, line),
                  "category": category or None, "type": qtype, "text": text or None,
                  "options": options}
    if row.get("difficulty"):
        item["difficulty"] = _difficulty(row["difficulty"], add)
    if row.get("tags"):
        item["tags"] = [tag.strip() for tag in re.split(r"[;,]", row["tags"]) if tag.strip()]
    if row.get("explanation"):
        item["explanation"] = row["explanation"]
    return item


def _type(table: Table, row: dict[str, str], add: Add) -> str | None:
    raw = re.sub(r"[\s\-]+", "_", row.get("type", "").lower())
    if raw in TYPE_OF:
        return TYPE_OF[raw]
    if raw in UNSUPPORTED:
        add("type", f"{raw} questions are not supported; use single, multiple, true_false or "
                    "weighted")
        return None
    if raw:
        add("type", f"type {row['type']!r} is not one of single, multiple, true_false, weighted")
        return None
    key, points = row.get("key", ""), "" if table.marks else row.get("points", "")
    if key and points:
        add("type", "the row has both a key and points: say which type it is")
    elif points:
        return "weighted"
    elif key:
        return "multiple" if len([k for k in re.split(r"[;,]", key) if k.strip()]) > 1 else (
            "single")
    else:
        add("key", "key is required (the letter of the correct option), or points for a "
                   "weighted question")
    return None


def _option_texts(table: Table, row: dict[str, str], add: Add) -> list[str] | None:
    if "options" in table.names:
        raw = row.get("options", "")
        try:
            texts = json.loads(raw) if raw and raw != "null" else []
        except (ValueError, RecursionError):        # RecursionError: "[[[[..." nested deep
            texts = None
        if not isinstance(texts, list) or not all(isinstance(t, str | int | float)
                                                  for t in texts):
            add("options", 'options must be a JSON list of texts, such as ["2", "3", "4"]')
            return None
        texts = [str(text).strip() for text in texts]
    else:
        texts = [row.get(column, "") for column in OPTIONS]
    while texts and not texts[-1]:
        texts.pop()
    if "options" not in table.names:
        gaps = [OPTIONS[i] for i, text in enumerate(texts) if not text]
        for column in gaps:
            add(column, f"{table.name(column)} is empty but a later option is filled")
        if gaps:
            return None
    if len(texts) > MAX_OPTIONS:
        add("options", f"a question has at most {MAX_OPTIONS} options, found {len(texts)}")
        return None
    return texts


def _true_false_keys(table: Table, texts: list[str], add: Add) -> list[str] | None:
    words = [text.casefold() for text in texts]
    if len(words) == 2 and words[0] in TRUE_WORDS and words[1] in FALSE_WORDS:
        return ["T", "F"]
    if len(words) == 2 and words[0] in FALSE_WORDS and words[1] in TRUE_WORDS:
        return ["F", "T"]
    add("options" if "options" in table.names else "option_a",
        "a true_false question has two options, Benar and Salah (or T and F), "
                   f"found {', '.join(texts)}")
    return None


def _key(raw: str, keys: list[str], texts: list[str], qtype: str, add: Add) -> list[int]:
    """The indexes of the correct options: letters of the columns, T/F words, or exact text."""
    if not raw:
        add("key", f"key is required for a {qtype} question: the letter of the correct option")
        return []
    parts = [part.strip().upper() for part in re.split(r"[;,]", raw) if part.strip()]
    if qtype == "true_false" and raw.casefold() in TRUE_WORDS | FALSE_WORDS:
        chosen = [keys.index("T" if raw.casefold() in TRUE_WORDS else "F")]
    elif all(len(part) == 1 and part in LETTERS for part in parts):
        beyond = [part for part in parts if LETTERS.index(part) >= len(keys)]
        if beyond:
            add("key", f"key {raw!r} names option {beyond[0]}, but the row has options "
                       f"{', '.join(LETTERS[: len(keys)])}")
            return []
        chosen = sorted({LETTERS.index(part) for part in parts})
    elif raw.casefold() in (lowered := [text.casefold() for text in texts]):
        chosen = [lowered.index(raw.casefold())]
    else:
        add("key", f"key {raw!r} is not an option letter ({', '.join(LETTERS[: len(keys)])})")
        return []
    if len(chosen) > 1 and qtype != "multiple":
        add("key", f"a {qtype} question has one correct option, the key gives {len(chosen)}; "
                   "use type multiple")
        return []
    return chosen


def _points(raw: str, count: int, add: Add) -> list[int]:
    parts = [part.strip() for part in re.split(r"[;,]", raw) if part.strip()]
    if not parts:
        add("points", "a weighted question needs points: one whole number per option, joined "
                      "by ; (such as 3;5;1;2;4)")
    elif not all(re.fullmatch(r"[+-]?\d{1,5}", part) for part in parts):
        add("points", f"points must be whole numbers joined by ;, found {raw!r}")
    elif len(parts) != count:
        add("points", f"{len(parts)} points for {count} options; give one per option")
    else:
        return [int(part) for part in parts]
    return []


def _difficulty(raw: str, add: Add) -> float | str:
    if raw.casefold() in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[raw.casefold()]
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        add("difficulty", f"difficulty must be a number from 0 to 1 (or mudah, sedang, sulit), "
                          f"found {raw!r}")
        return raw


def _with_image(text: str, image: str, column: str, add: Add) -> str:
    if not image:
        return text
    if not IMAGE_RE.fullmatch(image) or image.startswith("."):
        add(column, f"{image!r} is not a plain file name such as gambar-01.png")
        return text
    return f"{text}\n\n![](media/{image})" if text else f"![](media/{image})"
