"""A bad setting stops start-up with one clear line naming the variable (CONTRACT §1)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("variable, value", [
    ("EXAM_ASYNC_MODE", "tornado"),
    ("EXAM_DATABASE_URL", "not a url"),
    ("EXAM_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none"),
    ("EXAM_PORT", "eighty"),
    ("EXAM_REDIS_URL", "redis://127.0.0.1:1/0"),
    ("EXAM_REDIS_URL", "http://not-redis"),
    ("EXAM_SWEEP_INTERVAL", "soon"),
    ("EXAM_MAX_UPLOAD_BYTES", "-1"),
    ("EXAM_SIGNING_KEY", "not-hex"),
])
def test_a_bad_setting_stops_start_up_with_one_line(tmp_path, variable, value):
    env = {**os.environ, "EXAM_INSTANCE_PATH": str(tmp_path), variable: value}
    proc = subprocess.run([sys.executable, "wsgi.py"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert variable in lines[0] and lines[0].startswith("exam engine: cannot start:")


def test_the_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from config import Config

    monkeypatch.delenv("EXAM_SECRET_KEY", raising=False)
    monkeypatch.setenv("EXAM_INSTANCE_PATH", str(tmp_path))
    first = Config().SECRET_KEY
    assert len(first) == 64 and Config().SECRET_KEY == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
