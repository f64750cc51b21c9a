"""Staff users, login and logout."""
from __future__ import annotations

from flask import g, session

from exam_engine.api import bp, json_body, staff
from exam_engine.errors import BadRequest
from exam_engine.services import staff as staff_service


@bp.post("/users")
@staff("admin")
def create_user():
    data = json_body()
    return staff_service.create_user(data.get("username"), data.get("role"),
                                     data.get("password")), 201


@bp.get("/users")
@staff("admin")
def list_users():
    return {"users": staff_service.list_users()}


@bp.post("/users/<username>/disable")
@staff("admin")
def disable_user(username: str):
    return staff_service.set_disabled(username, True)


@bp.post("/users/<username>/enable")
@staff("admin")
def enable_user(username: str):
    return staff_service.set_disabled(username, False)


@bp.post("/login")
def login():
    data = json_body()
    out = staff_service.login(data.get("username"), data.get("password"))
    session.clear()
    session["staff_token"] = out["token"]
    return {"token": out["token"], "role": out["role"]}


@bp.post("/logout")
@staff("admin", "proctor", "observer")
def logout():
    """Revoke the token this request was made with (and end the browser session)."""
    if g.staff.token_id is None:
        raise BadRequest("the EXAM_ADMIN_TOKEN cannot be revoked; unset it instead")
    staff_service.revoke_token(g.staff.token_id)
    session.clear()
    return {"ok": True}
