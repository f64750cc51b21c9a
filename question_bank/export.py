"""A bank back in the native format (CONTRACT §2.1), keys and points included."""
from __future__ import annotations

from question_bank.model import ParsedBank, Question


def question_to_native(q: Question) -> dict:
    out: dict = {"id": q.id, "category": q.category, "type": q.type, "text": q.text}
    options = []
    for o in q.options:
        opt: dict = {"key": o.key, "text": o.text}
        if o.correct:
            opt["correct"] = True
        if o.points is not None:
            opt["points"] = o.points
        options.append(opt)
    out["options"] = options
    if q.difficulty is not None:
        out["difficulty"] = q.difficulty
    if q.tags:
        out["tags"] = list(q.tags)
    if q.explanation:
        out["explanation"] = q.explanation
    return out


def bank_to_native(bank: ParsedBank) -> dict:
    """The bank as the dict that, dumped to YAML or JSON, imports back to the same bank."""
    return {"bank": bank.code, "title": bank.title or bank.code,
            "questions": [question_to_native(q) for q in bank.questions]}
