"""Registering candidates with one-time passwords, and their login (CONTRACT §2.3, §3)."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from exam_engine import clock
from exam_engine.errors import Conflict, Invalid, Unauthorized
from exam_engine.extensions import db, off_the_loop
from exam_engine.models import Candidate, Exam
from exam_engine.services import auth
from exam_engine.services.eventlog import EventLog
from exam_engine.services.exams import _exam
from question_bank.candidates import CandidateRow

# No 0/O, 1/l/I: passwords are read off a printed card and typed on a lab keyboard.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# The passwords are random (about 40 bits), so a moderate work factor suffices and keeps
# importing thousands of candidates quick.
_HASH_METHOD = "pbkdf2:sha256:30000"


def new_password(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _hash_all(passwords: list[str]) -> list[str]:
    return [generate_password_hash(pw, _HASH_METHOD) for pw in passwords]


def import_candidates(exam_code: str, rows: list[CandidateRow], problems: list,
                      actor: str = "admin") -> dict:
    """Register every row or none; each password is returned once and stored only hashed."""
    if problems:
        raise Invalid(f"{len(problems)} problem(s) in the candidate list; nothing was stored",
                      code="invalid_candidates", problems=[p.as_dict() for p in problems])
    if not rows:
        raise Invalid("the candidate list is empty", code="invalid_candidates", problems=[])
    credentials = [(row, new_password()) for row in rows]
    hashes = off_the_loop(_hash_all, [pw for _, pw in credentials])
    with db.write() as s:
        exam = _exam(s, exam_code)
        log = EventLog.of(s, exam.id).lock()
        existing = set(s.execute(select(Candidate.participant_no).where(
            Candidate.exam_id == exam.id,
            Candidate.participant_no.in_([r.participant_no for r in rows]))).scalars())
        if existing:
            raise Conflict(
                f"already registered in {exam_code}: {', '.join(sorted(existing)[:20])}",
                code="candidate_exists", participant_nos=sorted(existing))
        for (row, _), pw_hash in zip(credentials, hashes, strict=True):
            s.add(Candidate(exam_id=exam.id, participant_no=row.participant_no, name=row.name,
                            pseudonym=auth.tokens.pseudonym(exam.code, row.participant_no),
                            category=row.category, email=row.email,
                            extra_minutes=row.extra_minutes, password_hash=pw_hash))
        log.append("candidates_added", {
            "by": actor,
            "candidates": [{"candidate": auth.tokens.pseudonym(exam.code, r.participant_no),
                            "extra_minutes": r.extra_minutes} for r in rows],
        }, clock.now_ms())
    return {"created": len(rows),
            "credentials": [{"participant_no": r.participant_no, "name": r.name, "password": pw}
                            for r, pw in credentials]}


def listing(exam_code: str) -> list[dict]:
    """The exam's registered candidates (never their passwords)."""
    with db.read() as s:
        exam = _exam(s, exam_code)
        rows = s.execute(select(Candidate).where(Candidate.exam_id == exam.id)
                         .order_by(Candidate.participant_no)).scalars().all()
    return [{"participant_no": c.participant_no, "name": c.name, "category": c.category,
             "extra_minutes": c.extra_minutes, "email": c.email} for c in rows]


def reissue_password(exam_code: str, participant_no: str, actor: str, reason: object) -> dict:
    """A new password for a lost card; the old one and its tokens stop working at once."""
    if not isinstance(reason, str) or not reason.strip():
        from exam_engine.errors import BadRequest

        raise BadRequest("a new password needs a reason", field="reason", code="reason_required")
    password = new_password()
    password_hash = off_the_loop(generate_password_hash, password, _HASH_METHOD)
    with db.write() as s:
        exam = _exam(s, exam_code)
        log = EventLog.of(s, exam.id).lock()
        cand = s.execute(select(Candidate).where(Candidate.exam_id == exam.id,
                                                 Candidate.participant_no == participant_no)
                         ).scalar()
        if cand is None:
            from exam_engine.errors import NotFound

            raise NotFound(f"{participant_no} is not a candidate of {exam_code}",
                           code="candidate_not_found")
        cand.password_hash = password_hash
        cand.login_generation += 1
        log.append("password_reissued", {"by": actor, "reason": reason.strip(),
                                         "candidate": cand.pseudonym}, clock.now_ms())
        cand_id = cand.id
    from exam_engine import realtime

    realtime.logout_candidate(cand_id)
    return {"participant_no": participant_no, "name": cand.name, "password": password}


def login(exam_code: object, participant_no: object, password: object) -> dict:
    """Exchange a candidate's exam, participant number and password for a token."""
    if not all(isinstance(v, str) and v for v in (exam_code, participant_no, password)):
        raise Unauthorized("exam, participant_no and password are required",
                           code="bad_credentials")
    with db.read() as s:
        row = s.execute(
            select(Candidate, Exam).join(Exam, Candidate.exam_id == Exam.id)
            .where(Exam.code == exam_code, Candidate.participant_no == participant_no)
        ).first()
        cand, exam = row if row else (None, None)
        if not auth.check_password(cand.password_hash if cand else None, password,
                                   _HASH_METHOD):
            raise Unauthorized("participant number or password is wrong",
                               code="bad_credentials")
        if exam.status == "closed" and not _has_attempt(s, cand.id):
            # A running attempt goes on after closing (and a finished one shows its
            # result); only someone who never started is turned away.
            raise Conflict(f"exam {exam.code} is closed", code="exam_closed")
        return {"token": auth.tokens.candidate_token(cand), "exam": exam.code,
                "participant_no": cand.participant_no, "name": cand.name,
                "status": exam.status}


def _has_attempt(s, candidate_id: int) -> bool:
    from exam_engine.models import Attempt

    return s.execute(select(Attempt.id).where(Attempt.candidate_id == candidate_id)
                     ).scalar() is not None
