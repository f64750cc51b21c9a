"""The stack's ceiling: a bare python-socketio server that acks at once (no Flask, no database).

Same transport stack as the engine's default (`python wsgi.py`): python-socketio on gevent,
gevent's pywsgi server with gevent-websocket's handler, the same ping settings; but no
Flask-SocketIO, no authentication, no storage. `/candidate` accepts any connection, `start`
returns a form the size of an SKD attempt (110 questions of 5 options, with short texts), and
`answer` acks `{ok, seq, saved_at}` immediately. `bench/loadgen.py --echo` drives it.

    .venv/bin/python bench/echo_server.py --port 5055
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import time  # noqa: E402

import socketio  # noqa: E402
from gevent import pywsgi  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402

SECTIONS = (("TWK", 30), ("TIU", 35), ("TKP", 45))


def _form() -> list[dict]:
    questions = []
    for code, count in SECTIONS:
        for i in range(count):
            qid = f"{code.lower()}-{i + 1:04d}"
            questions.append({
                "id": qid, "section": code, "type": "single",
                "text": f"**Soal {code} {i + 1}.** Pertanyaan contoh yang sedang panjangnya ...",
                "options": [{"key": k, "text": f"Pilihan {k} untuk soal {qid}"}
                            for k in "ABCDE"]})
    return questions


FORM = _form()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def build(ping_interval: int = 10, ping_timeout: int = 10) -> socketio.WSGIApp:
    sio = socketio.Server(async_mode="gevent", cors_allowed_origins=None,
                          max_http_buffer_size=256 * 1024, ping_interval=ping_interval,
                          ping_timeout=ping_timeout)

    @sio.on("connect", namespace="/candidate")
    def connect(sid, environ, auth=None):
        return True

    @sio.on("start", namespace="/candidate")
    def start(sid, data=None):
        now = now_ms()
        return {"ok": True, "attempt": 1, "deadline": now + 100 * 60_000, "server_now": now,
                "sections": [{"code": c, "title": c, "questions": n} for c, n in SECTIONS],
                "questions": FORM, "answers": {}, "flags": []}

    @sio.on("answer", namespace="/candidate")
    def answer(sid, data=None):
        seq = data.get("seq") if isinstance(data, dict) else None
        return {"ok": True, "seq": seq, "saved_at": now_ms()}

    return socketio.WSGIApp(sio, _health)


def _health(environ, start_response):
    """Anything that is not Socket.IO: `{"ok":true}` on /api/v1/health, 404 otherwise."""
    if environ.get("PATH_INFO") == "/api/v1/health":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok":true}']
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5055)
    args = ap.parse_args()
    server = pywsgi.WSGIServer((args.host, args.port), build(), handler_class=WebSocketHandler,
                               log=None)
    print(f"echo server: serving on http://{args.host}:{args.port}/ (gevent)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
