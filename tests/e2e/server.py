"""A real server process (`python wsgi.py`) for end-to-end tests, and admin steps over HTTP."""
from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from tests.conftest import small_bank, small_exam

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "e2e-admin-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python wsgi.py` on its own port and database; can be killed and started again."""

    def __init__(self, tmp: Path, async_mode: str = "gevent", database_url: str | None = None,
                 redis_url: str | None = None, extra_env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = ADMIN_TOKEN
        self.tmp = tmp
        self.log_path = tmp / f"server-{self.port}.log"
        self.env = {
            **os.environ,
            "EXAM_PORT": str(self.port),
            "EXAM_HOST": "127.0.0.1",
            "EXAM_INSTANCE_PATH": str(tmp / "instance"),
            "EXAM_DATABASE_URL": database_url or f"sqlite:///{tmp / 'e2e.sqlite3'}",
            "EXAM_ADMIN_TOKEN": ADMIN_TOKEN,
            "EXAM_ASYNC_MODE": async_mode,
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        if redis_url:
            self.env["EXAM_REDIS_URL"] = redis_url
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> ServerProcess:
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the fd
            self.proc = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log()}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, nothing flushed that was not already durable."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    # Admin steps over HTTP -------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.admin_token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.url}/api/v1{path}", headers=headers,
                                timeout=30, **kwargs)

    def demo_exam(self, candidates: int = 2, bank: dict | None = None, exam: dict | None = None,
                  **candidate_extra) -> tuple[str, list[dict]]:
        """Upload a bank, create and open an exam, register candidates; return credentials."""
        bank = bank or small_bank()
        exam = exam or small_exam()
        r = self.api("POST", "/banks", files={"file": ("bank.yaml", io.BytesIO(
            yaml.safe_dump(bank, allow_unicode=True).encode()))})
        assert r.status_code == 201, r.text
        r = self.api("POST", "/exams", json=exam)
        assert r.status_code == 201, r.text
        assert self.api("POST", f"/exams/{exam['exam']}/open").status_code == 200
        people = [{"participant_no": f"E{i + 1:04d}", "name": f"Peserta {i + 1}",
                   **candidate_extra} for i in range(candidates)]
        r = self.api("POST", f"/exams/{exam['exam']}/candidates", json={"candidates": people})
        assert r.status_code == 201, r.text
        return exam["exam"], r.json()["credentials"]

    def login(self, exam: str, cred: dict) -> str:
        r = requests.post(f"{self.url}/api/v1/candidate/login", timeout=10, json={
            "exam": exam, "participant_no": cred["participant_no"],
            "password": cred["password"]})
        assert r.status_code == 200, r.text
        return r.json()["token"]
