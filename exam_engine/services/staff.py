"""Staff accounts (admin, proctor, observer) and their revocable bearer tokens."""
from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from exam_engine import clock, realtime
from exam_engine.errors import BadRequest, Conflict, NotFound, Unauthorized
from exam_engine.extensions import db, off_the_loop
from exam_engine.models import StaffToken, StaffUser
from exam_engine.services import auth

ROLES = ("admin", "proctor", "observer")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(s, user: StaffUser) -> str:
    token = "st_" + secrets.token_urlsafe(32)
    s.add(StaffToken(user_id=user.id, token_hash=token_hash(token), created_ms=clock.now_ms()))
    return token


def create_user(username: object, role: object, password: object) -> dict:
    """Create a staff account and return its first token."""
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise BadRequest("`username`: 2-64 characters of a-z, 0-9, '.', '_', '-'",
                         field="username")
    if role not in ROLES:
        raise BadRequest(f"`role` must be one of {', '.join(ROLES)}", field="role")
    if not isinstance(password, str) or len(password) < 10:
        raise BadRequest("`password` must have at least 10 characters", field="password")
    password_hash = off_the_loop(generate_password_hash, password)
    with db.write() as s:
        if s.execute(select(StaffUser.id).where(StaffUser.username == username)).scalar():
            raise Conflict(f"user {username} already exists", code="user_exists")
        user = StaffUser(username=username, role=role, created_ms=clock.now_ms(),
                         password_hash=password_hash, disabled=False)
        s.add(user)
        s.flush()
        token = _issue(s, user)
    return {"username": username, "role": role, "token": token}


def login(username: object, password: object) -> dict:
    """Exchange a username and password for a new token."""
    if not isinstance(username, str) or not isinstance(password, str):
        raise Unauthorized("username and password are required", code="bad_credentials")
    with db.read() as s:    # the hash is checked outside the write lock (it takes ~50 ms)
        user = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar()
    ok = auth.check_password(user.password_hash if user else None, password)
    with db.write() as s:
        user = s.get(StaffUser, user.id) if ok else None
        if user is None or user.disabled:
            raise Unauthorized("username or password is wrong", code="bad_credentials")
        token = _issue(s, user)
    return {"token": token, "role": user.role, "username": user.username}


def principal(token: str | None) -> auth.StaffPrincipal | None:
    """The staff member a token belongs to, if it is current and the user enabled."""
    if not token:
        return None
    with db.read() as s:
        row = s.execute(
            select(StaffToken.id, StaffUser.username, StaffUser.role)
            .join(StaffUser, StaffToken.user_id == StaffUser.id)
            .where(StaffToken.token_hash == token_hash(token), StaffToken.revoked_ms.is_(None),
                   StaffUser.disabled.is_(False))
        ).first()
    return auth.StaffPrincipal(row.username, row.role, row.id) if row else None


def is_revoked(token_id: int | None) -> bool:
    """True when the token was revoked or its user disabled."""
    with db.read() as s:
        row = s.execute(select(StaffToken.revoked_ms, StaffUser.disabled)
                        .join(StaffUser, StaffToken.user_id == StaffUser.id)
                        .where(StaffToken.id == token_id)).first()
    return row is None or row.revoked_ms is not None or row.disabled


def revoke_token(token_id: int) -> None:
    """Revoke one token and drop its open sockets on every process."""
    with db.write() as s:
        s.execute(update(StaffToken).where(StaffToken.id == token_id,
                                           StaffToken.revoked_ms.is_(None))
                  .values(revoked_ms=clock.now_ms()))
    realtime.drop_staff_tokens([token_id])


def set_disabled(username: str, disabled: bool) -> dict:
    """Disable (or enable) an account; disabling revokes its tokens and drops its sockets."""
    with db.write() as s:
        user = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar()
        if user is None:
            raise NotFound(f"user {username} does not exist", code="user_not_found")
        user.disabled = disabled
        token_ids = []
        if disabled:
            token_ids = list(s.execute(select(StaffToken.id).where(
                StaffToken.user_id == user.id, StaffToken.revoked_ms.is_(None))).scalars())
            s.execute(update(StaffToken).where(StaffToken.id.in_(token_ids))
                      .values(revoked_ms=clock.now_ms()))
        role = user.role
    if token_ids:
        realtime.drop_staff_tokens(token_ids)
    return {"username": username, "role": role, "disabled": disabled}


def list_users() -> list[dict]:
    with db.read() as s:
        return [{"username": u.username, "role": u.role, "disabled": u.disabled}
                for u in s.execute(select(StaffUser).order_by(StaffUser.username)).scalars()]
