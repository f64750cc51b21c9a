"""The HTTP API under /api/v1 (CONTRACT §3): thin views over one service call each."""
from __future__ import annotations

import functools

from flask import Blueprint, g, jsonify, request, session
from werkzeug.exceptions import HTTPException

from exam_engine.errors import BadRequest, ExamError, Forbidden
from exam_engine.services import auth

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def staff(*roles: str):
    """Require a staff bearer token with one of `roles`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            token = header[7:].strip() if header.lower().startswith("bearer ") else None
            token = token or session.get("staff_token")  # the dashboard pages' login
            who = auth.tokens.staff(token)
            if who.role not in roles:
                raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {who.role}")
            g.staff = who
            return view(*args, **kwargs)

        return wrapper

    return decorate


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    return data


def uploaded_file(field: str = "file") -> tuple[bytes, str]:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise BadRequest(f"a multipart file field `{field}` is required", field=field)
    return upload.read(), upload.filename


@bp.errorhandler(ExamError)
def _exam_error(exc: ExamError):
    return jsonify(exc.as_dict()), exc.status


def http_error(exc: HTTPException):
    """Every HTTP error under /api is JSON, never an HTML page."""
    code = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.code, "http_error")
    return jsonify({"error": code, "message": exc.description}), exc.code


from exam_engine.api import banks, candidates, exams, public, users  # noqa: E402,F401
