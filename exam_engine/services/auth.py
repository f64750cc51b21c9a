"""Who is calling: candidate tokens and the admin bearer token."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from exam_engine.errors import Unauthorized
from exam_engine.extensions import db, off_the_loop
from exam_engine.models import Candidate, Exam

CANDIDATE_TOKEN_MAX_AGE_S = 24 * 3600
GENERATION_TTL_S = 1.0
_DUMMY_HASHES: dict[str, str] = {}


@dataclass(frozen=True)
class CandidatePrincipal:
    candidate_id: int
    exam_id: int
    exam: str
    participant_no: str
    generation: int = 0


@dataclass(frozen=True)
class StaffPrincipal:
    username: str
    role: str                       # admin | proctor | observer
    token_id: int | None = None     # None for the EXAM_ADMIN_TOKEN


class Tokens:
    def __init__(self, secret: str, admin_token: str | None) -> None:
        self._candidate = URLSafeTimedSerializer(secret, salt="candidate-token")
        self._admin_token = admin_token
        self._pseudonym_key = hashlib.sha256(b"pseudonym\x00" + secret.encode()).digest()
        # exam id -> ({candidate id: generation} of those ever reset, when it was read)
        self._resets: dict[int, tuple[dict[int, int], float]] = {}

    def pseudonym(self, exam_code: str, participant_no: str) -> str:
        """The candidate's name in the event log and the public bundle (a keyed hash)."""
        mac = hmac.new(self._pseudonym_key, f"{exam_code}\x00{participant_no}".encode(),
                       hashlib.sha256)
        return "c-" + mac.hexdigest()[:20]

    def candidate_token(self, candidate: Candidate) -> str:
        return self._candidate.dumps({"c": candidate.id, "g": candidate.login_generation})

    def candidate(self, token: object) -> CandidatePrincipal:
        """Check a candidate token; a reset login (new generation) invalidates old ones."""
        if not isinstance(token, str) or not token:
            raise Unauthorized("a candidate token is required", code="bad_token")
        try:
            data = self._candidate.loads(token, max_age=CANDIDATE_TOKEN_MAX_AGE_S)
        except BadSignature:
            raise Unauthorized("the candidate token is not valid", code="bad_token") from None
        with db.read() as s:
            cand = s.get(Candidate, data.get("c"))
            exam = s.get(Exam, cand.exam_id) if cand else None
            if cand is None or exam is None or cand.login_generation != data.get("g"):
                raise Unauthorized("the candidate token is no longer valid", code="bad_token")
            return CandidatePrincipal(cand.id, exam.id, exam.code, cand.participant_no,
                                      cand.login_generation)

    def staff_revoked(self, who: StaffPrincipal) -> bool:
        from exam_engine.services import staff

        return staff.is_revoked(who.token_id)

    def still_valid(self, who: CandidatePrincipal) -> bool:
        """False once a proctor has reset this candidate's login (or reissued it).

        Every answer passes here, so no check reads a row of its own: at most once a second
        per exam, one read of the exam's candidates whose login was ever reset (a handful)
        serves every check. Read per candidate, it was one query per answer at a real pace
        and 9 % of the server's samples in bench/live_bench.py. A reset clears this
        process's cache at once and drops the candidate's sockets on every process.
        """
        now = time.monotonic()
        cached = self._resets.get(who.exam_id)
        # A token newer than what is held means the reset happened on another process.
        if cached is None or now - cached[1] > GENERATION_TTL_S or \
                who.generation > cached[0].get(who.candidate_id, 0):
            if cached is not None:
                # Checks arriving while this read is out keep the held set (at most a
                # read's time older than the TTL): without this every answer of that
                # moment sent its own read, 5 % of the server's samples (py-spy).
                self._resets[who.exam_id] = (cached[0], now)
            with db.read() as s:
                cur = db.cursor(s)
                cur.execute(db.sql("SELECT id, login_generation FROM candidates"
                                   " WHERE exam_id = ? AND login_generation <> 0"),
                            (who.exam_id,))
                cached = self._resets[who.exam_id] = (dict(cur.fetchall()), now)
        return cached[0].get(who.candidate_id, 0) == who.generation

    def forget_generations(self) -> None:
        """Read the resets again at the next check (a login was reset here just now)."""
        self._resets.clear()

    def staff(self, token: str | None) -> StaffPrincipal:
        """Check a staff bearer token: a user's token, or the EXAM_ADMIN_TOKEN."""
        from exam_engine.services import staff

        if token and self._admin_token and hmac.compare_digest(token, self._admin_token):
            return StaffPrincipal("admin", "admin")
        who = staff.principal(token)
        if who is None:
            raise Unauthorized("a valid staff token is required", code="unauthorized")
        return who


tokens: Tokens | None = None


def init_tokens(secret: str, admin_token: str | None) -> Tokens:
    global tokens
    tokens = Tokens(secret, admin_token)
    return tokens


def check_password(password_hash: str | None, password: str, method: str = "scrypt") -> bool:
    """Check a password; an unknown user is checked against a dummy hash of the same
    method, so a wrong participant number takes as long as a wrong password."""
    if password_hash is None:
        if method not in _DUMMY_HASHES:
            _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(8), method)
        off_the_loop(check_password_hash, _DUMMY_HASHES[method], password)
        return False
    return off_the_loop(check_password_hash, password_hash, password)
