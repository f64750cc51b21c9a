"""The one module that builds an app at import: `app = create_app()`.

`python wsgi.py` serves HTTP and Socket.IO on EXAM_HOST:EXAM_PORT with EXAM_ASYNC_MODE
(gevent by default). Under gunicorn (`gunicorn -k gevent -w 1 wsgi:app`) the worker imports
this module after patching; the background duties then start with the first request.
"""
import os
import sys

_MODE = os.environ.get("EXAM_ASYNC_MODE", "gevent")
if __name__ == "__main__" and _MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
elif __name__ == "__main__" and _MODE == "eventlet":
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import eventlet
    eventlet.monkey_patch()

from config import Config, ConfigError  # noqa: E402
from exam_engine import create_app  # noqa: E402


def _build():
    try:
        return create_app(Config())
    except ConfigError as exc:
        print(f"exam engine: cannot start: {exc}", file=sys.stderr)
        sys.exit(2)


app = _build()


@app.before_request
def _start_duties():
    app.extensions["exam_background"].start()


def main() -> None:
    from exam_engine.extensions import socketio

    config = app.extensions["exam_config"]
    app.extensions["exam_background"].start()
    if os.environ.get("EXAM_BENCH_NO_LOG") == "1":
        print("exam engine: WARNING: EXAM_BENCH_NO_LOG=1: answers are not logged; "
              "this server is for measuring only, its results cannot be verified",
              file=sys.stderr, flush=True)
    print(f"exam engine: serving on http://{config.HOST}:{config.PORT}/ "
          f"({config.ASYNC_MODE}, {app.extensions['exam_db'].engine.dialect.name}"
          f"{', redis' if config.REDIS_URL else ''})", flush=True)
    socketio.run(app, host=config.HOST, port=config.PORT, log_output=False,
                 allow_unsafe_werkzeug=config.ASYNC_MODE == "threading")


if __name__ == "__main__":
    main()
