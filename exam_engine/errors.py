"""One small error hierarchy; each transport maps it once (HTTP handler, socket ack)."""
from __future__ import annotations


class ExamError(Exception):
    """A refused request: a stable `code`, a human message, an HTTP status, extra fields."""

    code = "error"
    status = 400

    def __init__(self, message: str, code: str | None = None, **extra) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, **self.extra}


class BadRequest(ExamError):
    code, status = "bad_request", 400


class Unauthorized(ExamError):
    code, status = "unauthorized", 401


class Forbidden(ExamError):
    code, status = "forbidden", 403


class NotFound(ExamError):
    code, status = "not_found", 404


class Conflict(ExamError):
    code, status = "conflict", 409


class Invalid(ExamError):
    """An uploaded file or definition with problems; `problems` lists every one."""

    code, status = "invalid", 422
