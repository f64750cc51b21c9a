"""Read-mostly lookups of immutable things (bank revisions, rendered text), cached per process.

A bank revision never changes once stored, so its pools and rendered HTML can be kept in
memory safely; an exam's definition is immutable once the exam exists.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from exam_engine.core.rules import ExamRules, ItemKey
from exam_engine.models import Bank, BankRevision, Exam, Question
from exam_engine.rendering import render_markdown
from exam_engine.services import media
from question_bank.exam_definition import ExamDefinition, to_rules


@dataclass(frozen=True)
class QuestionView:
    """A stored question as the engine uses it; `options` still holds the key (staff only)."""

    pk: int
    bank: str
    revision: int
    revision_pk: int
    qid: str
    category: str
    type: str
    text: str
    options: tuple[dict, ...]

    def item_key(self, section: str) -> ItemKey:
        keys = tuple(o["key"] for o in self.options)
        return ItemKey(
            question=self.qid, section=section, type=self.type, options=keys,
            key=frozenset(o["key"] for o in self.options if o.get("correct")),
            points={o["key"]: o["points"] for o in self.options if o.get("points") is not None},
        )

    def for_candidate(self, section: str, order: list[str], candidate_id: int) -> dict:
        """The question as a candidate may see it: no key, no points, no explanation."""
        by_key = {o["key"]: o for o in self.options}

        def html(text: str, inline: bool = False) -> str:
            return render_markdown(media.rewrite_for_candidate(text, self.revision_pk,
                                                               candidate_id), inline)

        return {
            "id": self.qid, "section": section, "type": self.type, "text": self.text,
            "html": html(self.text),
            "options": [{"key": k, "text": by_key[k]["text"],
                         "html": html(by_key[k]["text"], inline=True)} for k in order],
        }


_lock = threading.Lock()
_pools: dict[tuple[int, str], tuple[QuestionView, ...]] = {}
_by_pk: dict[int, QuestionView] = {}


def pool(session: Session, bank: str, revision: int, category: str) -> tuple[QuestionView, ...]:
    """The questions of one category of one bank revision, in bank order."""
    rev = _revision_id(session, bank, revision)
    cached = _pools.get((rev, category))
    if cached is not None:
        return cached
    rows = session.execute(
        select(Question).where(Question.revision_id == rev, Question.category == category)
        .order_by(Question.position)
    ).scalars()
    views = tuple(_view(q, bank, revision) for q in rows)
    with _lock:
        _pools[(rev, category)] = views
        for v in views:
            _by_pk[v.pk] = v
    return views


def questions(session: Session, pks: list[int]) -> dict[int, QuestionView]:
    """Questions by primary key (with their bank and revision)."""
    missing = [pk for pk in pks if pk not in _by_pk]
    if missing:
        rows = session.execute(
            select(Question, Bank.code, BankRevision.revision)
            .join(BankRevision, Question.revision_id == BankRevision.id)
            .join(Bank, BankRevision.bank_id == Bank.id)
            .where(Question.id.in_(missing))
        ).all()
        with _lock:
            for q, bank, revision in rows:
                _by_pk[q.id] = _view(q, bank, revision)
    return {pk: _by_pk[pk] for pk in pks}


_definitions: dict[int, tuple[ExamDefinition, ExamRules]] = {}


def exam_rules(exam: Exam | ExamFacts) -> tuple[ExamDefinition, ExamRules]:
    """The exam's parsed definition and its scoring rules (a definition never changes)."""
    cached = _definitions.get(exam.id)
    if cached is None:
        defn = ExamDefinition.from_dict(exam.definition)
        cached = _definitions[exam.id] = (defn, to_rules(defn))
    return cached




def _revision_id(session: Session, bank: str, revision: int) -> int:
    return session.execute(
        select(BankRevision.id).join(Bank, BankRevision.bank_id == Bank.id)
        .where(Bank.code == bank, BankRevision.revision == revision)
    ).scalar_one()


def _view(q: Question, bank: str, revision: int) -> QuestionView:
    return QuestionView(pk=q.id, bank=bank, revision=revision, revision_pk=q.revision_id,
                        qid=q.qid, category=q.category, type=q.type, text=q.text,
                        options=tuple(q.options))


@dataclass(frozen=True)
class ExamFacts:
    """What never changes of an exam: id, code and definition (enough for `exam_rules`).

    For the hot paths (a submission, an auto-end), where loading the Exam row, its JSON
    included, cost as much as scoring the attempt (profiled).
    """

    id: int
    code: str
    definition: dict


_facts: dict[int, ExamFacts] = {}


def exam_facts(session: Session, exam_id: int) -> ExamFacts:
    facts = _facts.get(exam_id)
    if facts is None:
        code, definition = session.execute(select(Exam.code, Exam.definition)
                                           .where(Exam.id == exam_id)).one()
        facts = _facts[exam_id] = ExamFacts(exam_id, code, definition)
    return facts


def clear() -> None:
    """Forget every cached revision (tests that recreate the database call this)."""
    with _lock:
        _pools.clear()
        _by_pk.clear()
    _definitions.clear()
    _facts.clear()

