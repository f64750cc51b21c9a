"""Fixtures for end-to-end tests: a real server process per test."""
from __future__ import annotations

import os

import pytest

from tests.e2e.server import ServerProcess


def _database_url() -> str | None:
    url = os.environ.get("EXAM_TEST_DATABASE_URL")
    if url:
        from exam_engine.extensions import make_engine
        from exam_engine.models import Base

        engine = make_engine(url)
        Base.metadata.drop_all(engine)
        engine.dispose()
    return url


@pytest.fixture(params=["gevent", "eventlet"])
def async_mode(request):
    return request.param


@pytest.fixture
def live_server(tmp_path):
    """`python wsgi.py` (gevent) on a free port with an empty database."""
    server = ServerProcess(tmp_path, "gevent", database_url=_database_url()).start()
    yield server
    server.stop()


@pytest.fixture
def server_factory(tmp_path):
    """Start servers with a chosen async mode; all are stopped at the end."""
    started: list[ServerProcess] = []

    def make(async_mode: str = "gevent", **kwargs) -> ServerProcess:
        server = ServerProcess(tmp_path, async_mode, database_url=_database_url(), **kwargs)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()
