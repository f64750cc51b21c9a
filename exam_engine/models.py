"""SQLAlchemy 2.x models. The event table is the record; the rest are caches and catalogues.

Times are integer milliseconds since the Unix epoch (UTC), as in the events themselves.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    latest_revision: Mapped[int] = mapped_column(Integer, default=0)


class BankRevision(Base):
    __tablename__ = "bank_revisions"
    __table_args__ = (UniqueConstraint("bank_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(300))
    question_count: Mapped[int] = mapped_column(Integer)
    created_ms: Mapped[int] = mapped_column(BigInteger)


class Question(Base):
    """One question of one bank revision; never changed once stored."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("revision_id", "qid"),
        Index("ix_questions_revision_category", "revision_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("bank_revisions.id"))
    position: Mapped[int] = mapped_column(Integer)
    qid: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # [{"key", "text", "correct"?, "points"?}] in bank order: holds the key, staff only.
    options: Mapped[list] = mapped_column(JSON)
    difficulty: Mapped[float | None] = mapped_column(default=None)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[str | None] = mapped_column(Text, default=None)


class Exam(Base):
    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | open | closed
    definition: Mapped[dict] = mapped_column(JSON)     # ExamDefinition.to_dict()
    pinned: Mapped[dict] = mapped_column(JSON, default=dict)  # bank code -> revision, at open
    event_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # last per-exam event seq
    chain_head: Mapped[str | None] = mapped_column(String(64), default=None)  # last link, hex
    created_ms: Mapped[int] = mapped_column(BigInteger)


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("exam_id", "participant_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    participant_no: Mapped[str] = mapped_column(String(40))
    pseudonym: Mapped[str] = mapped_column(String(32))   # the only name events carry
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(100), default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    password_hash: Mapped[str] = mapped_column(String(300))
    login_generation: Mapped[int] = mapped_column(Integer, default=0)  # reset_login bumps it
    incidents: Mapped[int] = mapped_column(Integer, default=0)


class Event(Base):
    """The append-only record of everything that happened in an exam (DESIGN.md §1)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("exam_id", "seq"),
        Index("ix_events_attempt", "attempt_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), default=None)
    seq: Mapped[int] = mapped_column(BigInteger)      # 1, 2, 3 ... within the exam
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)        # canonical JSON (core/canonical.py)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    chain: Mapped[str] = mapped_column(String(64))    # hash chain link (core/chain.py), hex


class Attempt(Base):
    """Cache of an attempt's fold: status, clock and result, updated with each event."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_due", "status", "deadline_ms"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    seed: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))   # active | paused | ended
    started_ms: Mapped[int] = mapped_column(BigInteger)
    allowed_ms: Mapped[int] = mapped_column(BigInteger)
    paused_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    paused_since_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    deadline_ms: Mapped[int] = mapped_column(BigInteger)  # for the sweeper's index
    ended_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    end_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    question_count: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict | None] = mapped_column(JSON, default=None)  # exact marks when scored
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every event
    last_answer_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # its latest answer


class AttemptItem(Base):
    """Cache of one question on an attempt's form and its latest stored answer."""

    __tablename__ = "attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "qid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(40))
    qid: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    type: Mapped[str] = mapped_column(String(20))
    option_order: Mapped[list] = mapped_column(JSON)
    choice: Mapped[object | None] = mapped_column(JSON, default=None)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)


class Lock(Base):
    """A named lease, so that one process at a time runs a duty such as the sweeper."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    until_ms: Mapped[int] = mapped_column(BigInteger)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))          # admin | proctor | observer
    password_hash: Mapped[str] = mapped_column(String(300))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_ms: Mapped[int] = mapped_column(BigInteger)


class StaffToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no tokens."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    revoked_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)


class Presence(Base):
    """An open socket, on whichever process holds it (so any process can find and drop it)."""

    __tablename__ = "presence"
    __table_args__ = (Index("ix_presence_candidate", "candidate_id"),
                      Index("ix_presence_exam", "exam_id"))

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(20))
    holder: Mapped[str] = mapped_column(String(80))
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id"), default=None)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), default=None)
    staff_token_id: Mapped[int | None] = mapped_column(ForeignKey("staff_tokens.id"),
                                                       default=None)
    since_ms: Mapped[int] = mapped_column(BigInteger)


class Process(Base):
    """A running server process and its last heartbeat; presence of a dead one is void."""

    __tablename__ = "processes"

    holder: Mapped[str] = mapped_column(String(80), primary_key=True)
    heartbeat_ms: Mapped[int] = mapped_column(BigInteger)


class Media(Base):
    """An image of a bank revision, stored with it and never changed."""

    __tablename__ = "media"
    __table_args__ = (UniqueConstraint("revision_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("bank_revisions.id"))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Checkpoint(Base):
    """A signed tree head of an exam's log, with consistency proofs to every earlier one."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("exam_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))
    time_ms: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(128))
    proofs: Mapped[list] = mapped_column(JSON, default=list)  # [{"from": size, "proof": [hex]}]


class RulesSecret(Base):
    """What decides a score, kept private between the commitment and the reveal."""

    __tablename__ = "rules_secrets"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), primary_key=True)
    material: Mapped[str] = mapped_column(Text)      # canonical JSON
    nonce: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)


class Correction(Base):
    """A change after the exam closed (a corrected key), applied only on a second approval."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    question: Mapped[str] = mapped_column(String(100))
    change: Mapped[dict] = mapped_column(JSON)            # {"key": [...]} or {"points": {...}}
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_ms: Mapped[int] = mapped_column(BigInteger)
    approved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    approved_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | applied


class Interest(Base):
    """A process has sockets watching an exam's live screens (renewed by its heartbeat)."""

    __tablename__ = "interest"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80), primary_key=True)
    until_ms: Mapped[int] = mapped_column(BigInteger)
