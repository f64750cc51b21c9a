"""The exam engine: create_app() wires configuration, database, sockets and blueprints.

Importing this package imports no framework: the standalone verifier
(`python -m exam_engine.audit`) runs the pure core with nothing but the standard library
and numpy, so Flask, SQLAlchemy and the rest are imported inside create_app.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from config import Config

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'; object-src 'none'")


def create_app(config: Config | None = None) -> Flask:
    """Build the application; a setting that cannot work raises ConfigError naming it."""
    from flask import Flask
    from sqlalchemy.exc import ArgumentError, OperationalError

    from config import Config, ConfigError
    from exam_engine import admin_pages, cli, pages, public_pages
    from exam_engine.api import bp as api_bp
    from exam_engine.api import http_error
    from exam_engine.errors import ExamError
    from exam_engine.extensions import db, socketio
    from exam_engine.models import Base
    from exam_engine.services import auth, catalog, media, transparency
    from exam_engine.sockets.candidate import CandidateNamespace
    from exam_engine.sockets.proctor import ProctorNamespace
    from exam_engine.sockets.scoreboard import ScoreboardNamespace
    from proctor_dashboard import views as proctor_views

    config = config or Config()
    app = Flask(__name__, static_folder="../static", template_folder="../templates",
                instance_path=str(config.INSTANCE_PATH))
    app.config.update(config.flask_settings())
    app.extensions["exam_config"] = config

    try:
        db.init_app(app, config.DATABASE_URL)
        with db.engine.begin() as conn:
            Base.metadata.create_all(conn)
    except ArgumentError as exc:
        raise ConfigError(f"EXAM_DATABASE_URL is not a database URL: {exc}") from None
    except (OperationalError, ImportError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigError(f"EXAM_DATABASE_URL: cannot use the database: {reason}") from None
    catalog.clear()
    _check_redis(config.REDIS_URL)
    auth.init_tokens(config.SECRET_KEY, config.ADMIN_TOKEN)
    media.init(config.SECRET_KEY)
    transparency.init(config.INSTANCE_PATH, config.SIGNING_KEY)
    transparency.forget()

    socketio.init_app(
        app,
        async_mode=config.ASYNC_MODE,
        message_queue=config.REDIS_URL,
        cors_allowed_origins=config.ALLOWED_ORIGINS or None,  # None: same origin only
        manage_session=False,
        max_http_buffer_size=256 * 1024,
        ping_interval=10,
        ping_timeout=10,
        # Each client's events run in order on its own connection's task rather than on a
        # new task per event: a candidate's answers are stored in the order sent, and the
        # spawn per event was a tenth of the server's time (docs/benchmarks.md).
        async_handlers=False,
    )
    socketio.on_namespace(CandidateNamespace())
    socketio.on_namespace(ProctorNamespace())
    socketio.on_namespace(ScoreboardNamespace())

    app.register_blueprint(api_bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(proctor_views.bp)
    public_pages.init_app(app)
    admin_pages.init_app(app)
    app.register_error_handler(ExamError, lambda exc: (exc.as_dict(), exc.status))
    app.register_error_handler(404, _api_or_page(http_error))
    app.register_error_handler(405, _api_or_page(http_error))
    app.register_error_handler(413, _api_or_page(http_error))
    app.register_error_handler(500, _api_or_page(_server_error))
    app.after_request(_security_headers)
    cli.init_app(app)
    app.extensions["exam_background"] = _Background(app, config)
    return app


def _check_redis(url: str | None) -> None:
    from config import ConfigError

    if not url:
        return
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except ValueError as exc:
        raise ConfigError(f"EXAM_REDIS_URL is not a Redis URL: {exc}") from None
    except redis.RedisError as exc:
        raise ConfigError(f"EXAM_REDIS_URL: cannot reach Redis: {exc}") from None


def _api_or_page(handler):
    from flask import request

    def handle(exc):
        if request.path.startswith(("/api/", "/media/")):
            return handler(exc)
        return exc

    return handle


def _server_error(exc):
    from flask import request

    log.error("unhandled error on %s", request.path, exc_info=getattr(exc, "original_exception",
                                                                   exc))
    return {"error": "server_error", "message": "the server could not handle this request"}, 500


def _security_headers(response):
    from flask import request

    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


FULL_GC_EVERY_S = 600


def _tune_gc() -> None:
    """Keep the cyclic garbage collector's pauses off the answer path.

    Left as it is, a full collection walks every object of the process, thousands of
    sockets' included, and stopped the event loop for 100-180 ms two or three times a
    minute (measured with bench/live_bench.py: the slowest answer acks clustered at those
    moments). Objects alive at start (modules, the app, mappers) are frozen out of every
    collection; young collections run as before; the full one only every ten minutes.

    Young collections stay at Python's 700 new objects. Every 10,000 (session 6) gave the
    PostgreSQL closed loop 5 % more throughput, but a young collection then took up to
    85 ms with 1,000 candidates connected, and the slowest acks at 1,000 candidates
    answering every 10 s reached 240-325 ms (p99 62-104 ms, against 16-28 ms at 700).
    """
    import gc

    gc.collect()
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000)     # no automatic full collections


def _collect_cycles_forever(sleep) -> None:
    import gc

    while True:
        sleep(FULL_GC_EVERY_S)
        gc.collect()


class _Background:
    """The process's duties: the group-commit writer, the deadline sweeper, the live
    screens' publisher and, on SQLite, the WAL checkpointer."""

    def __init__(self, app: Flask, config: Config) -> None:
        self.app, self.config = app, config
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        from exam_engine.extensions import WalCheckpointer, db, socketio
        from exam_engine.services import live, sweeper, writer

        with self._lock:
            if self._started:
                return
            self._started = True
        _tune_gc()
        socketio.start_background_task(_collect_cycles_forever, socketio.sleep)
        writer.start(socketio.server)
        if db.sqlite_file:
            socketio.start_background_task(WalCheckpointer(db.sqlite_file).run_forever,
                                           socketio.sleep)
        socketio.start_background_task(live.run_forever, socketio.sleep)
        if self.config.SWEEP_INTERVAL_S > 0:
            socketio.start_background_task(sweeper.run_forever, socketio.sleep,
                                           self.config.SWEEP_INTERVAL_S)
        log.info("background duties started (writer, sweeper, live screens)")
