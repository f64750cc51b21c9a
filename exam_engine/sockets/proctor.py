"""The `/proctor` namespace: proctors (and admins) watching and acting on a room (§4.2)."""
from __future__ import annotations

from flask import request, session
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from exam_engine import clock, realtime
from exam_engine.errors import BadRequest, ExamError, Forbidden, NotFound, Unauthorized
from exam_engine.extensions import db
from exam_engine.services import auth, boards, live, presence, proctoring
from exam_engine.services.auth import StaffPrincipal
from exam_engine.services.proctoring import Action
from exam_engine.sockets import acked


class ProctorNamespace(Namespace):
    """Staff with the proctor or admin role; every action needs a reason and is logged."""

    ROLES = ("proctor", "admin")

    def __init__(self, namespace: str = realtime.PROCTOR_NS) -> None:
        super().__init__(namespace)
        self._who: dict[str, StaffPrincipal] = {}

    def on_connect(self, auth_data=None):
        """Connect with `auth: {"token"}`, or with the session of the dashboard's login."""
        token = auth_data.get("token") if isinstance(auth_data, dict) else None
        try:
            who = auth.tokens.staff(token or session.get("staff_token"))
            if who.role not in self.ROLES:
                raise Forbidden(f"the {who.role} role cannot proctor")
        except ExamError as exc:
            raise ConnectionRefusedError(exc.message, exc.as_dict()) from None
        self._who[request.sid] = who
        presence.staff_connected(request.sid, self.namespace, who.token_id)

    def on_disconnect(self, reason=None):
        self._who.pop(request.sid, None)
        presence.forget(request.sid)

    def _principal(self) -> StaffPrincipal:
        who = self._who.get(request.sid)
        if who is None:
            raise Unauthorized("not connected as staff")
        if who.token_id is not None and auth.tokens.staff_revoked(who):
            raise Unauthorized("this token was revoked", code="token_revoked")
        return who

    def _act(self, data) -> Action:
        return Action(self._principal().username, data.get("exam"),
                      data.get("participant_no"), data.get("reason"))

    @acked
    def on_watch(self, data):
        """Proctor -> server: the room's rows now; `candidate` row updates follow.

        With `"batch": true` (an extension of CONTRACT §4.2, what the dashboard asks for)
        one `candidates` event `{"exam", "rows"}` a publisher tick carries every row that
        changed, instead of a `candidate` event per row: in the last minutes of an exam a
        room's rows change hundreds of times a second.
        """
        self._principal()
        batch = data.get("batch", False) if isinstance(data, dict) else False
        if not isinstance(batch, bool):
            raise BadRequest("`batch` must be true or false", field="batch")
        with db.read() as s:
            exam = boards.exam_by_code(s, data.get("exam"))
            rows = boards.proctor_rows(s, exam, clock.now_ms())
            exam_id = exam.id
        join_room(realtime.proctor_batch_room(exam_id) if batch
                  else realtime.proctor_room(exam_id))
        live.note_watchers({exam_id})
        return {"exam": data.get("exam"), "candidates": rows}

    @acked
    def on_extend(self, data):
        """Proctor -> server: more minutes for one candidate; their countdown moves."""
        return proctoring.extend(self._act(data), data.get("minutes"))

    @acked
    def on_pause(self, data):
        """Proctor -> server: stop one candidate's clock (they see a paused screen)."""
        return proctoring.pause(self._act(data))

    @acked
    def on_resume(self, data):
        """Proctor -> server: restart a paused clock."""
        return proctoring.resume(self._act(data))

    @acked
    def on_force_submit(self, data):
        """Proctor -> server: end one candidate's attempt now and score it."""
        return proctoring.force_submit(self._act(data))

    @acked
    def on_reset_login(self, data):
        """Proctor -> server: drop the candidate's sockets and tokens; answers stay."""
        return proctoring.reset_login(self._act(data))

    @acked
    def on_message(self, data):
        """Proctor -> server -> candidate(s): a message to one candidate or to all."""
        who = self._principal()
        return proctoring.message(who.username, data.get("exam"), data.get("participant_no"),
                                  data.get("text"))

    @acked
    def on_open(self, data):
        """Proctor -> server: open the exam (a reason is required)."""
        return _exam_state(self._act_exam(data), "open")

    @acked
    def on_close(self, data):
        """Proctor -> server: close the exam (a reason is required)."""
        return _exam_state(self._act_exam(data), "close")

    def _act_exam(self, data) -> Action:
        act = Action(self._principal().username, data.get("exam"), "-", data.get("reason"))
        return act.checked()


def _exam_state(act: Action, what: str) -> dict:
    from exam_engine.services import exams

    if not isinstance(act.exam, str):
        raise NotFound("`exam` is required", code="exam_not_found")
    change = exams.open_exam if what == "open" else exams.close_exam
    return change(act.exam, actor=act.actor, reason=act.reason)
