"""The `/candidate` namespace: one candidate's browser and the server (CONTRACT §4.1)."""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from exam_engine import realtime
from exam_engine.errors import BadRequest, ExamError, NotFound, Unauthorized
from exam_engine.services import answers, attempts, auth, presence
from exam_engine.services.auth import CandidatePrincipal
from exam_engine.sockets import acked, acked_call


class CandidateNamespace(Namespace):
    """Events a candidate sends; the server answers in the ack and pushes time/ended/paused."""

    def __init__(self, namespace: str = realtime.CANDIDATE_NS) -> None:
        super().__init__(namespace)
        self._who: dict[str, CandidatePrincipal] = {}   # sid -> candidate, this process only

    def on_connect(self, auth_data=None):
        """A candidate connects with `auth: {"token"}`; anything else is refused."""
        token = auth_data.get("token") if isinstance(auth_data, dict) else None
        try:
            who = auth.tokens.candidate(token)
        except ExamError as exc:
            raise ConnectionRefusedError(exc.message, exc.as_dict()) from None
        self._who[request.sid] = who
        join_room(realtime.candidate_room(who.candidate_id))
        join_room(realtime.exam_room(who.exam_id))
        presence.candidate_connected(request.sid, self.namespace, who.candidate_id,
                                     who.exam_id)

    def on_disconnect(self, reason=None):
        who = self._who.pop(request.sid, None)
        if who is not None:
            presence.candidate_disconnected(request.sid, who.candidate_id, who.exam_id)
        else:
            presence.forget(request.sid)

    def trigger_event(self, event, *args):
        """Route `answer` and `submit` around Flask-SocketIO's per-event request context.

        Every other event goes the usual way. Neither needs `flask.request` nor a session,
        and building a request context per event (matching the URL, which raises and
        catches a 404 each time) was a quarter of the server's time in the autosave
        benchmark (docs/benchmarks.md); submissions come in a burst at the end of an exam.
        """
        if event in self._direct:
            return self._direct[event](self, args[0], args[1] if len(args) > 1 else None)
        return super().trigger_event(event, *args)

    def answer(self, sid: str, data) -> dict:
        """Candidate -> server: store one answer; acked only once committed."""
        return acked_call(lambda d: answers.record_answer(
            self._principal(sid), d.get("question"), d.get("choice"), d.get("seq")), data)

    def submit(self, sid: str, data) -> dict:
        """Candidate -> server: finish now; the ack carries the result the exam allows."""
        return acked_call(lambda _d: attempts.submit(self._principal(sid)), data, "submit")

    _direct = {"answer": answer, "submit": submit}

    def _principal(self, sid: str | None = None) -> CandidatePrincipal:
        sid = sid or request.sid
        who = self._who.get(sid)
        if who is None:
            raise NotFound("not connected as a candidate", code="unauthorized")
        if not auth.tokens.still_valid(who):
            self._who.pop(sid, None)
            self.server.disconnect(sid, namespace=self.namespace)
            raise Unauthorized("your login was reset by the proctor; log in again",
                               code="logged_out")
        return who

    @acked
    def on_preview(self, data):
        """Candidate -> server: the exam's outline for the instructions (starts no clock)."""
        return attempts.preview(self._principal())

    @acked
    def on_start(self, data):
        """Candidate -> server: begin or resume the attempt; ack holds the whole form."""
        return attempts.start(self._principal())

    @acked
    def on_flag(self, data):
        """Candidate -> server: mark a question ragu-ragu (or clear the mark)."""
        flagged = data.get("flagged")
        if not isinstance(flagged, bool) or not isinstance(data.get("question"), str):
            raise BadRequest("`flag` takes {question: id, flagged: true|false}",
                             code="bad_request")
        return attempts.flag(self._principal(), data["question"], flagged)

    @acked
    def on_sync(self, data):
        """Candidate -> server: the server's clock, deadline and attempt status."""
        return attempts.sync(self._principal())

    @acked
    def on_incident(self, data):
        """Candidate's page -> server: it was hidden or lost focus (shown to the proctor)."""
        kind = data.get("kind")
        if kind not in ("hidden", "blur"):
            raise BadRequest("`kind` must be hidden or blur", field="kind")
        who = self._principal()
        presence.report(who.candidate_id, who.exam_id, kind)
        return {}
