"""The proctor's room and the public board over sockets (CONTRACT §4.2, §4.3)."""
from __future__ import annotations

from exam_engine.extensions import socketio
from exam_engine.services import staff as staff_service
from exam_engine.services.live import Publisher
from tests.conftest import ADMIN, small_bank, small_exam, staff_user

ROW_KEYS = {"participant_no", "name", "sections", "total", "status", "rank"}


def proctor_socket(app, token):
    return socketio.test_client(app, namespace="/proctor", auth={"token": token})


def events(sio, ns, name):
    return [m["args"][0] for m in sio.get_received(ns) if m["name"] == name]


def test_only_proctors_and_admins_may_connect_to_the_proctor_namespace(app, client, actions):
    exam, creds = actions.ready_exam(1)
    candidate_token = actions.login(exam, creds[0])
    assert not proctor_socket(app, candidate_token).is_connected("/proctor")
    assert not proctor_socket(app, staff_user(client, "observer")).is_connected("/proctor")
    assert not proctor_socket(app, "nonsense").is_connected("/proctor")
    assert proctor_socket(app, staff_user(client, "proctor")).is_connected("/proctor")


def test_a_proctor_watches_the_room_and_acts_with_reasons(app, client, actions):
    exam, creds = actions.ready_exam(2)
    cand = actions.candidate(exam, creds[0])
    form = cand.start()
    sio = proctor_socket(app, staff_user(client, "proctor"))
    watch = sio.emit("watch", {"exam": exam}, namespace="/proctor", callback=True)
    rows = {r["participant_no"]: r for r in watch["candidates"]}
    me = rows[creds[0]["participant_no"]]
    assert me["status"] == "active" and me["connected"] is True and me["total"] == 12
    assert rows[creds[1]["participant_no"]]["status"] == "not_started"
    assert set(me) >= {"participant_no", "name", "status", "connected", "answered", "total",
                       "deadline", "incidents"}

    refused = sio.emit("extend", {"exam": exam, "participant_no": creds[0]["participant_no"],
                                  "minutes": 5}, namespace="/proctor", callback=True)
    assert refused["ok"] is False and refused["error"] == "reason_required"
    ok = sio.emit("extend", {"exam": exam, "participant_no": creds[0]["participant_no"],
                             "minutes": 5, "reason": "PC restart"}, namespace="/proctor",
                  callback=True)
    assert ok["ok"] and ok["deadline"] == form["deadline"] + 5 * 60_000

    publisher = Publisher()
    publisher.tick()
    sio.get_received("/proctor")
    cand.answer(form["questions"][0]["id"], "A")
    publisher.tick()
    updates = events(sio, "/proctor", "candidate")
    assert [u["participant_no"] for u in updates] == [creds[0]["participant_no"]]
    assert updates[0]["answered"] == 1

    result = sio.emit("force_submit", {"exam": exam, "participant_no":
                                       creds[0]["participant_no"], "reason": "selesai"},
                      namespace="/proctor", callback=True)
    assert result["ok"] and "total" in result["result"]


def test_a_batch_watcher_gets_each_ticks_changed_rows_in_one_event(app, client, actions):
    exam, creds = actions.ready_exam(3)
    cands = [actions.candidate(exam, c) for c in creds]
    forms = [c.start() for c in cands]
    token = staff_user(client, "proctor")
    batch, single = proctor_socket(app, token), proctor_socket(app, token)
    bad = batch.emit("watch", {"exam": exam, "batch": "ya"}, namespace="/proctor",
                     callback=True)
    assert bad["ok"] is False and bad["error"] == "bad_request" and "batch" in bad["message"]
    assert batch.emit("watch", {"exam": exam, "batch": True}, namespace="/proctor",
                      callback=True)["ok"]
    assert single.emit("watch", {"exam": exam}, namespace="/proctor", callback=True)["ok"]
    publisher = Publisher()
    publisher.tick()
    batch.get_received("/proctor")
    single.get_received("/proctor")

    for cand, form in zip(cands[:2], forms[:2], strict=True):
        cand.answer(form["questions"][0]["id"], "A")
    publisher.tick()
    got = batch.get_received("/proctor")
    assert [m["name"] for m in got] == ["candidates"]
    rows = got[0]["args"][0]["rows"]
    assert got[0]["args"][0]["exam"] == exam
    assert sorted(r["participant_no"] for r in rows) == sorted(
        c["participant_no"] for c in creds[:2])
    assert all(r["answered"] == 1 for r in rows)
    singles = events(single, "/proctor", "candidate")     # CONTRACT §4.2 as is
    assert sorted(r["participant_no"] for r in singles) == sorted(
        c["participant_no"] for c in creds[:2])

    publisher.tick()                                       # nothing changed: nothing sent
    assert batch.get_received("/proctor") == []


def test_a_revoked_token_drops_the_open_proctor_socket(app, client):
    token = staff_user(client, "proctor", "siti")
    sio = proctor_socket(app, token)
    assert sio.is_connected("/proctor")
    who = staff_service.principal(token)
    staff_service.revoke_token(who.token_id)
    assert not sio.is_connected("/proctor")


def watch_board(app, exam):
    sio = socketio.test_client(app, namespace="/scoreboard")
    return sio, sio.emit("watch", {"exam": exam}, namespace="/scoreboard", callback=True)


