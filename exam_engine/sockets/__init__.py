"""Socket.IO namespaces, one per audience (STYLE habit 9)."""
from __future__ import annotations

import functools
import logging

from exam_engine.errors import BadRequest, ExamError

log = logging.getLogger(__name__)


def acked(handler):
    """Map a handler's outcome to the ack: `{"ok": true, ...}` or `{"ok": false, error...}`."""

    @functools.wraps(handler)
    def wrapper(self, data=None):
        return acked_call(lambda d: handler(self, d), data, handler.__name__)

    return wrapper


def acked_call(handler, data, name: str = "answer") -> dict:
    """Run `handler(data)` and shape its outcome or its refusal as the ack."""
    try:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise BadRequest("the payload must be a JSON object", code="bad_request")
        return {"ok": True, **(handler(data) or {})}
    except ExamError as exc:
        return {"ok": False, **exc.as_dict()}
    except Exception:
        log.exception("%s failed", name)
        return {"ok": False, "error": "server_error",
                "message": "the server could not handle this request; try again"}
