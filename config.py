"""Configuration read from EXAM_* environment variables (CONTRACT §1)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
ASYNC_MODES = ("gevent", "eventlet", "threading")


class ConfigError(Exception):
    """A setting that cannot work; its message is the one line start-up prints."""


def _instance_dir() -> Path:
    path = Path(os.environ.get("EXAM_INSTANCE_PATH", BASE_DIR / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """Return EXAM_SECRET_KEY, or one generated on first start and kept in instance/."""
    if os.environ.get("EXAM_SECRET_KEY"):
        return os.environ["EXAM_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Production settings; every field may be overridden by an EXAM_* variable."""

    def __init__(self) -> None:
        env = os.environ
        self.INSTANCE_PATH = _instance_dir()
        self.SECRET_KEY = _secret_key(self.INSTANCE_PATH)
        self.DATABASE_URL = env.get(
            "EXAM_DATABASE_URL", f"sqlite:///{self.INSTANCE_PATH / 'exam.sqlite3'}"
        )
        self.REDIS_URL = env.get("EXAM_REDIS_URL") or None
        self.ADMIN_TOKEN = env.get("EXAM_ADMIN_TOKEN") or None
        self.HOST = env.get("EXAM_HOST", "127.0.0.1")
        self.PORT = _port(env.get("EXAM_PORT", "5000"))
        self.ASYNC_MODE = env.get("EXAM_ASYNC_MODE", "gevent")
        if self.ASYNC_MODE not in ASYNC_MODES:
            raise ConfigError(
                f"EXAM_ASYNC_MODE={self.ASYNC_MODE!r} is not one of {', '.join(ASYNC_MODES)}"
            )
        # Socket.IO origins allowed besides the page's own host (comma separated).
        origins = env.get("EXAM_ALLOWED_ORIGINS", "")
        self.ALLOWED_ORIGINS = [o.strip() for o in origins.split(",") if o.strip()]
        self.SWEEP_INTERVAL_S = _number("EXAM_SWEEP_INTERVAL", "1.0", float, 0.05, 60)
        self.MAX_UPLOAD_BYTES = _number("EXAM_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024), int,
                                        1024, 1024**3)
        self.SIGNING_KEY = env.get("EXAM_SIGNING_KEY") or None
        if self.SIGNING_KEY is not None:
            try:
                if len(bytes.fromhex(self.SIGNING_KEY)) != 32:
                    raise ValueError
            except ValueError:
                raise ConfigError("EXAM_SIGNING_KEY must be 64 hex digits (an Ed25519 "
                                  "secret)") from None
        self.TESTING = False

    def flask_settings(self) -> dict:
        return {
            "SECRET_KEY": self.SECRET_KEY,
            "MAX_CONTENT_LENGTH": self.MAX_UPLOAD_BYTES,
            "TESTING": self.TESTING,
            "JSON_SORT_KEYS": False,
            # The staff session authenticates API calls and the /proctor socket: no
            # cross-site request may carry it (the CSRF guard), and no script may read it.
            "SESSION_COOKIE_SAMESITE": "Strict",
            "SESSION_COOKIE_HTTPONLY": True,
        }


class TestConfig(Config):
    """Settings for the test suite: a throw-away database, threading, no background sweeper."""

    def __init__(self, database_url: str | None = None, **overrides) -> None:
        super().__init__()
        self.TESTING = True
        self.ASYNC_MODE = "threading"
        self.DATABASE_URL = database_url or os.environ.get(
            "EXAM_TEST_DATABASE_URL", "sqlite://"
        )
        self.REDIS_URL = None
        self.ADMIN_TOKEN = "test-admin-token"
        self.SWEEP_INTERVAL_S = 0  # tests call the sweeper themselves
        for key, value in overrides.items():
            setattr(self, key, value)


def _number(name: str, default: str, kind, low, high):
    value = os.environ.get(name, default)
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number") from None
    if not low <= number <= high:
        raise ConfigError(f"{name}={value!r} is outside {low}..{high}")
    return number


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ConfigError(f"EXAM_PORT={value!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ConfigError(f"EXAM_PORT={value!r} is outside 1..65535")
    return port