def test_on_submit_boards_show_no_score_of_an_unfinished_attempt(app, actions):
    exam, creds = actions.ready_exam(2)
    sio, snap = watch_board(app, exam)
    assert snap["ok"] and snap["rows"] == []
    key = actions.key_of(small_bank())
    first, second = (actions.candidate(exam, c) for c in creds)
    publisher = Publisher()
    for cand in (first, second):
        for q in cand.start()["questions"]:
            cand.answer(q["id"], key[q["id"]])
        publisher.tick()
    first.emit("submit")
    publisher.tick()
    frames = events(sio, "/scoreboard", "scoreboard")
    assert frames
    for frame in frames:
        for row in frame["rows"]:
            assert set(row) == ROW_KEYS
            if row["status"] != "ended":
                assert row["total"] is None and row["sections"] == {} and row["rank"] is None
    last = {r["participant_no"]: r for r in frames[-1]["rows"]}
    assert last[creds[0]["participant_no"]]["total"] == 60
    assert last[creds[0]["participant_no"]]["rank"] == 1


def test_live_boards_move_as_answers_are_saved_and_mask_names(app, actions):
    actions.upload_bank(small_bank())
    exam = small_exam(code="live-exam", scoreboard={"public": True, "names": "masked",
                                                    "mode": "live"})
    actions.create_exam(exam)
    actions.open("live-exam")
    creds = actions.register("live-exam", 1)
    sio, snap = watch_board(app, "live-exam")
    cand = actions.candidate("live-exam", creds[0])
    q = cand.start()["questions"]
    key = actions.key_of(small_bank())
    publisher = Publisher()
    publisher.tick()
    cand.answer(q[0]["id"], key[q[0]["id"]])
    publisher.tick()
    frames = events(sio, "/scoreboard", "scoreboard")
    row = frames[-1]["rows"][0]
    assert row["status"] == "active" and row["total"] == 5
    assert row["name"] == "P. 1."          # "Peserta 1", initials only


def test_a_private_board_is_refused(app, actions, client):
    actions.upload_bank(small_bank())
    actions.create_exam(small_exam(code="private", scoreboard={"public": False}))
    _sio, ack = watch_board(app, "private")
    assert ack["ok"] is False and ack["error"] == "not_public"
    assert client.get("/api/v1/public/exams/private/scoreboard").status_code == 404


def test_the_public_json_gives_the_same_rows(app, actions, client):
    exam, creds = actions.ready_exam(1)
    cand = actions.candidate(exam, creds[0])
    cand.start()
    cand.emit("submit")
    _sio, ack = watch_board(app, exam)
    body = client.get(f"/api/v1/public/exams/{exam}/scoreboard").get_json()
    assert body["exam"] == exam and body["rows"] == ack["rows"] and len(body["rows"]) == 1
    assert body["sections"][0] == {"code": "TWK", "title": "Tes Wawasan Kebangsaan",
                                   "pass_mark": 10}
    assert client.get("/api/v1/public/exams/nope/scoreboard", headers=ADMIN).status_code == 404


def test_the_publisher_reading_only_what_changed_agrees_with_a_full_read(app, actions):
    """Tick after tick, the incremental picture equals the boards read from scratch."""
    from exam_engine.extensions import db
    from exam_engine.services import boards

    actions.upload_bank(small_bank())
    actions.create_exam(small_exam(code="incr", scoreboard={"public": True, "names": "full",
                                                             "mode": "live"}))
    actions.open("incr")
    creds = actions.register("incr", 4)
    key = actions.key_of(small_bank())
    cands = [actions.candidate("incr", c) for c in creds]
    forms = [cand.start()["questions"] for cand in cands[:3]]
    watch_board(app, "incr")
    publisher = Publisher()

    def agree():
        publisher.tick()
        with db.read() as s:
            exam = boards.exam_by_code(s, "incr")
            room = publisher._rooms[exam.id]
            assert room.board == boards.scoreboard_rows(s, exam)
            full = {r["participant_no"]: r for r in boards.proctor_rows(s, exam, 0)}
        assert {row["participant_no"]: row for row in room.proctor.values()} == full

    agree()
    for step in range(3):
        for i, qs in enumerate(forms):
            q = qs[(step + i) % len(qs)]
            cands[i].answer(q["id"], key[q["id"]] if (step + i) % 2 else None)
        agree()
    cands[1].emit("submit")
    agree()
    r = actions.client.post("/api/v1/exams/incr/candidates", headers=ADMIN, json={
        "candidates": [{"participant_no": "P900", "name": "Peserta Baru"}]})
    assert r.status_code == 201                     # an event of no attempt: everyone again
    cands[0].emit("submit")
    agree()


def test_a_paused_candidates_row_keeps_moving_while_others_answer(app, actions):
    """A pause logs nothing more, yet the paused deadline moves; the room reads it again."""
    from exam_engine import clock
    from exam_engine.services import proctoring

    exam, creds = actions.ready_exam(2)
    paused, busy = (actions.candidate(exam, c) for c in creds)
    paused.start()
    q = busy.start()["questions"][0]["id"]
    watch_board(app, exam)
    publisher = Publisher()
    publisher.tick()
    proctoring.pause(proctoring.Action("proctor-1", exam, creds[0]["participant_no"],
                                       "listrik padam di ruang 2"))
    publisher.tick()

    def row():
        return next(r for r in next(iter(publisher._rooms.values())).proctor.values()
                    if r["participant_no"] == creds[0]["participant_no"])

    first = row()
    assert first["status"] == "paused"
    clock.travel(10_000)                             # (the watch's interest lasts 15 s)
    assert busy.answer(q, "A")["ok"]                 # the log grows; the pause does not
    publisher.tick()
    assert row()["deadline"] - first["deadline"] >= 10_000
